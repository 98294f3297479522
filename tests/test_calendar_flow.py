"""The calendar driving the real bot: a period opens, chairs are reminded with a button to the
form, a submission stops reminders, staff get escalation and digests — each exactly once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.wiring.scheduler import calendar_tick, catch_up
from harness import ADMIN, Harness, background, last_message, texts
from scenarios import CHAIR, DISTRICT, FULL, accept_invite, code_of, invite_links, join
from storage.models import Organization

STAFF = 801


def at(day: int, month: int = 10, hour_utc: int = 7) -> datetime:
    return datetime(2026, month, day, hour_utc, 0, tzinfo=UTC)


async def staff_joins(h: Harness) -> None:
    link = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(h, STAFF, code_of(link), first_name="Светлана")


async def tick_and_send(h: Harness) -> list:
    mark = h.server.mark()
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    return h.server.requests[mark:]


def to(chat: int, requests: list) -> list:
    return [r for r in requests if r.chat_id == chat and r.method.startswith("send")]


@pytest.fixture
def october(clock) -> None:
    clock.moment = at(1)  # Thursday, 10:00 in Moscow


async def test_period_reminders_submission_escalation_digests(october, harness: Harness) -> None:
    await join(harness)
    await staff_joins(harness)

    opened = await tick_and_send(harness)
    chair_msgs = to(CHAIR, opened)
    assert len(chair_msgs) == 1
    assert "Открыт мониторинг профсоюзного членства за октябрь 2026" in (
        chair_msgs[0].plain_text or ""
    )
    assert "до 26.10.2026" in (chair_msgs[0].plain_text or "")  # the 25th is a Sunday
    assert to(STAFF, opened) == []  # no weekly digest fell due since the staff member joined
    assert await tick_and_send(harness) == []  # a second run sends nothing again

    question = last_message(await harness.tap(CHAIR, chair_msgs[0], "Мониторинг"))
    assert "Вопрос 1 из 9" in (question.plain_text or "")
    await harness.send(CHAIR, "/cancel")

    harness.clock.moment = at(19)  # Monday, a week before the deadline
    week = await tick_and_send(harness)
    reminder = to(CHAIR, week)
    assert len(reminder) == 1 and "осталось 7 дней" in (reminder[0].plain_text or "")
    digest = to(STAFF, week)
    assert [r.method for r in digest] == ["sendMessage", "sendPhoto", "sendDocument"]
    assert "0 из 2" in (digest[0].plain_text or "")
    _, table = harness.server.sent_files(STAFF)[-1]
    sheet = openpyxl.load_workbook(io.BytesIO(table)).active
    assert sheet.max_row - 1 == 2

    await harness.send(CHAIR, "/report")
    for value in FULL:
        replies = await harness.send(CHAIR, value)
    await harness.tap(CHAIR, last_message(replies), "Отправить")

    harness.clock.moment = at(23)  # Friday: «3 days before» — but the chair has delivered
    assert to(CHAIR, await tick_and_send(harness)) == []

    harness.clock.moment = at(27)  # the day after the deadline
    late = await tick_and_send(harness)
    assert to(CHAIR, late) == []
    staff_msgs = [r.plain_text or "" for r in to(STAFF, late)]
    escalation = [text for text in staff_msgs if text.startswith("Не сдали мониторинг")]
    assert (
        len(escalation) == 1 and "Солнышко" in escalation[0] and "МБОУ СОШ № 1" not in escalation[0]
    )
    digests = [text for text in staff_msgs if text.startswith("📊 Сводка")]
    assert len(digests) == 1 and "Сдали: 1 из 2" in digests[0]  # one digest, though two fell due
    assert await tick_and_send(harness) == []


async def test_paused_chair_gets_nothing_and_staff_see_it(october, harness: Harness) -> None:
    await join(harness)
    await staff_joins(harness)
    assert (
        "приостановлены до 20.10.2026" in texts(await harness.send(CHAIR, "/pause 20.10.2026"))[0]
    )
    assert to(CHAIR, await tick_and_send(harness)) == []
    paused = texts(await harness.send(STAFF, "/paused"))[0]
    assert "МБОУ СОШ № 1" in paused and "до 20.10.2026" in paused
    harness.clock.moment = at(23)
    assert len(to(CHAIR, await tick_and_send(harness))) == 1


async def test_blocking_and_unblocking_the_bot_is_heard_without_a_word(
    october, harness: Harness
) -> None:
    """Telegram tells the bot (``my_chat_member``) when a chair blocks it and unblocks it:
    staff see 📵 at once, and a chair who unblocks it and writes nothing is reminded again."""
    h = harness
    await join(h)
    await staff_joins(h)
    assert "my_chat_member" in h.dp.resolve_used_update_types()
    blocked = h.server.block_chat(CHAIR, notify=True)
    assert blocked is not None
    await h.feed(blocked)
    assert "📵" in texts(await h.send(STAFF, "/status"))[0]
    assert to(CHAIR, await tick_and_send(h)) == []  # the period opens; refused with 403

    unblocked = h.server.unblock_chat(CHAIR, notify=True)
    assert unblocked is not None
    await h.feed(unblocked)
    assert "📵" not in texts(await h.send(STAFF, "/status"))[0]
    h.clock.moment = at(19)  # a week before the deadline: a reminder
    assert to(CHAIR, await tick_and_send(h)) != []


async def test_unreachable_chair_is_marked_and_catch_up_is_reported(
    october, harness: Harness
) -> None:
    await join(harness)
    await staff_joins(harness)
    harness.server.block_chat(CHAIR)
    await tick_and_send(harness)
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "📵" in status
    harness.server.unblock_chat(CHAIR)
    await harness.send(CHAIR, "/help")  # the chair unblocked the bot and writes again
    assert "📵" not in texts(await harness.send(STAFF, "/status"))[0]

    harness.clock.moment = at(20)  # the bot was down over the Monday digest and the reminder
    mark = harness.server.mark()
    bg = background(harness)
    await catch_up(bg, harness.clock.now())
    await bg.deliverer.drain()
    sent = harness.server.requests[mark:]
    told = [r.plain_text or "" for r in to(ADMIN, sent)]
    assert len(told) == 1 and "сводок — 1" in told[0]
    assert len([r for r in to(STAFF, sent) if r.method == "sendPhoto"]) == 1


async def test_region_staff_get_the_digest_after_their_districts_deadline(
    harness: Harness,
) -> None:
    """The region has no calendar of its own: its districts' deadlines are its too, so its
    staff get the digest on the working day after one, like the districts' staff."""
    h = harness
    region, other = "Кемеровская областная организация", "Ленинская районная организация"
    h.clock.moment = datetime(2026, 9, 20, 9, 0, tzinfo=UTC)
    rows = [(region, DISTRICT, "Школа", 100), (region, other, "Больница", 50)]
    headers = ("Регион", "Район", "Организация", "Работников")
    await h.upload(ADMIN, build_table_xlsx("ППО", headers, rows), "l.xlsx", caption="/import")
    await staff_joins(h)
    async with h.session_pool() as session:
        region_id = await session.scalar(select(Organization.id).where(Organization.name == region))
    reply = " ".join(texts(await h.send(ADMIN, f"/invite {region_id}")))
    link = next(word for word in reply.split() if "?start=" in word)
    await accept_invite(h, 802, code_of(link), first_name="Ольга")

    h.clock.moment = at(1)  # the October period opens, due Monday 26.10
    await tick_and_send(h)
    h.clock.moment = datetime(2026, 10, 26, 6, 30, tzinfo=UTC)  # Monday 09:30: the weekly one
    await tick_and_send(h)
    h.clock.moment = datetime(2026, 10, 27, 6, 30, tzinfo=UTC)  # Tuesday, after the deadline
    digests = {r.chat_id for r in await tick_and_send(h) if "Сводка" in (r.plain_text or "")}
    assert digests == {STAFF, 802}
