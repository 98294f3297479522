"""Announcements from staff to chairs: queued in the outbox, reported back once delivered.

An announcement is recorded in the audit log (who, when, to whom, what: ``html``, its text as
HTML with the author's formatting; one recorded before formatting was kept has plain ``text``);
its id keys the outbox messages (``announce:{id}:{chat}:{ППО}``) and the delivery report
(``announce-report:{id}``). A file attached to it (``attachment``: its ``file_id``, kind and
name) is a second message to each chair, sent after the text (``...:{ППО}:file``, which the
outbox holds behind it), with the same wait for their night: the text may be 2000
characters, too long for a caption.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import staff_scope
from bot.domain.announcement_caption import ROOM, caption_fits, scope_name_now
from bot.domain.calendar import CalendarSettings, next_allowed_moment
from bot.domain.digest import load_digest
from bot.domain.tick import Planning
from bot.domain.timezones import zone_named, zone_of
from bot.forms import declaration
from bot.forms.attachment import Attachment
from bot.forms.engine import Choice, Field, FormSpec, Rule
from bot.forms.fields import one_file, one_of, show_file
from bot.forms.formatted import formatted_text
from bot.texts import announcements as t
from bot.texts import forms
from bot.texts.markup import SafeHtml, as_html
from storage import audit, orgs, outbox, outbox_prefix, people
from storage.models import AuditEntry, Organization, OutboxStatus
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key
from storage.outbox_withdraw import ARCHIVED, ROLE_ENDED

log = logging.getLogger(__name__)

ACTION = "announce"
_WITHDRAWN = {ROLE_ENDED: t.WITHDRAWN_ROLE_ENDED, ARCHIVED: t.WITHDRAWN_ARCHIVED}
"""A message withdrawn before it went out (``storage.outbox_withdraw``), as its author reads it."""
REPORT_WITHIN = timedelta(days=7)
MISSED_WITHIN = timedelta(days=14)
"""How old an announcement to every chair may be to still reach a chair who joins after it."""
FILE_PART = "file"
"""The last part of the key of the file sent after an announcement's text."""


class Recipient(NamedTuple):
    """A chair an announcement goes to: their chat and the zone of their ППО (None: the
    bot's), whose night it waits out; ``org_id`` the ППО they chair (0: several), so that a
    message still waiting when their chair role ends is withdrawn with their other ones."""

    chat_id: int
    zone: str | None
    org_id: int = 0


async def recipients(
    session: AsyncSession,
    *,
    scope_org_id: int,
    only_late: bool,
    today: date,
    default_tz: str,
    author_chat: int,
) -> list[Recipient]:
    """The connected chairs of the scope, or of the late ones only; a chair of two ППО once,
    as they get one message. Not the author, should they chair a ППО of it too: they saw the
    announcement in the preview, and the count they are shown is of the others."""
    digest = await load_digest(
        session, scope_org_id=scope_org_id, today=today, default_tz=default_tz
    )
    # Not delivered: those still to report, and those whose report went back for correction.
    lines = [*digest.late, *digest.returned] if only_late else digest.lines
    chats: dict[int, Recipient] = {}
    for line in lines:
        chat_id = line.ppo.chair_tg_id
        if chat_id is not None and chat_id != author_chat:
            org_id = 0 if chat_id in chats else line.ppo.org_id
            chats[chat_id] = Recipient(chat_id, line.ppo.timezone, org_id)
    return list(chats.values())


async def announce(
    session: AsyncSession,
    *,
    author_id: int,
    author_chat: int,
    scope_org_id: int,
    scope_name: str,
    chats: list[Recipient],
    html: SafeHtml,
    only_late: bool,
    now: datetime,
    calendar: CalendarSettings,
    default_tz: str,
    attachment: Attachment | None = None,
) -> int:
    """Queue the announcement (and its file after it) to every chat, each outside the quiet
    hours of its chair's ППО (an evening in Moscow is the night in Kamchatka); returns its id."""
    after = {"html": html, "only_late": only_late, "chat": author_chat, "recipients": len(chats)}
    if attachment is not None:
        after["attachment"] = attachment.as_answer()
    entry = audit.record(
        session, at=now, actor_id=author_id, action=ACTION, org_id=scope_org_id, after=after
    )
    await session.flush()
    body = t.message(scope_name, html)
    for chat_id, zone, org_id in chats:
        local = zone_named(zone, default_tz)
        moment = next_allowed_moment(now, local, calendar, working_days=False)
        sent = _Sending(entry.id, chat_id, org_id, moment, now)
        await sent.queue(session, body, attachment, scope_name)
    return entry.id


