"""Odd input gets the form's own message, never «Что-то пошло не так»: numbers that only look
like digits, names already taken, an event deleted under a correction, a second /start, a
deadline in the year 9999."""

from __future__ import annotations

from datetime import date

import pytest
from aiogram.filters.callback_data import CallbackData
from sqlalchemy import func, select

from bot.domain.org_list import parse_org_table
from bot.forms.engine import InvalidAnswer, ParseEnv
from bot.forms.parsers import RECORD_NUMBER_MAX, deadline, phone, typed_int, whole_number
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import admin as ta
from bot.texts import chair as tch
from bot.texts import common
from bot.texts import event_report as tev
from bot.texts import events as te
from bot.texts import forms as tf
from bot.texts import plans as tp
from bot.texts import staff as ts
from handlers import callbacks
from handlers.callbacks import EventAction, EventCb, OrgAction, OrgCb
from harness import ADMIN, Harness, last_message, texts
from scenarios import CHAIR, accept_invite, code_of, invite_links, join
from storage.models import Event, Organization
from test_staff_tools import STAFF, district_with_staff

ENV = ParseEnv(today=date(2026, 11, 21))
LOOK_LIKE_DIGITS = ["5²", "①", "٣", "１２", "12³", "²"]


@pytest.mark.parametrize("raw", LOOK_LIKE_DIGITS)
def test_digit_lookalikes_get_the_usual_refusal(raw: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        whole_number()(raw, ENV)
    assert str(refused.value) == tf.NOT_A_NUMBER
    assert typed_int(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1 234", 1234), ("1\u00a0234", 1234), ("1\u2009234", 1234), ("1\u202f234", 1234)],
)
def test_spaces_of_every_kind_separate_thousands(raw: str, value: int) -> None:
    assert whole_number()(raw, ENV) == value
    assert typed_int(raw) == value


def test_phone_with_lookalike_digits_is_refused() -> None:
    with pytest.raises(InvalidAnswer):
        phone("+7 ９００ 123-45-67", ENV)
    assert phone("8 (900) 123-45-67", ENV) == "+79001234567"


def test_import_cells_take_ascii_numbers_only() -> None:
    rows = [("Район", "Школа № 1", "1\u00a0234"), ("Район", "Школа № 2", "٣٠")]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    table = parse_org_table(data, "list.xlsx")
    assert [(r.organization, r.workers) for r in table.rows] == [("Школа № 1", 1234)]
    assert [e.row_number for e in table.errors] == [3]


def test_an_invisible_organization_name_is_an_empty_one() -> None:
    rows = [("Район", "\u200b"), ("Район", "Школа\u200b № 1\ufeff")]
    table = parse_org_table(build_table_xlsx("ППО", ("Район", "Организация"), rows), "a.xlsx")
    assert [r.organization for r in table.rows] == ["Школа № 1"]
    assert [e.row_number for e in table.errors] == [2]


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        ("21.11.2026", True),
        ("21.11.2027", True),
        ("22.11.2027", False),
        ("31.12.9999", False),
        ("20.11.2026", False),
    ],
)
def test_deadline_is_today_to_a_year_ahead(raw: str, accepted: bool) -> None:
    if accepted:
        assert deadline(raw, ENV) == date(int(raw[-4:]), 11, 21).isoformat()
        return
    with pytest.raises(InvalidAnswer) as refused:
        deadline(raw, ENV)
    assert str(refused.value) in {tf.DEADLINE_PAST, tf.deadline_too_far("21.11.2027")}


