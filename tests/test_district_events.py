"""District events through the dispatcher: staff announce one, chairs get the invitation
through the outbox and answer, the silent are reminded, attendance is entered after it, and
staff get the answers, the participants and those who stayed away, as a message and an .xlsx.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import openpyxl
from sqlalchemy import select

from bot.domain.district_event_answers import (
    MAX_PEOPLE,
    StaffCameContext,
    parse_came_lines,
    staff_came_summary,
)
from bot.domain.district_event_mail import plan_district_events
from bot.domain.district_events import PpoRef, resolve
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import district_events as t
from bot.wiring.scheduler import calendar_tick
from conftest import FakeClock
from handlers.callbacks import DistrictEventAction, DistrictEventCb, OpenForm
from handlers.district_event_keyboards import invite_buttons
from harness import ADMIN, Harness, Request, background, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import DistrictEvent, Organization, OutboxMessage, OutboxStatus
from storage.orgs import name_key
from test_viewer_statements import counted

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, GARDEN, CENTRE, ARTS = "МБОУ СОШ № 1", "Детский сад № 2", "Центр соцобслуживания", "ДШИ"
HOSPITAL = "ГБУЗ ЦРБ"
CHAIR, GARDEN_CHAIR, CENTRE_CHAIR, OTHER_CHAIR = 501, 502, 504, 503
STAFF, OTHER_STAFF, STRANGER = 801, 802, 777
TITLE = "Семинар председателей <ППО> & актива"
REASON = "Проверка <b>в учреждении</b> & отчёт"


def at(day: int, month: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


async def setup(h: Harness) -> dict[str, int]:
    rows = [
        (DISTRICT_A, SCHOOL, 54, "Иванова Мария Петровна"),
        (DISTRICT_A, GARDEN, 20, "Смирнова Ольга Ивановна"),
        (DISTRICT_A, CENTRE, 40, ""),
        (DISTRICT_A, ARTS, 15, "Петрова Анна Ивановна"),
        (DISTRICT_B, HOSPITAL, 300, ""),
    ]
    headers = ("Район", "Организация", "Работников", "Председатель")
    await h.upload(ADMIN, build_table_xlsx("ППО", headers, rows), "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    for user, org in ((CHAIR, SCHOOL), (GARDEN_CHAIR, GARDEN), (CENTRE_CHAIR, CENTRE)):
        await accept_invite(h, user, code_of(chairs[org]), first_name=f"Чат{user}")
    await accept_invite(h, OTHER_CHAIR, code_of(chairs[HOSPITAL]), first_name="Пётр")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")
    async with h.session_pool() as session:
        return {org.name: org.id for org in (await session.scalars(select(Organization))).all()}


async def announce(
    h: Harness,
    who: str = t.WHO_ALL,
    listed: str = "",
    answer_by: str = "03.12.2026",
    named: str = "",
) -> list[Request]:
    """/devent answered through: a seminar on 04.12 10:00, quota 3, answers by ``answer_by``;
    with ``named``, of kind «Другое» so named instead."""
    replies = await h.send(STAFF, "/devent")
    replies = await h.tap(STAFF, replies[-1], "Другое" if named else "Семинар")
    if named:
        replies = await h.send(STAFF, named)
    for value in (TITLE, "04.12.2026 10:00", "Дом профсоюзов, ул. Ленина, 1"):
        replies = await h.send(STAFF, value)
    replies = await h.tap(STAFF, replies[-1], "Обучение")
    replies = await h.tap(STAFF, replies[-1], who)
    if listed:
        replies = await h.send(STAFF, listed)
    replies = await h.send(STAFF, "3")
    return await h.send(STAFF, answer_by)


async def tick(h: Harness) -> int:
    bg = background(h)
    queued = await calendar_tick(bg)
    await bg.deliverer.drain()
    return queued


async def keys(h: Harness, prefix: str) -> list[str]:
    async with h.session_pool() as session:
        stmt = select(OutboxMessage.key).where(OutboxMessage.key.startswith(prefix))
        return sorted((await session.scalars(stmt)).all())


def last_to(h: Harness, chat: int, containing: str = "") -> Request:
    """The last message to ``chat`` containing ``containing`` (the calendar writes too)."""
    sent = [r for r in h.server.requests if r.method == "sendMessage" and r.chat_id == chat]
    return [r for r in sent if containing in (r.plain_text or "")][-1]


async def event_id(h: Harness) -> int:
    async with h.session_pool() as session:
        return (await session.scalars(select(DistrictEvent.id))).one()


def move(clock: FakeClock, moment: datetime) -> None:
    clock.moment = moment


async def staff_entering_attendance(h: Harness, clock: FakeClock) -> dict[str, int]:
    """The seminar announced to all, the day after it staff tap «Внести явку» on its card: the
    attendance lines are asked next. The organizations' ids by name."""
    ids = await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(5, 12, 8))
    card = await h.tap(STAFF, (await h.send(STAFF, "/devents"))[-1], "04.12.2026")
    hint = [r for r in card if r.method == "sendMessage" and "внести" in (r.plain_text or "")]
    await h.tap(STAFF, hint[-1], "Внести явку")
    return ids