class _Sending(NamedTuple):
    """An announcement on its way to one chair: its id, their chat and ППО, when it may go."""

    entry_id: int
    chat_id: int
    org_id: int
    not_before: datetime
    now: datetime

    async def queue(
        self, session: AsyncSession, text: str, attachment: Attachment | None, scope: str
    ) -> bool:
        """Queue the text, then the file if there is one, due at once but following the text
        (``after_key``: it goes once the text was sent, a retried text never after it; it
        ends as the text if that fails for good); True if the text was not queued before."""
        key = outbox_key(KeyPurpose.ANNOUNCEMENT, self.entry_id, self.chat_id, self.org_id)
        queued = await self._one(session, key, OutboxKind.TEXT, {"text": text})
        if attachment is not None:
            payload = {
                "file_id": attachment.file_id,
                "photo": attachment.kind == "photo",
                "caption": t.attachment_caption(scope, attachment.caption),
                "spoiler": attachment.spoiler,
                "above": attachment.above,
            }
            await self._one(session, f"{key}:{FILE_PART}", OutboxKind.FILE, payload, after=key)
        return queued

    async def _one(
        self,
        session: AsyncSession,
        key: str,
        kind: OutboxKind,
        payload: dict[str, Any],
        after: str | None = None,
    ) -> bool:
        return await outbox.enqueue(
            session,
            key=key,
            chat_id=self.chat_id,
            kind=kind,
            payload=payload,
            not_before=self.not_before,
            now=self.now,
            after_key=after,
        )


async def send_missed(
    session: AsyncSession, *, chat_id: int, org: Organization, now: datetime, default_tz: str
) -> int:
    """Queue to a chair who has just joined ``org`` the announcements to every chair of its
    district or region made in the last ``MISSED_WITHIN``: they were meant for whoever
    chairs it (a seminar next week, a deadline moved). Not those to the late only (whether
    this ППО was late then is not kept), nor one this chat already got (a chair of two ППО)
    or wrote.
    The key is the announcement's own, so its delivery report counts the newcomer. Returns
    how many were queued."""
    scopes = await staff_scope.lineage(session, org)
    entries = await audit.since(
        session, action=ACTION, since=now - MISSED_WITHIN, org_ids=scopes[1:]
    )
    queued = 0
    for entry in entries:
        after = entry.after or {}
        if after.get("only_late", True) or entry.org_id is None or after.get("chat") == chat_id:
            continue
        if await outbox.by_prefix(session, KeyPurpose.ANNOUNCEMENT, entry.id, chat_id):
            continue
        scope = await orgs.get_org(session, entry.org_id)
        scope_name = scope.name if scope else ""
        sent_on = f"{entry.at.astimezone(zone_of(org, default_tz)):%d.%m.%Y}"
        text = t.sent_before_you(scope_name, _html(after), sent_on)
        attachment = Attachment.of(after["attachment"]) if after.get("attachment") else None
        sending = _Sending(entry.id, chat_id, org.id, now, now)
        queued += await sending.queue(session, text, attachment, scope_name)
    return queued


def _html(after: dict[str, Any]) -> SafeHtml:
    """An announcement's recorded text as HTML: as made from the author's message, or the
    plain text of one recorded before formatting was kept, escaped."""
    return SafeHtml(after["html"]) if "html" in after else as_html(after["text"])


async def report_finished_announcements(planning: Planning) -> int:
    """Queue a delivery report to the author of every announcement whose sending is over.

    The report counts the delivered, the unreachable (by name) and the failed messages with
    Telegram's reasons, grouped; it is queued however the sending ended, also when nobody got
    the announcement. Each announcement is a unit of ``isolation`` in its own transaction.
    """
    session_pool, isolation, now = planning.session_pool, planning.isolation, planning.clock.now()
    async with session_pool() as session:
        entries = await audit.since(session, action=ACTION, since=now - REPORT_WITHIN)
    queued = 0
    for entry in entries:
        async with isolation.unit(f"delivery report of announcement {entry.id}"):
            async with session_pool() as session, session.begin():
                added = await _report_one(session, entry, now)
            queued += added
    return queued


async def _report_one(session: AsyncSession, entry: AuditEntry, now: datetime) -> bool:
    """Queue the delivery report of one announcement if its sending is over; True if queued."""
    report_key = outbox_key(KeyPurpose.ANNOUNCEMENT_REPORT, entry.id)
    if await outbox.by_key(session, report_key) is not None:
        return False
    outcomes = await outbox_prefix.outcomes(
        session, KeyPurpose.ANNOUNCEMENT, entry.id, follow_up=FILE_PART
    )
    if not outcomes or any(o.status is OutboxStatus.PENDING for o in outcomes):
        return False
    if entry.after is None or "chat" not in entry.after:
        raise ValueError(f"announcement {entry.id} has no author chat")
    if int(entry.after["chat"]) < 0:
        return False  # the author was erased (``storage.people.forget_identity``): nobody to tell
    unreachable = sorted(o.chat_id for o in outcomes if o.chat_id for _ in range(o.recipients))
    names = await people.names_by_chat(session, unreachable)
    failures: Counter[str] = Counter()
    for o in outcomes:
        if o.status is OutboxStatus.FAILED:
            failures[_reason(o)] += o.recipients
    delivered = sum(o.recipients for o in outcomes if o.status is OutboxStatus.SENT)
    log_outcome = log.warning if failures or unreachable else log.info
    log_outcome(
        "announcement %s delivered: %s sent, %s unreachable, %s failed%s",
        entry.id,
        delivered,
        len(unreachable),
        failures.total(),
        "".join(f"; {count} × {error}" for error, count in failures.most_common()),
    )
    return await outbox.enqueue(
        session,
        key=report_key,
        chat_id=int(entry.after["chat"]),
        kind=OutboxKind.TEXT,
        payload={
            "text": t.delivery_report(
                delivered,
                [names.get(chat, str(chat)) for chat in unreachable],
                failures.most_common(),
                _shown_attachment(entry.after),
            )
        },
        not_before=now,
        now=now,
    )


