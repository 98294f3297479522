"""A chair replaced, a ППО moved or archived while something about it is on its way: what
was queued for the night to the former chair, and what staff were still writing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import select

import test_district_events as devents
from bot.delivery.outcomes import DrainReport
from bot.domain import org_admin
from bot.domain.tick import Tick
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import district_events as devent_texts
from bot.wiring.scheduler import calendar_tick
from conftest import FakeClock
from harness import ADMIN, Harness, Request, background, last_message, texts
from scenarios import CHAIR, HEADERS, accept_invite, join, setup_district
from storage.models import MembershipReport, Organization, OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose
from storage.outbox_withdraw import ROLE_ENDED, WITHHELD
from test_announcement_files import NAME, PDF, TEXT, staff_joins, up_to_the_file
from test_calendar_flow import at, october, tick_and_send, to
from test_curator import CURATOR, GARDEN, attach_curator
from test_district_event_changes import cancel_hint, move_to
from test_ppo_lifecycle import archived_at
from test_restored_escalations import _restore
from test_roles_in_flight import _escalation_queued, _escalations
from test_staff_tools import STAFF, district_with_staff, drain, org_id, submit

SCHOOL = "МБОУ СОШ № 1"
OTHER_DISTRICT = "Кировская районная организация"
NEW_CHAIR = 601
__all__ = ["october"]  # the fixture, used by name

EVENING = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)  # 23:00 in Moscow: messages wait
MORNING = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)  # 10:00 in Moscow


async def _replace_chair(h: Harness) -> list[Request]:
    """The admin's new link for the school, redeemed by Ольга: the replies she gets."""
    reply = texts(await h.send(ADMIN, f"/invite {await org_id(h, SCHOOL)}"))[0]
    code = reply.split("?start=", 1)[1].split()[0]
    return await accept_invite(h, NEW_CHAIR, code, first_name="Ольга")


async def _write_return(h: Harness) -> Request:
    """Светлана's /return of the school's report, up to its summary (not sent yet)."""
    choice = last_message(await h.send(STAFF, "/return сош"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL))
    await h.tap(STAFF, card, "Вернуть")
    return last_message(await h.send(STAFF, "Проверьте число членов профсоюза"))


async def _archived_meanwhile(h: Harness, name: str) -> None:
    """The ППО ``name`` archived as the admin's button does, its notices left unsent: nothing
    of it waits for a chat the test holds a call to."""
    tick = Tick(h.clock.now(), h.settings.calendar, h.settings.timezone)
    await archived_at(h.session_pool, await org_id(h, name), tick)


async def _on_its_way(h: Harness, change: Callable[[], Awaitable[object]]) -> DrainReport:
    """A drain whose one call is held on its way to Telegram while ``change`` is made (after
    the sender's last look at the row), then let go: what the drain did."""
    h.server.hold_sends()
    sending = asyncio.ensure_future(background(h).deliverer.drain())
    await h.server.wait_until(lambda: h.server.held == 1, description="the call on its way")
    h.server.hold_sends(False)
    await change()
    h.server.release_held()
    return await sending


async def _returned(h: Harness) -> list[int]:
    async with h.session_pool() as session:
        stmt = select(MembershipReport.id).where(MembershipReport.returned_at.is_not(None))
        return list((await session.scalars(stmt)).all())


async def test_a_return_waiting_for_the_morning_goes_to_the_chair_who_took_over(
    harness: Harness,
) -> None:
    """Sent back at 23:00, the notice waits for the morning; overnight the chair is replaced.
    The former chair is not asked to correct; the new one hears of it, comment and button,
    the moment they join."""
    h = harness
    await district_with_staff(h)
    await submit(h)
    h.clock.moment = EVENING
    await h.tap(STAFF, await _write_return(h), "Отправить")

    joined = await _replace_chair(h)
    h.clock.moment = MORNING
    sent = await drain(h)

    assert not [r for r in sent if r.chat_id == CHAIR and "возвращ" in (r.plain_text or "")]
    notice = [r for r in joined if r.chat_id == NEW_CHAIR and r.method == "sendMessage"][-1]
    assert "возвращён на исправление" in notice.plain_text
    assert "Проверьте число членов профсоюза" in notice.plain_text
    assert [data for _, data in notice.buttons()] == [f"r1:correction:{await org_id(h, SCHOOL)}"]


async def test_a_new_chair_is_not_told_of_a_return_already_corrected(harness: Harness) -> None:
    h = harness
    await district_with_staff(h)
    await submit(h)

    joined = await _replace_chair(h)

    assert not [text for text in texts(joined) if "возвращён" in text]