async def test_the_whole_life_of_a_district_event(harness: Harness, clock: FakeClock) -> None:
    h = harness
    ids = await setup(h)
    summary = await announce(h)
    assert "Приглашаем ППО: 4" in summary[-1].plain_text
    done = texts(await h.tap(STAFF, summary[-1], "Отправить"))
    assert "приглашено ППО — 4" in done[-1] and "Без председателя в боте: 1" in done[-1]

    # Saturday: the invitations wait in the outbox for Monday 09:00 Moscow, once each.
    await tick(h)
    await tick(h)
    invitations = await keys(h, "devent-invite:")
    assert len(invitations) == 3
    assert not [
        r for r in h.server.requests if r.chat_id == CHAIR and "Приглашение" in (r.plain_text or "")
    ]
    move(clock, at(23, 11, 7))
    await tick(h)
    invitation = last_to(h, CHAIR, "Приглашение")
    assert "Приглашение" in invitation.plain_text and "&lt;" not in (invitation.plain_text or "")
    assert "Квота: до 3 чел." in invitation.plain_text

    # «Будем»: the quota is held at the question itself.
    question = await h.tap(CHAIR, invitation, "Будем")
    assert "Сколько человек" in texts(question)[-1]
    assert t.over_quota(3) in texts(await h.send(CHAIR, "5"))[-1]
    summary = await h.send(CHAIR, "2")
    assert "Сколько человек: 2" in summary[-1].plain_text
    assert "будем, 2 чел." in texts(await h.tap(CHAIR, summary[-1], "Отправить"))[-1]

    # «Не сможем» with a reason.
    question = await h.tap(GARDEN_CHAIR, last_to(h, GARDEN_CHAIR, "Приглашение"), "Не сможем")
    assert "Почему" in texts(question)[-1]
    summary = await h.send(GARDEN_CHAIR, REASON)
    assert "не сможем" in texts(await h.tap(GARDEN_CHAIR, summary[-1], "Отправить"))[-1]

    # Monday 30.11 (3 days before the answer day): a reminder to the silent chair only;
    # a restart and a second pass send nothing twice.
    move(clock, at(30, 11, 8))
    await tick(h)
    h.restart()
    await tick(h)
    assert await keys(h, "devent-remind:") == [
        f"devent-remind:{await event_id(h)}:{ids[CENTRE]}:2026-12-03:3:{CENTRE_CHAIR}"
    ]
    assert last_to(h, CENTRE_CHAIR, "ждём ответа")
    assert not [
        r
        for r in h.server.requests
        if "ждём ответа" in (r.plain_text or "") and r.chat_id != CENTRE_CHAIR
    ]

    # The day after the event (Saturday): prompts wait for Monday; the decliner gets none.
    move(clock, at(5, 12, 8))
    await tick(h)
    assert len(await keys(h, "devent-came:")) == 2
    move(clock, at(7, 12, 7))
    await tick(h)
    prompt = last_to(h, CHAIR, "участвовало")
    assert "Сколько человек" in texts(await h.tap(CHAIR, prompt, "Сколько пришло"))[-1]
    summary = await h.send(CHAIR, "3")
    assert "Явка сохранена: 3" in texts(await h.tap(CHAIR, summary[-1], "Отправить"))[-1]

    # Staff: the card and the table.
    listing = await h.send(STAFF, "/devents")
    card = await h.tap(STAFF, listing[-1], "04.12.2026")
    text = "\n".join(texts(card))
    assert "✅ Будут: 1 ППО, обещано 2 чел." in text and "❌ Не смогут: 1" in text
    assert REASON in text
    assert "Приняли участие: ППО — 1, человек — 3" in text
    assert "Не приняли участия (3)" in text and "ДШИ — Петрова Анна Ивановна" in text
    assert "Детский сад № 2 — Смирнова Ольга Ивановна" in text
    sheet = _sheet(h)
    body, total = sheet[1:-1], sheet[-1]
    assert REASON in [row[5] for row in body]
    assert total[0] == "Итого" and total[4] == sum(r[4] or 0 for r in body) == 2
    assert total[6] == sum(r[6] or 0 for r in body) == 3 and total[7] == 1

    # Staff enter the attendance of a ППО whose chair is not in the bot.
    hint = [r for r in card if r.method == "sendMessage" and "внести" in (r.plain_text or "")][-1]
    await h.tap(STAFF, hint, "Внести явку")
    summary = await h.send(STAFF, f"{ids[ARTS]} — 2\nНепонятная строка")
    assert "ДШИ — 2" in summary[-1].plain_text and "Непонятная строка" in summary[-1].plain_text
    assert "по ППО: 1" in texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    card = await h.tap(STAFF, listing[-1], "04.12.2026")
    assert "ППО — 2, человек — 5" in "\n".join(texts(card))
    total = _sheet(h)[-1]
    assert total[6] == 5 and total[7] == 2

    async with h.session_pool() as session:
        stmt = select(OutboxMessage.status).where(OutboxMessage.key.startswith("devent-"))
        assert set((await session.scalars(stmt)).all()) == {OutboxStatus.SENT}

    # The events report counts it for each ППО that took part.
    report = "\n".join(texts(await h.send(STAFF, "/eventsreport 12.2026")))
    assert "5" in report and "Семинар председателей" in report