def _reason(outcome: outbox_prefix.Outcome) -> str:
    """Why a chair's messages failed, as the author reads it; the file's, saying the text
    went."""
    reason = _WITHDRAWN.get(outcome.error or "", outcome.error or "")
    return t.file_not_delivered(reason) if outcome.in_follow_up else reason


def _shown_attachment(after: dict[str, Any]) -> str | None:
    """The file an announcement carried, as its author knows it (raw); None: none."""
    return show_file(after["attachment"]) if after.get("attachment") else None


AUDIENCES = (Choice("all", t.AUDIENCE_ALL), Choice("late", t.AUDIENCE_LATE))
ANNOUNCEMENT = FormSpec(
    name="announce",
    title=t.TITLE,
    fields=(
        one_of("audience", t.L_AUDIENCE, t.Q_AUDIENCE, AUDIENCES),
        Field("html", t.L_TEXT, t.Q_TEXT, formatted_text(maximum=2000, minimum=5), formatted=True),
        # Asked under the preview, so an announcement without a file takes no more taps.
        one_file("attachment", t.L_ATTACHMENT, t.Q_ATTACHMENT, in_summary=True),
    ),
    rules=(Rule(("attachment",), caption_fits),),
)


class AnnouncementContext(declaration.StaffScopeContext):
    """An announcement's draft: the district or region, how many chairs each audience
    reaches, and the local day the late ones are counted on."""

    counts: dict[str, int]
    today: date


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    scope, today = request.org, request.env.today
    counts = {
        audience: len(
            await recipients(
                request.session,
                scope_org_id=scope.id,
                only_late=audience == "late",
                today=today,
                default_tz=request.default_tz,
                author_chat=request.tg_user_id,
            )
        )
        for audience in ("all", "late")
    }
    context = await AnnouncementContext.opened(request, counts=counts, today=today)
    room = {ROOM: t.caption_room(context.scope_name)}
    return await request.start(
        ANNOUNCEMENT, context, org_id=None, step=ANNOUNCEMENT.first_step({}), answers=room
    )


def summary(
    answers: dict[str, Any], context: AnnouncementContext, today: date
) -> declaration.Summary:
    audience = answers.get("audience", "all")
    label = ANNOUNCEMENT.field("audience").display(audience)
    count = context.counts[audience]
    html = SafeHtml(answers.get("html", ""))
    attached = answers.get("attachment")
    shown = show_file(attached) if attached else None
    file = Attachment.of(attached) if attached else None
    caption, above = (file.caption, file.above) if file else (None, False)
    pending = ANNOUNCEMENT.summary_question(answers)
    asked = "" if pending is None else forms.summary_question(pending.prompt)
    hint = forms.SUMMARY_CONFIRM_HINT
    preview = t.preview(
        context.scope_name, label, count, html, hint, shown, asked, caption, above=above
    )
    return declaration.Summary(preview)


async def submit(submission: declaration.Submission[AnnouncementContext]) -> str:
    session, context, answers = submission.session, submission.context, submission.draft.answers
    assert context.tz is not None
    scope_name = await scope_name_now(session, submission.draft, context)
    only_late = answers["audience"] == "late"
    chats = await recipients(
        session,
        scope_org_id=context.scope_id,
        only_late=only_late,
        today=context.today,
        default_tz=context.tz,
        author_chat=submission.draft.tg_user_id,
    )
    if not chats:
        return t.NO_RECIPIENTS
    await announce(
        session,
        author_id=submission.person_id,
        author_chat=submission.draft.tg_user_id,
        scope_org_id=context.scope_id,
        scope_name=scope_name,
        chats=chats,
        html=SafeHtml(answers["html"]),
        only_late=only_late,
        now=submission.now,
        calendar=submission.calendar,
        default_tz=context.tz,
        attachment=Attachment.of(answers["attachment"]) if answers.get("attachment") else None,
    )
    return t.queued(len(chats))


ANNOUNCEMENT_FORM: declaration.Form[AnnouncementContext] = declaration.Form(
    spec=ANNOUNCEMENT,
    context=AnnouncementContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("announce", t.CMD_ANNOUNCE),
)