async def test_a_return_of_a_ppo_moved_meanwhile_is_refused(harness: Harness) -> None:
    """The school moves to another district while Светлана writes the comment: her rights
    were checked against the old district, so nothing goes back."""
    h = harness
    await district_with_staff(h)
    data = build_table_xlsx("ППО", HEADERS, [(OTHER_DISTRICT, "МБОУ СОШ № 9", 30, "")])
    await h.upload(ADMIN, data, "list2.xlsx", caption="/import")
    await submit(h)
    summary = await _write_return(h)
    school_id, district_id = await org_id(h, SCHOOL), await org_id(h, OTHER_DISTRICT)
    async with h.session_pool() as session, session.begin():
        school = await session.get(Organization, school_id)
        district = await session.get(Organization, district_id)
        assert school is not None and district is not None
        await org_admin.move(session, school, district, by=None, now=h.clock.now())

    replies = texts(await h.tap(STAFF, summary, "Отправить"))

    assert await _returned(h) == []
    assert "перенесли в другую организацию или закрыли" in replies[-1]


async def test_a_return_of_a_ppo_archived_meanwhile_is_refused(harness: Harness) -> None:
    h = harness
    await district_with_staff(h)
    await submit(h)
    summary = await _write_return(h)
    await _archived_meanwhile(h, SCHOOL)

    replies = texts(await h.tap(STAFF, summary, "Отправить"))
    sent = await drain(h)

    assert await _returned(h) == []
    assert "перенесли в другую организацию или закрыли" in replies[-1]
    assert not [r for r in sent if r.chat_id == CHAIR and "возвращ" in (r.plain_text or "")]


async def test_an_announcement_waiting_for_the_morning_skips_a_replaced_chair(
    harness: Harness,
) -> None:
    """«Всем председателям» at 23:00 waits for the morning; the school's chair is replaced
    overnight. The former chair does not get it, and its author reads why in the report; the
    new chair gets it on joining, and is counted as delivered."""
    h = harness
    await district_with_staff(h)
    h.clock.moment = EVENING
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    summary = last_message(await h.send(STAFF, "Собрание председателей 30.11 в 10:00"))
    await h.tap(STAFF, summary, "Отправить")

    await _replace_chair(h)
    h.clock.moment = MORNING
    sent = await drain(h)
    sent += await drain(h)  # the delivery report follows the sending

    assert not [r for r in sent if r.chat_id == CHAIR and "Собрание" in (r.plain_text or "")]
    async with h.session_pool() as session:
        statuses = (
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.key.startswith("announce:"))
            )
        ).all()
    assert sorted(statuses) == sorted([OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED])
    assert [r for r in sent if r.chat_id == NEW_CHAIR and "Собрание" in (r.plain_text or "")]
    (report,) = [r.plain_text for r in sent if r.chat_id == STAFF and "доставке" in r.plain_text]
    assert "Доставлено: 2" in report
    assert "до отправки человек перестал быть председателем — 1" in report


async def _announce(h: Harness, audience: str, text: str) -> None:
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, audience)
    summary = last_message(await h.send(STAFF, text))
    await h.tap(STAFF, summary, "Отправить")


async def test_a_new_chair_gets_the_recent_announcements_to_every_chair(harness: Harness) -> None:
    """Announcements to every chair from the last two weeks reach the chair who joins after
    them, once, with the day they went out; older ones and those to the late only do not."""
    h = harness
    await district_with_staff(h)
    h.clock.moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    await _announce(h, "Всем председателям", "Отчёты до 25.11, старое")
    h.clock.moment = MORNING
    await _announce(h, "Всем председателям", "Семинар председателей 30.11 <в 10:00>")
    await _announce(h, "Только не сдавшим", "Напоминаем о мониторинге")
    before = [r.plain_text for r in await drain(h) if r.chat_id == CHAIR]
    assert [any(word in text for text in before) for word in ("старое", "Семинар", "Напом")] == [
        True,
        True,
        True,  # the school has not reported: the one to the late went to its chair too
    ]

    await _replace_chair(h)
    sent = await drain(h)
    sent += await drain(h)

    got = [r.plain_text for r in sent if r.chat_id == NEW_CHAIR]
    assert len(got) == 1
    assert "Семинар председателей 30.11 <в 10:00>" in got[0]
    assert "Разослано председателям 22.11.2026" in got[0]
    assert not [r for r in sent if r.chat_id == CHAIR]