def _sheet(h: Harness) -> list[tuple[object, ...]]:
    name, data = h.server.sent_files(STAFF)[-1]
    assert name.endswith(".xlsx")
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


async def test_rights_on_every_button(harness: Harness, clock: FakeClock) -> None:
    h = harness
    ids = await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    event = await event_id(h)
    school = ids[SCHOOL]
    for user in (GARDEN_CHAIR, OTHER_CHAIR, STAFF, OTHER_STAFF, STRANGER):
        for action in (DistrictEventAction.COMING, DistrictEventAction.DECLINE):
            data = DistrictEventCb(action=action, event_id=event, org_id=school).pack()
            answers = [
                r
                for r in await h.feed(h.server.callback(user, data))
                if r.method == "answerCallbackQuery"
            ]
            assert answers[0].params.get("text") == common.NO_RIGHTS, (user, action)
    for user in (CHAIR, OTHER_STAFF, STRANGER, OTHER_CHAIR):
        for action in (DistrictEventAction.OPEN, DistrictEventAction.STAFF_CAME):
            data = DistrictEventCb(action=action, event_id=event).pack()
            answers = [
                r
                for r in await h.feed(h.server.callback(user, data))
                if r.method == "answerCallbackQuery"
            ]
            assert answers[0].params.get("text") == common.NO_RIGHTS, (user, action)
    assert t.NO_EVENTS in texts(await h.send(OTHER_STAFF, "/devents"))
    assert common.NOT_YOUR_COMMAND in texts(await h.send(CHAIR, "/devent"))
    # The forms opened by name (as a reminder's button would): the open invitation, or a word.
    came = OpenForm(form="devent_came", org_id=school).pack()
    assert t.NO_OPEN_INVITATIONS in texts(await h.feed(h.server.callback(CHAIR, came)))
    reply = OpenForm(form="devent_reply", org_id=school).pack()
    assert t.Q_ANSWER in texts(await h.feed(h.server.callback(CHAIR, reply)))[-1]
    await h.send(CHAIR, "/cancel")
    # The school's own chair after the answer day: closed, nothing stored.
    move(clock, at(4, 12, 6))
    data = DistrictEventCb(action=DistrictEventAction.COMING, event_id=event, org_id=school).pack()
    answers = [
        r for r in await h.feed(h.server.callback(CHAIR, data)) if r.method == "answerCallbackQuery"
    ]
    assert answers[0].params.get("text") == t.ANSWERS_CLOSED