async def test_chair_typing_lookalike_digits_is_told_and_goes_on(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    for raw in LOOK_LIKE_DIGITS:
        replies = texts(await harness.send(CHAIR, raw))
        assert common.ERROR not in replies
        assert tf.NOT_A_NUMBER in replies[0]
    assert "членов" in texts(await harness.send(CHAIR, "5 4"))[0].casefold()


@pytest.mark.parametrize("command", ["/invite ①", "/invite 5²", "/audit ٣", "/audit @５"])
async def test_admin_commands_with_lookalike_numbers(harness: Harness, command: str) -> None:
    replies = texts(await harness.send(ADMIN, command))
    assert replies and replies[0] in {ta.INVITE_USAGE, ts.AUDIT_USAGE}


HUGE = "9" * 40


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (f"/invite {HUGE}", ta.INVITE_USAGE),
        (f"/forget @{HUGE}", ta.FORGET_USAGE),
        (f"/audit {HUGE}", ts.AUDIT_USAGE),
        (f"/audit @{HUGE}", ts.AUDIT_USAGE),
    ],
)
async def test_a_number_too_long_for_any_record_gets_the_usage(
    harness: Harness, command: str, usage: str
) -> None:
    """Past a database integer a number names nothing; the database is not even asked (it
    would refuse the number and the admin would get «Что-то пошло не так»)."""
    assert texts(await harness.send(ADMIN, command)) == [usage]


def test_every_id_a_button_carries_is_bounded_like_a_record_number() -> None:
    """A forged button's id past the database's integers fails to unpack (the tap is then
    answered as an unknown button) in every callback class, not only the ones tried below."""
    classes = [
        cls
        for cls in vars(callbacks).values()
        if isinstance(cls, type) and issubclass(cls, CallbackData) and cls is not CallbackData
    ]
    unbounded = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.model_fields.items()
        if field.annotation is int
        and not any(getattr(rule, "le", None) == RECORD_NUMBER_MAX for rule in field.metadata)
    ]
    assert classes and unbounded == []


@pytest.mark.parametrize("number", [RECORD_NUMBER_MAX + 1, 2**40, -1])
async def test_a_button_with_a_number_past_any_record_is_refused(
    harness: Harness, number: int
) -> None:
    """A forged or garbled button: the tap gets the unknown button's answer, not «Что-то пошло
    не так» (PostgreSQL refuses a parameter past int32)."""
    data = f"{OrgCb.__prefix__}:{number}:{OrgAction.OPEN.value}:0"
    replies = await harness.feed(harness.server.callback(ADMIN, data))
    answers = [r.params.get("text") for r in replies if r.method == "answerCallbackQuery"]
    assert answers == [common.NO_RIGHTS]
    assert texts(replies) == []


async def test_staff_commands_with_a_huge_number_or_a_pasted_page(harness: Harness) -> None:
    await district_with_staff(harness)
    assert texts(await harness.send(STAFF, f"/showevent {HUGE}")) == [tev.SHOW_USAGE]
    assert texts(await harness.send(STAFF, f"/planedit {HUGE} срок 30.04.2027")) == [
        tp.EDIT_NOT_FOUND
    ]
    page = "Я" * 4000
    [reply] = texts(await harness.send(STAFF, f"/trends {page}"))
    assert "не нашлось" in reply and "Я" * 39 + "…" in reply and len(reply) < 400


