"""Plans of measures through the dispatcher, on SQLite and PostgreSQL: a plan loaded from an
.xlsx (bad rows reported), reminders through the outbox, done per ППО with a note or a file,
the overdue escalation, a change with its audit entry, the half-year review with its .xlsx,
and nothing sent twice across a restart."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
from sqlalchemy import select

from bot.domain.plan_sheet import Directory, next_number, parse_plan
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import plan_marks as tpm
from bot.texts import plans as tp
from bot.wiring.scheduler import calendar_tick
from handlers.callbacks import PlanDone
from harness import ADMIN, Harness, background, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import AuditEntry, Organization, OutboxMessage, PlanItem, PlanMark

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, GARDEN, HOSPITAL = "МБОУ СОШ № 1", "Детский сад № 2", "ГБУЗ ЦРБ"
CHAIR, CHAIR2, OTHER_CHAIR, STAFF, OTHER_STAFF = 501, 502, 503, 801, 802
HEADERS = ("№ п/п", "Мероприятия", "Срок исполнения", "Ответственные")
PLAN_ROWS = [
    ("1", "Актуализация паспортов первичных организаций", "10.12.2026", "все ППО"),
    ("2", "Семинар для вновь избранных председателей", "декабрь 2026", "Светлана"),
    ("3", "Обновление сведений о кадровом резерве", "I квартал 2027", SCHOOL),
    ("4", "Конкурс по тематике года", "когда-нибудь", "все ППО"),
    ("5", "Круглый стол", "в течение года", "Неизвестный Н. Н."),
    ("6", "", "март 2027", "председатели ППО"),
]


async def setup(h: Harness) -> dict[str, int]:
    rows = [(DISTRICT_A, SCHOOL, 54), (DISTRICT_A, GARDEN, 20), (DISTRICT_B, HOSPITAL, 300)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    await accept_invite(h, CHAIR2, code_of(chairs[GARDEN]), first_name="Ольга")
    await accept_invite(h, OTHER_CHAIR, code_of(chairs[HOSPITAL]), first_name="Пётр")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")
    async with h.session_pool() as session:
        return {o.name: o.id for o in (await session.scalars(select(Organization))).all()}


def plan_file() -> bytes:
    return build_table_xlsx("План", HEADERS, PLAN_ROWS)


async def plan_rows(h: Harness) -> list[str]:
    async with h.session_pool() as session:
        keys = (await session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id))).all()
    return [key for key in keys if key.startswith("plan-")]


async def item_ids(h: Harness) -> dict[str, int]:
    async with h.session_pool() as session:
        return {i.number: i.id for i in (await session.scalars(select(PlanItem))).all()}


def sent_to(h: Harness, chat: int, since: int, contains: str) -> list[object]:
    return [
        r
        for r in h.server.requests[since:]
        if r.method == "sendMessage" and r.chat_id == chat and contains in (r.plain_text or "")
    ]


async def test_plan_from_load_to_half_year_review(harness: Harness) -> None:
    h = harness
    ids = await setup(h)
    replies = texts(await h.upload(STAFF, plan_file(), "План на 2026-2027.xlsx", caption="/plan"))
    assert "загружен: пунктов — 3" in replies[0] and "Строк с ошибками — 3" in replies[0]
    errors = "\n".join(replies[1:])
    assert "строка 5: срок не понят («когда-нибудь»)" in errors
    assert "строка 6: ответственный не найден («Неизвестный Н. Н.»)" in errors
    assert "строка 7: не указано мероприятие" in errors
    items = await item_ids(h)

    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "Пунктов: 3 · выполнено: 0 · просрочено: 0 · впереди: 3" in progress
    assert "выполнили 0 из 2: нет — Детский сад № 2, МБОУ СОШ № 1" in progress
    assert "до 31.12.2026, Светлана" in progress and "до 31.03.2027, МБОУ СОШ № 1" in progress

    # A week before the deadline of item 1: each chair gets it, once, however often the tick runs.
    bg = background(h)
    h.clock.moment = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)  # Thursday, 10:30 in Moscow
    await calendar_tick(bg)
    await calendar_tick(bg)
    reminders = await plan_rows(h)
    assert sorted(k.rsplit(":", 2)[1:] for k in reminders) == [
        ["before7", str(CHAIR)],
        ["before7", str(CHAIR2)],
    ]
    mark = h.server.mark()
    await bg.deliverer.drain()
    [reminder] = sent_to(h, CHAIR, mark, "пункт 1. Актуализация паспортов")
    assert "Срок — 10.12.2026 (через 7 дней)" in reminder.plain_text

    # Another chair cannot mark the school's item; nor can the other district's staff.
    forged = PlanDone(item_id=items["1"], unit=ids[SCHOOL]).pack()
    for user in (CHAIR2, OTHER_CHAIR, OTHER_STAFF, STAFF):
        answers = await h.feed(h.server.callback(user, forged))
        alert = next(r for r in answers if r.method == "answerCallbackQuery")
        assert alert.params.get("text") == common.NO_RIGHTS

    # The school's chair marks it done with a file.
    question = texts(await h.tap(CHAIR, reminder, tpm.DONE_BUTTON))
    assert tpm.Q_NOTE in question[-1]
    summary = await h.upload(CHAIR, b"%PDF-1.4 protocol", "протокол.pdf")
    assert "файл протокол.pdf" in texts(summary)[-1]
    done = texts(await h.tap(CHAIR, summary[-1], "Отправить"))
    assert "Пункт 1 отмечен выполненным" in done[-1]
    again = await h.feed(h.server.callback(CHAIR, forged))
    assert next(r for r in again if r.method == "answerCallbackQuery").params.get("text") == (
        tpm.ALREADY_DONE
    )
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "выполнили 1 из 2: нет — Детский сад № 2" in progress

    # The change of a deadline is audited; the other district's staff cannot touch the item.
    refused = texts(await h.send(OTHER_STAFF, f"/planedit {items['3']} срок 15.04.2027"))
    assert refused == [tp.EDIT_NOT_FOUND]
    assert texts(await h.send(OTHER_STAFF, "/plan"))[0] == tp.NO_PLAN
    changed = texts(await h.send(STAFF, f"/planedit {items['3']} срок 15.04.2027"))
    assert "срок — теперь 15.04.2027" in changed[0]
    async with h.session_pool() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.item_change"))
        ).one()
    assert entry.before == {"item": items["3"], "deadline": "2027-03-31"}
    assert entry.after == {"item": items["3"], "deadline": "2027-04-15"}

    # The day after the deadline: one escalation to the staff listing who has not done it.
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    h.restart()  # a restart mid-way: the new process finds everything already queued
    bg = background(h)
    await calendar_tick(bg)
    late = [k for k in await plan_rows(h) if k.startswith("plan-late:")]
    assert late == [f"plan-late:{items['1']}:2026-12-10:{STAFF}"]
    mark = h.server.mark()
    await bg.deliverer.drain()
    [escalation] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "• Детский сад № 2 — Ольга" in escalation.plain_text
    assert SCHOOL not in escalation.plain_text
    before = await plan_rows(h)
    await calendar_tick(bg)
    assert await plan_rows(h) == before

    # The half-year review on the first working day of January, with its .xlsx.
    h.clock.moment = datetime(2027, 1, 11, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    await calendar_tick(bg)
    mark = h.server.mark()
    await bg.deliverer.drain()
    [review] = sent_to(h, STAFF, mark, "Полугодовое рассмотрение плана мероприятий")
    assert "Пунктов: 3 · выполнено: 0 · просрочено: 2 · впереди: 1" in review.plain_text
    assert not sent_to(h, OTHER_STAFF, mark, "Полугодовое")
    name, data = h.server.sent_files(STAFF)[-1]
    assert name == "План мероприятий 11.01.2027.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tp.REVIEW_COLUMNS
    by_unit = {(row[1], row[5]): row for row in rows[1:]}
    assert by_unit[("1", SCHOOL)][6:9] == (
        tp.STATE_DONE,
        datetime(2026, 12, 3),
        "файл протокол.pdf",
    )
    assert by_unit[("1", GARDEN)][6] == tp.STATE_OVERDUE
    assert by_unit[("2", "Светлана")][6] == tp.STATE_OVERDUE
    assert by_unit[("3", SCHOOL)][3] == datetime(2027, 4, 15)
    assert by_unit[("3", SCHOOL)][6] == tp.STATE_UPCOMING
    async with h.session_pool() as session:
        [stored] = (await session.scalars(select(PlanMark))).all()
    assert stored.file_kind == "document" and stored.done_on == date(2026, 12, 3)


async def test_done_with_a_note_and_the_staff_members_own_item(harness: Harness) -> None:
    h = harness
    ids = await setup(h)
    await h.upload(STAFF, plan_file(), "plan.xlsx", caption="/plan")
    items = await item_ids(h)
    replies = await h.feed(
        h.server.callback(CHAIR2, PlanDone(item_id=items["1"], unit=ids[GARDEN]).pack())
    )
    assert tpm.Q_NOTE in texts(replies)[-1]
    summary = await h.send(CHAIR2, "12")
    await h.tap(CHAIR2, summary[-1], "Отправить")
    replies = await h.feed(h.server.callback(STAFF, PlanDone(item_id=items["2"], unit=0).pack()))
    summary = await h.send(STAFF, "Семинар проведён 20.11, 14 председателей")
    assert "Семинар проведён" in texts(summary)[-1]
    await h.tap(STAFF, summary[-1], "Отправить")
    async with h.session_pool() as session:
        marks = {m.unit: m for m in (await session.scalars(select(PlanMark))).all()}
    assert marks[ids[GARDEN]].number == "12" and marks[0].note.startswith("Семинар")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "выполнили 1 из 2: нет — МБОУ СОШ № 1" in progress and "выполнено: 1" in progress


async def test_a_note_that_is_a_long_number_is_kept_as_its_text(harness: Harness) -> None:
    """Forty digits (an order number, say) are no count for the plan's tables: the note keeps
    them, the figure column (32 characters, which PostgreSQL holds to) stays empty."""
    h = harness
    ids = await setup(h)
    await h.upload(STAFF, plan_file(), "plan.xlsx", caption="/plan")
    items = await item_ids(h)
    await h.feed(h.server.callback(CHAIR2, PlanDone(item_id=items["1"], unit=ids[GARDEN]).pack()))
    summary = await h.send(CHAIR2, "1" * 40)
    done = texts(await h.tap(CHAIR2, summary[-1], "Отправить"))
    assert "Пункт 1 отмечен выполненным" in done[-1], done
    async with h.session_pool() as session:
        marks = (await session.scalars(select(PlanMark))).all()
    assert [(mark.note, mark.number) for mark in marks] == [("1" * 40, None)]


async def test_bad_files_and_the_sample(harness: Harness) -> None:
    h = harness
    await setup(h)
    assert texts(await h.upload(STAFF, b"not a table", "plan.xlsx", caption="/plan")) == [
        tp.NOT_XLSX
    ]
    headerless = build_table_xlsx("План", ("А", "Б"), [("1", "2")])
    assert texts(await h.upload(STAFF, headerless, "plan.xlsx", caption="/plan")) == [tp.NO_HEADER]
    replies = texts(await h.send(STAFF, "/plan шаблон"))
    assert replies == [tp.TEMPLATE_CAPTION]
    name, data = h.server.sent_files(STAFF)[-1]
    assert name == tp.TEMPLATE_FILENAME
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert next(sheet.iter_rows(values_only=True)) == tp.TEMPLATE_HEADERS
    assert common.NOT_YOUR_COMMAND in texts(await h.send(CHAIR, "/plan"))
    # An admin oversees every district: the caption names the one the plan is for.
    asked = texts(await h.upload(ADMIN, plan_file(), "plan.xlsx", caption="/plan"))
    assert asked[0].startswith("Вы ведёте несколько организаций") and DISTRICT_B in asked[0]
    loaded = texts(await h.upload(ADMIN, plan_file(), "plan.xlsx", caption="/plan Кировская"))
    assert "загружен: пунктов — 3" in loaded[0]


async def test_staff_add_one_item_in_the_chat(harness: Harness) -> None:
    h = harness
    await setup(h)
    first = texts(await h.send(STAFF, "/planitem"))
    assert tp.Q_ITEM_TEXT in first[-1]
    await h.send(STAFF, "Собрание <актива> & отчёт")
    assert "не понят" in texts(await h.send(STAFF, "когда-нибудь"))[-1]
    await h.send(STAFF, "II квартал 2027")
    summary = await h.send(STAFF, "Неизвестная ППО")
    assert "ответственный не найден" in texts(summary)[-1]
    assert "Собрание <актива> & отчёт" in texts(summary)[-1]
    assert tp.ITEM_FIX_HINT in texts(summary)[-1]
    resumed = texts(await h.send(STAFF, "/planitem"))  # the open draft is resumed, not lost
    assert "ответственный не найден" in resumed[-1]
    edit_menu = await h.tap(STAFF, summary[-1], "Исправить поле")
    await h.tap(STAFF, edit_menu[-1], tp.L_ITEM_RESPONSIBLE)
    summary = await h.send(STAFF, GARDEN)
    assert "ответственный не найден" not in texts(summary)[-1]
    added = texts(await h.tap(STAFF, summary[-1], "Отправить"))
    assert "Пункт 1 добавлен в план «План мероприятий»" in added[-1]
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "Собрание &lt;актива&gt; &amp; отчёт" not in progress
    assert "Собрание <актива> & отчёт — до 30.06.2027, Детский сад № 2" in progress
    assert common.NOT_YOUR_COMMAND in texts(await h.send(CHAIR, "/planitem"))


async def test_an_item_is_not_given_to_a_ppo_that_left_the_scope_while_it_was_typed(
    harness: Harness,
) -> None:
    """The kindergarten archived between the summary and «Отправить»: nothing is stored, the
    responsible is asked again, the item's text and deadline kept; another ППО named, it is
    added (before, the draft was dropped: «Начните заново»)."""
    h = harness
    ids = await setup(h)
    await h.send(STAFF, "/planitem")
    await h.send(STAFF, "Семинар председателей")
    await h.send(STAFF, "II квартал 2027")
    summary = await h.send(STAFF, GARDEN)
    async with h.session_pool() as session, session.begin():
        garden = await session.get(Organization, ids[GARDEN])
        assert garden is not None
        garden.archived_at = h.clock.now()

    said = texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]

    assert "ответственный не найден" in said and tp.Q_ITEM_RESPONSIBLE in said, said
    async with h.session_pool() as session:
        assert (await session.scalars(select(PlanItem))).all() == []
    summary = await h.send(STAFF, SCHOOL)
    assert "Семинар председателей" in texts(summary)[-1], texts(summary)
    assert "Пункт 1 добавлен" in texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    async with h.session_pool() as session:
        item = (await session.scalars(select(PlanItem))).one()
    assert (item.text, item.org_id) == ("Семинар председателей", ids[SCHOOL])


async def test_an_item_added_in_the_chat_takes_a_number_the_plan_has_not(
    harness: Harness,
) -> None:
    """The file's row 2 was refused, so the plan holds items «1» and «3»: the item added with
    /planitem is «4», not a second «3» (count + 1)."""
    h = harness
    await setup(h)
    rows = [
        PLAN_ROWS[0],
        ("2", "Конкурс по тематике года", "когда-нибудь", "все ППО"),
        PLAN_ROWS[2],
    ]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    await h.send(STAFF, "/planitem")
    await h.send(STAFF, "Собрание актива")
    await h.send(STAFF, "II квартал 2027")
    summary = await h.send(STAFF, SCHOOL)
    assert "Пункт 4 добавлен" in texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    async with h.session_pool() as session:
        numbers = (await session.scalars(select(PlanItem.number).order_by(PlanItem.id))).all()
    assert numbers == ["1", "3", "4"]


def test_a_row_without_a_number_never_repeats_one_the_file_gives() -> None:
    rows = [
        ("1", "Актуализация паспортов", "10.12.2026", "все ППО"),
        ("", "Семинар председателей", "декабрь 2026", "все ППО"),
        ("2", "Круглый стол", "март 2027", "все ППО"),
        ("", "Конкурс", "март 2027", "все ППО"),
    ]
    data = build_table_xlsx("План", HEADERS, rows)
    table = parse_plan(data, "plan.xlsx", Directory(ppos=[], staff=[]), date(2026, 11, 21))
    assert [row.number for row in table.rows] == ["1", "3", "2", "4"]


def test_the_next_number_is_one_past_the_largest_whole_one() -> None:
    """A file's sub-items («2.1», «3а») and a number typed «5.» are read as the file wrote them."""
    assert next_number([]) == "1"
    assert next_number(["1", "2.1", "3а", "5.", "IV"]) == "6"


async def test_a_command_whose_district_is_picked_keeps_all_its_words(harness: Harness) -> None:
    """An admin oversees both districts: after the pick, «/planedit N срок 31 декабря 2027»
    sets 31.12.2027, not the start of the words a button's data could hold."""
    h = harness
    await setup(h)
    await h.upload(STAFF, plan_file(), "plan.xlsx", caption="/plan")
    async with h.session_pool() as session:
        item = (await session.scalars(select(PlanItem.id).order_by(PlanItem.id))).first()
    choice = await h.send(ADMIN, f"/planedit {item} срок 31 декабря 2027")
    replies = await h.tap(ADMIN, choice[-1], "Кировская районная организация")
    async with h.session_pool() as session:
        stored = await session.get(PlanItem, item)
        assert stored is not None and stored.deadline == date(2027, 12, 31), texts(replies)