async def test_a_typed_list_and_what_it_did_not_find(harness: Harness) -> None:
    h = harness
    ids = await setup(h)
    summary = await announce(h, who=t.WHO_LIST, listed=f"{ids[SCHOOL]}, детский сад\n<Нет такой>")
    text = summary[-1].plain_text or ""
    assert "Приглашаем ППО: 2" in text and "<Нет такой>" in text
    done = texts(await h.tap(STAFF, summary[-1], "Отправить"))
    assert "приглашено ППО — 2" in done[-1]


async def test_an_hour_already_past_today_is_refused(harness: Harness) -> None:
    """12:00 in Moscow on 21.11: «21.11.2026 10:00» would be stored as begun and nobody
    invited, while staff are told «приглашено ППО — 4»; a later hour today is taken."""
    h = harness
    await setup(h)
    replies = await h.send(STAFF, "/devent")
    replies = await h.tap(STAFF, replies[-1], "Семинар")
    await h.send(STAFF, TITLE)
    for past in ("21.11.2026 10:00", "21.11 в 12.00"):
        answer = texts(await h.send(STAFF, past))[-1]
        assert t.Q_PLACE not in answer and t.starts_passed_today(time(12, 0)) in answer
    assert t.Q_PLACE in texts(await h.send(STAFF, "21.11.2026 12:30"))[-1]


async def test_a_summary_confirmed_after_its_start_has_come_asks_the_start_again(
    harness: Harness, clock: FakeClock
) -> None:
    """The summary was left on 21.11; «Отправить» tapped at 10:30 on 04.12, when the seminar
    of 04.12 10:00 has begun: the start is asked again, with why, and nothing is stored."""
    h = harness
    await setup(h)
    summary = (await announce(h))[-1]
    move(clock, datetime(2026, 12, 4, 7, 30, tzinfo=UTC))  # 10:30 in Moscow

    asked = texts(await h.tap(STAFF, summary, "Отправить"))[-1]

    assert t.starts_passed_today(time(10, 30)) in asked and t.Q_STARTS in asked
    async with h.session_pool() as session:
        assert (await session.scalars(select(DistrictEvent))).all() == []
    back = (await h.send(STAFF, "10.12.2026 10:00"))[-1]
    assert "Проверьте" in (back.plain_text or "")  # the summary again, the rest kept


async def test_reminders_keep_weekends_and_pauses(harness: Harness, clock: FakeClock) -> None:
    """Answers due Tuesday 01.12: the 3-days reminder falls on Saturday and would go out on
    Monday, the day of the 1-day one, so only that one goes; a paused chair gets none."""
    h = harness
    ids = await setup(h)
    await h.send(GARDEN_CHAIR, "/pause 10.12.2026")
    await h.tap(STAFF, (await announce(h, answer_by="01.12.2026"))[-1], "Отправить")
    await tick(h)
    move(clock, at(28, 11, 8))
    await tick(h)
    assert await keys(h, "devent-remind:") == []
    move(clock, at(30, 11, 8))
    await tick(h)
    await tick(h)
    event = await event_id(h)
    assert await keys(h, "devent-remind:") == [
        f"devent-remind:{event}:{ids[SCHOOL]}:2026-12-01:1:{CHAIR}",
        f"devent-remind:{event}:{ids[CENTRE]}:2026-12-01:1:{CENTRE_CHAIR}",
    ]
    assert "завтра последний день" in last_to(h, CHAIR, "ждём ответа").plain_text


def test_resolve_numbers_names_and_ambiguity() -> None:
    names = {1: "МБОУ СОШ № 1", 2: "МБОУ СОШ № 12", 3: "Детский сад"}
    ppos = tuple(PpoRef(id=i, name=n, key=name_key(n)) for i, n in names.items())
    found, missing = resolve("1; сош; детский\n№ 7", ppos)
    assert [p.id for p in found] == [1, 3] and missing == ["сош", "7"]


