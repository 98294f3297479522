"""Announcements from staff to chairs: queued in the outbox, reported back once delivered.

An announcement is recorded in the audit log (who, when, to whom, what); its id keys the
outbox messages (``announce:{id}:{chat}``) and the delivery report (``announce-report:{id}``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.digest import load_digest
from bot.forms.engine import Choice, Field, FormSpec
from bot.forms.flow import Summary
from bot.forms.parsers import choice, text
from bot.texts import announcements as t
from bot.texts import common, forms
from storage import audit, drafts, outbox, people
from storage.models import FormDraft, Organization, OutboxStatus

ACTION = "announce"
REPORT_WITHIN = timedelta(days=7)


async def recipients(
    session: AsyncSession, *, scope_org_id: int, only_late: bool, today: date, default_tz: str
) -> list[tuple[int, str]]:
    """(chat id, chair name) of the connected chairs of the scope, or of the late ones only."""
    digest = await load_digest(
        session, scope_org_id=scope_org_id, today=today, default_tz=default_tz
    )
    lines = digest.late if only_late else digest.lines
    return [
        (line.ppo.chair_tg_id, line.ppo.chair_name or "")
        for line in lines
        if line.ppo.chair_tg_id is not None
    ]


async def announce(
    session: AsyncSession,
    *,
    author_id: int,
    author_chat: int,
    scope_org_id: int,
    scope_name: str,
    chats: list[tuple[int, str]],
    text: str,
    only_late: bool,
    now: datetime,
) -> int:
    """Queue the announcement to every chat; returns its id."""
    entry = audit.record(
        session,
        at=now,
        actor_id=author_id,
        action=ACTION,
        org_id=scope_org_id,
        after={"text": text, "only_late": only_late, "chat": author_chat, "recipients": len(chats)},
    )
    await session.flush()
    body = f"{t.header(scope_name)}\n\n{text}"
    for chat_id, _ in chats:
        await outbox.enqueue(
            session,
            key=f"announce:{entry.id}:{chat_id}",
            chat_id=chat_id,
            kind="text",
            payload={"text": body},
            not_before=now,
            now=now,
        )
    return entry.id


async def report_finished_announcements(
    session_pool: async_sessionmaker[AsyncSession], clock: Clock
) -> int:
    """Queue a delivery report to the author of every announcement whose sending is over."""
    now = clock.now()
    queued = 0
    async with session_pool() as session, session.begin():
        for entry in await audit.since(session, action=ACTION, since=now - REPORT_WITHIN):
            if await outbox.by_key(session, f"announce-report:{entry.id}") is not None:
                continue
            messages = await outbox.by_prefix(session, f"announce:{entry.id}:")
            if not messages or any(m.status is OutboxStatus.PENDING for m in messages):
                continue
            unreachable = [m.chat_id for m in messages if m.status is OutboxStatus.UNREACHABLE]
            names = await people.names_by_chat(session, unreachable)
            text = t.delivery_report(
                sum(1 for m in messages if m.status is OutboxStatus.SENT),
                [names.get(chat, str(chat)) for chat in unreachable],
                sum(1 for m in messages if m.status is OutboxStatus.FAILED),
            )
            assert entry.after is not None
            if await outbox.enqueue(
                session,
                key=f"announce-report:{entry.id}",
                chat_id=int(entry.after["chat"]),
                kind="text",
                payload={"text": text},
                not_before=now,
                now=now,
            ):
                queued += 1
    return queued


AUDIENCES = (Choice("all", t.AUDIENCE_ALL), Choice("late", t.AUDIENCE_LATE))
ANNOUNCEMENT = FormSpec(
    name="announce",
    title=t.TITLE,
    fields=(
        Field("audience", t.L_AUDIENCE, t.Q_AUDIENCE, choice(AUDIENCES), choices=AUDIENCES),
        Field("text", t.L_TEXT, t.Q_TEXT, text(maximum=2000, minimum=5)),
    ),
)


async def open_form(
    session: AsyncSession,
    *,
    tg_user_id: int,
    scope: Organization,
    lineage: list[int],
    today: date,
    default_tz: str,
    now: datetime,
) -> FormDraft:
    counts = {
        audience: len(
            await recipients(
                session,
                scope_org_id=scope.id,
                only_late=audience == "late",
                today=today,
                default_tz=default_tz,
            )
        )
        for audience in ("all", "late")
    }
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=ANNOUNCEMENT.name,
        org_id=None,
        step=ANNOUNCEMENT.first_step({}),
        context={
            "scope_id": scope.id,
            "scope_name": scope.name,
            "lineage": lineage,
            "counts": counts,
            "tz": scope.timezone or default_tz,
            "today": today.isoformat(),
        },
        now=now,
    )


class AnnouncementFlow:
    spec = ANNOUNCEMENT

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        return None

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        audience = answers.get("audience", "all")
        label = self.spec.field("audience").display(audience)
        lines = [
            t.preview(context["scope_name"], label, context["counts"][audience]),
            "",
            common.name(answers.get("text", "")),
            "",
            forms.SUMMARY_CONFIRM_HINT,
        ]
        return Summary("\n".join(lines))

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        context, answers = draft.context, draft.answers
        only_late = answers["audience"] == "late"
        chats = await recipients(
            session,
            scope_org_id=context["scope_id"],
            only_late=only_late,
            today=date.fromisoformat(context["today"]),
            default_tz=context["tz"],
        )
        if not chats:
            return t.NO_RECIPIENTS
        await announce(
            session,
            author_id=person_id,
            author_chat=draft.tg_user_id,
            scope_org_id=context["scope_id"],
            scope_name=context["scope_name"],
            chats=chats,
            text=answers["text"],
            only_late=only_late,
            now=now,
        )
        return t.queued(len(chats))