async def test_an_escalation_rewritten_while_on_its_way_is_kept_as_it_went(
    october: None, harness: Harness
) -> None:
    """Ольга curates both late ППО; her escalation's call is on its way to Telegram when the
    kindergarten is archived (the rewrite comes after the sender's last look). She reads the
    text that went, naming it: no message is taken back (the README's delivery section). The
    row keeps that text, not the one rewritten without the kindergarten, so that a restore
    sends her nothing more: she was told of it."""
    h = harness
    await setup_district(h)
    await attach_curator(h, SCHOOL)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)

    assert (await _on_its_way(h, lambda: _archived_meanwhile(h, GARDEN))).sent == 1

    (went,) = _escalations(h.server.requests, CURATOR)
    assert "Солнышко" in went, went
    async with h.session_pool() as session:
        stmt = select(OutboxMessage.payload).where(OutboxMessage.chat_id == CURATOR)
        (kept,) = (await session.scalars(stmt)).all()
    assert "Солнышко" in kept["text"] and WITHHELD not in kept, kept
    await _restore(h, GARDEN)
    assert _escalations(await tick_and_send(h), CURATOR) == []


async def _chairs_reminder(h: Harness) -> OutboxMessage:
    async with h.session_pool() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.chat_id == CHAIR)
        (reminder,) = (await session.scalars(stmt)).all()
    assert reminder.key.startswith(f"{KeyPurpose.REMINDER.value}:"), reminder.key
    return reminder


async def test_a_reminder_the_report_withdrew_on_its_way_is_recorded_sent(
    october: None, harness: Harness
) -> None:
    """October's opening reminder is on its way to Мария when her report comes in (which
    withdraws it): she reads it, and its record says it was sent, when, and what; its key
    stays taken, so nothing of it goes to her again."""
    h = harness
    await join(h)
    await calendar_tick(background(h))

    assert (await _on_its_way(h, lambda: submit(h))).sent == 1

    sent = to(CHAIR, h.server.requests)
    (went,) = [r.params["text"] for r in sent if "Открыт" in (r.plain_text or "")]
    reminder = await _chairs_reminder(h)
    assert (reminder.status, reminder.error) == (OutboxStatus.SENT, None), reminder.error
    assert reminder.sent_at == h.clock.now() and reminder.payload["text"] == went
    h.clock.moment = at(20)
    assert to(CHAIR, await tick_and_send(h)) == []


async def test_a_reminder_on_its_way_when_the_ppo_was_archived_is_not_sent_again_on_restore(
    october: None, harness: Harness
) -> None:
    """The school is archived while October's opening reminder is on its way to Мария (the
    archiving deletes it, so that a restore reminds her of what is still due): she reads it,
    it is recorded sent under its key, and the restore the same day does not send it again."""
    h = harness
    await join(h)
    await calendar_tick(background(h))

    assert (await _on_its_way(h, lambda: _archived_meanwhile(h, SCHOOL))).sent == 1
    await _restore(h, SCHOOL)

    assert to(CHAIR, await tick_and_send(h)) == []
    reminder = await _chairs_reminder(h)
    assert reminder.status == OutboxStatus.SENT and "Открыт" in reminder.payload["text"]


async def test_an_escalation_deleted_while_on_its_way_names_the_ppo_once_after_a_restore(
    october: None, harness: Harness
) -> None:
    """Ольга curates the kindergarten only; her escalation of it is on its way when it is
    archived (which deletes the escalation: none else of hers is late). She reads it naming
    the kindergarten; restored, it is not named to her again."""
    h = harness
    await setup_district(h)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)

    assert (await _on_its_way(h, lambda: _archived_meanwhile(h, GARDEN))).sent == 1
    (went,) = _escalations(h.server.requests, CURATOR)
    assert "Солнышко" in went, went
    await _restore(h, GARDEN)

    assert _escalations(await tick_and_send(h), CURATOR) == []


async def test_an_invitation_on_its_way_when_the_event_moved_is_written_anew(
    harness: Harness, clock: FakeClock
) -> None:
    """An invitation is on its way when staff move the district event (which drops the
    invitations still waiting, for the clockwork to write afresh with the new details): its
    chair read the old day, and gets the new one too, as every other invited chair does."""
    h = harness
    await devents.setup(h)
    await h.tap(devents.STAFF, (await devents.announce(h))[-1], "Отправить")
    await devents.tick(h)  # Saturday: the invitations wait for Monday
    devents.move(clock, devents.at(23, 11, 7))

    await _on_its_way(h, lambda: move_to(h, "09.12.2026 10:00", None, "08.12.2026"))
    await devents.tick(h)

    for chair in (devents.CHAIR, devents.GARDEN_CHAIR, devents.CENTRE_CHAIR):
        told = [r.plain_text or "" for r in to(chair, h.server.requests)]
        assert any("09.12.2026 10:00" in text for text in told), (chair, told)