def test_staff_attendance_past_what_a_chair_may_enter_is_not_taken() -> None:
    ppos = tuple(PpoRef(id=i, name=n, key=name_key(n)) for i, n in {1: SCHOOL, 2: GARDEN}.items())
    typed = f"1 — 12\n2 — {MAX_PEOPLE + 1}"
    counts, missing = parse_came_lines(typed, ppos)
    assert {ppo_id: count for ppo_id, (_, count) in counts.items()} == {1: 12}
    assert missing == [f"2 — {MAX_PEOPLE + 1}"]
    context = StaffCameContext(lineage=[1], event_id=1, title="Семинар", ppos=ppos)
    summary = staff_came_summary({"lines": typed}, context, date(2026, 12, 1)).text
    assert f"Не распознаны (не будут внесены): 2 — {MAX_PEOPLE + 1}" in summary


async def test_a_chair_back_after_blocking_the_bot_is_invited_again(harness: Harness) -> None:
    """The invitation met a blocked bot (403); the chair comes back with /start next day and
    gets the invitation, with when and where, once; not only reminders saying neither."""
    h = harness
    await setup(h)
    summary = await announce(h)
    await h.tap(STAFF, summary[-1], "Отправить")
    h.server.block_chat(CHAIR)
    h.clock.moment = at(23, 11, 7)  # Monday 10:00: the invitations go out, the school's is refused
    await tick(h)
    h.server.unblock_chat(CHAIR)
    h.clock.moment = at(24, 11, 7)
    await h.send(CHAIR, "/start")
    mark = h.server.mark()
    for moment in (at(24, 11, 8), at(25, 11, 7), at(26, 11, 7)):
        h.clock.moment = moment
        await tick(h)
    got = [r.plain_text or "" for r in h.server.requests[mark:] if r.chat_id == CHAIR and r.ok]
    assert len([text for text in got if "Дом профсоюзов" in text]) == 1, got


async def test_a_tap_under_the_second_invitation_is_not_taken_for_the_first(
    harness: Harness,
) -> None:
    """Two invitations: «Будем» under the first, left unanswered, then «Будем» under the
    second. The open answer comes back naming both events, so the number typed next is not
    taken, unseen, for the second event."""
    h = harness
    await setup(h)
    for title, day in (("Семинар по охране труда", "04.12.2026"), ("Школа профактива", "05.12")):
        replies = await h.send(STAFF, "/devent")
        replies = await h.tap(STAFF, replies[-1], "Семинар")
        for value in (title, f"{day} 10:00", "Дом профсоюзов, ул. Ленина, 1"):
            replies = await h.send(STAFF, value)
        replies = await h.tap(STAFF, replies[-1], "Обучение")
        replies = await h.tap(STAFF, replies[-1], t.WHO_ALL)
        replies = await h.send(STAFF, "3")
        replies = await h.send(STAFF, "03.12.2026")
        await h.tap(STAFF, replies[-1], "Отправить")
    h.clock.moment = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday morning: invitations
    await tick(h)
    await h.tap(CHAIR, last_to(h, CHAIR, "охране труда"), "Будем")
    [shown] = texts(await h.tap(CHAIR, last_to(h, CHAIR, "Школа профактива"), "Будем"))
    assert "для «Семинар по охране труда»" in shown and "«Школа профактива» можно" in shown, shown


async def test_the_step_counter_leaves_out_what_the_tapped_answer_hides(
    harness: Harness, clock: FakeClock
) -> None:
    """«Будем» under the invitation: the reason for declining is not asked, so the number of
    people is question 2 of 2, not of 3."""
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))
    await tick(h)
    question = await h.tap(CHAIR, last_to(h, CHAIR, "Приглашение"), "Будем")
    assert texts(question)[-1].startswith("Вопрос 2 из 2"), texts(question)[-1]


async def test_a_minute_with_nothing_due_takes_no_write_lock(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    """The invitations went on Monday; a minute later nothing of the event is due: the
    clockwork's pass reads it and queues nothing, without SQLite's write lock (each minute it
    took the lock for every event watched, and chairs' answers waited behind it)."""
    h = sqlite_harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))
    await tick(h)
    move(clock, at(23, 11, 7) + timedelta(minutes=1))
    bg = background(h)
    with counted(h.engine) as ran:
        assert await plan_district_events(bg.planning(bg.isolation()), invite_buttons) == 0
    assert ran and not [sql for sql in ran if sql.startswith("BEGIN IMMEDIATE")], ran