async def _two_districts(h: Harness) -> dict[tuple[str, str], int]:
    rows = [("Район А", "Школа № 1", 10), ("Район А", "Школа № 2", 10), ("Район Б", "Школа № 1", 5)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    async with h.session_pool() as session:
        everything = (await session.scalars(select(Organization))).all()
        by_id = {org.id: org for org in everything}
        return {
            (by_id[org.parent_id].name if org.parent_id else "", org.name): org.id
            for org in everything
        }


def _named(ids: dict[tuple[str, str], int], name: str) -> int:
    return next(org_id for (_, org_name), org_id in ids.items() if org_name == name)


async def _names(h: Harness) -> list[tuple[int, str, int | None]]:
    async with h.session_pool() as session:
        rows = await session.execute(
            select(Organization.id, Organization.name, Organization.parent_id)
        )
        return sorted(tuple(row) for row in rows.all())


async def test_rename_onto_an_existing_name_is_refused_clearly(harness: Harness) -> None:
    ids = await _two_districts(harness)
    second = ids[("Район А", "Школа № 2")]
    await harness.feed(
        harness.server.callback(ADMIN, OrgCb(org_id=second, action=OrgAction.RENAME).pack())
    )
    summary = last_message(await harness.send(ADMIN, "школа №1"))
    before = await _names(harness)
    replies = texts(await harness.tap(ADMIN, summary, tf.BTN_CONFIRM))
    assert replies == [ta.name_taken("школа №1", ids[("Район А", "Школа № 1")])]
    assert await _names(harness) == before
    # Another name in the same place is fine.
    await harness.feed(
        harness.server.callback(ADMIN, OrgCb(org_id=second, action=OrgAction.RENAME).pack())
    )
    summary = last_message(await harness.send(ADMIN, "Школа № 3"))
    assert "Переименовано" in texts(await harness.tap(ADMIN, summary, tf.BTN_CONFIRM))[0]


async def test_move_onto_a_namesake_is_refused_clearly(harness: Harness) -> None:
    ids = await _two_districts(harness)
    school_b = ids[("Район Б", "Школа № 1")]
    before = await _names(harness)
    data = OrgCb(org_id=school_b, action=OrgAction.MOVE_TO, target=_named(ids, "Район А")).pack()
    replies = texts(await harness.feed(harness.server.callback(ADMIN, data)))
    assert replies == [ta.move_name_taken("Школа № 1", "Район А", ids[("Район А", "Школа № 1")])]
    assert await _names(harness) == before


async def _file_event(h: Harness) -> int:
    question = last_message(await h.send(CHAIR, "/event"))
    await h.tap(CHAIR, question, "Семинар-совещание")
    await h.send(CHAIR, "Охрана труда")
    await h.send(CHAIR, "19.11.2026")
    await h.send(CHAIR, "Актовый зал")
    question = last_message(await h.send(CHAIR, "30"))
    question = last_message(await h.tap(CHAIR, question, "Обучение"))
    await h.tap(CHAIR, question, "Пропустить")
    summary = last_message(await h.send(CHAIR, "Разобрали новые правила."))
    await h.tap(CHAIR, summary, tf.BTN_CONFIRM)
    async with h.session_pool() as session:
        return (await session.scalars(select(Event.id))).one()


async def test_correcting_an_event_deleted_meanwhile(harness: Harness) -> None:
    await join(harness)
    event_id = await _file_event(harness)
    correct = EventCb(action=EventAction.CORRECT, event_id=event_id).pack()
    summary = last_message(await harness.feed(harness.server.callback(CHAIR, correct)))
    delete = EventCb(action=EventAction.DELETE_YES, event_id=event_id).pack()
    await harness.feed(harness.server.callback(CHAIR, delete))
    replies = texts(await harness.tap(CHAIR, summary, tf.BTN_CONFIRM))
    assert replies == [te.correction_of_deleted(event_id)]
    async with harness.session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 1
        event = await session.get(Event, event_id)
        assert event is not None and event.deleted_at is not None
    again = await harness.feed(harness.server.callback(CHAIR, delete))
    alerts = [r.params.get("text") for r in again if r.method == "answerCallbackQuery"]
    assert alerts == [te.NOT_FOUND]


async def test_second_start_by_the_same_chair(harness: Harness) -> None:
    await join(harness)
    links = await invite_links(harness)
    async with harness.session_pool() as session:
        school = (
            await session.scalars(
                select(Organization.id).where(Organization.name == "МБОУ СОШ № 1")
            )
        ).one()
    own = texts(await harness.send(CHAIR, "/start " + _used_code(harness)))
    assert own == [tch.already_joined("председатель ППО", "МБОУ СОШ № 1")]
    # Someone else's code, already used: told it is spent, and where to go on.
    other = code_of(links["МБДОУ детский сад «Солнышко»"])
    await accept_invite(harness, 502, other)
    assert texts(await harness.send(CHAIR, f"/start {other}")) == [tch.INVITE_USED]
    # An expired one.
    fresh = texts(await harness.send(ADMIN, f"/invite {school}"))[0]
    code = fresh.split("?start=", 1)[1].split()[0]
    harness.clock.advance(days=31)  # type: ignore[attr-defined]
    assert texts(await harness.send(CHAIR, f"/start {code}")) == [tch.INVITE_EXPIRED]


def _used_code(h: Harness) -> str:
    """The code the chair joined with, read back from the update the test sent."""
    for update in reversed(h.server.updates):
        text = update.get("message", {}).get("text", "")
        if update.get("message", {}).get("from", {}).get("id") == CHAIR and text.startswith(
            "/start "
        ):
            return str(text.split(maxsplit=1)[1])
    raise AssertionError("the chair never sent /start <code>")