async def test_an_invitation_on_its_way_when_the_event_was_called_off_is_followed_by_the_notice(
    harness: Harness, clock: FakeClock
) -> None:
    """Only the school is invited; its invitation is on its way when staff call the event off
    (which drops the invitations still waiting and tells those whose invitation went out:
    nobody, then). Мария read the invitation, so she is told it is called off, as the chairs
    invited before would be, once; nobody else hears of it."""
    h = harness
    ids = await devents.setup(h)
    listed = str(ids[devents.SCHOOL])
    await h.tap(
        devents.STAFF, (await devents.announce(h, devent_texts.WHO_LIST, listed))[-1], "Отправить"
    )
    await devents.tick(h)  # Saturday: the invitation waits for Monday
    devents.move(clock, devents.at(23, 11, 7))

    async def call_off() -> None:
        asked = await h.tap(devents.STAFF, await cancel_hint(h), devent_texts.BTN_CANCEL_EVENT)
        done = texts(await h.tap(devents.STAFF, asked[-1], devent_texts.BTN_CANCEL_YES))
        assert "председатели ППО: 0" in done[-1]

    assert (await _on_its_way(h, call_off)).sent == 1
    await devents.tick(h)
    await devents.tick(h)

    told = [r.plain_text or "" for r in to(devents.CHAIR, h.server.requests)]
    assert [text for text in told if "Приглашение" in text] != []
    assert len([text for text in told if "Мероприятие отменено" in text]) == 1, told
    others = (devents.GARDEN_CHAIR, devents.CENTRE_CHAIR, devents.OTHER_CHAIR)
    assert [
        r for r in h.server.requests if r.chat_id in others and "отмен" in (r.plain_text or "")
    ] == []


async def _announced_with_a_file(h: Harness) -> None:
    """«Всем председателям» with a document, sent: one chair (Мария) connected."""
    await staff_joins(h)
    await up_to_the_file(h)
    summary = last_message(await h.upload(STAFF, PDF, NAME))
    await h.tap(STAFF, summary, "Отправить")


async def test_an_announcements_file_follows_its_text_that_went_while_the_ppo_was_archived(
    harness: Harness,
) -> None:
    """The school is archived while the announcement's text is on its way to Мария (which
    withdraws both the text and the file after it): she read the text, so the file follows
    it, as it would have, and its author's report counts her delivered."""
    h = harness
    await _announced_with_a_file(h)

    mark = h.server.mark()
    await _on_its_way(h, lambda: _archived_meanwhile(h, SCHOOL))
    sent = await drain(h)
    sent += await drain(h)  # the delivery report follows the sending

    got = to(CHAIR, h.server.requests[mark:])
    assert [r.method for r in got] == ["sendMessage", "sendDocument"]
    assert TEXT in (got[0].plain_text or "")
    assert h.server.sent_files(CHAIR) == [(NAME, PDF)]
    (report,) = [r.plain_text or "" for r in to(STAFF, sent) if "доставке" in (r.plain_text or "")]
    assert "Доставлено: 1" in report and "файл нет" not in report, report


async def test_no_file_follows_a_text_that_went_while_its_chair_was_replaced(
    harness: Harness,
) -> None:
    """Мария is replaced while the text is on its way to her: she read it, but she is no longer
    the chair, so its file does not follow; the record says so, and the author's report
    counts her as the text without the file, and her successor, who gets both."""
    h = harness
    await _announced_with_a_file(h)

    mark = h.server.mark()
    await _on_its_way(h, lambda: _replace_chair(h))
    sent = await drain(h)
    sent += await drain(h)

    got = to(CHAIR, h.server.requests[mark:])  # told too that her role ended
    assert len([r for r in got if TEXT in (r.plain_text or "")]) == 1
    assert [r for r in got if r.method == "sendDocument"] == []
    assert h.server.sent_files(NEW_CHAIR) == [(NAME, PDF)]
    async with h.session_pool() as session:
        stmt = select(OutboxMessage.status, OutboxMessage.error).where(
            OutboxMessage.chat_id == CHAIR, OutboxMessage.key.startswith("announce:")
        )
        rows = sorted((await session.execute(stmt)).all())
    assert rows == [(OutboxStatus.FAILED, ROLE_ENDED), (OutboxStatus.SENT, None)], rows
    (report,) = [r.plain_text or "" for r in to(STAFF, sent) if "доставке" in (r.plain_text or "")]
    assert "Доставлено: 1" in report, report
    assert "текст доставлен, файл нет: не отправлено: до отправки человек перестал" in report
