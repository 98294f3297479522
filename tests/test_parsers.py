"""Parsers for what chairs type: dates the Russian way, texts, links, phones, yes/no."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest

from bot.domain.org_admin import RENAME
from bot.forms.engine import InvalidAnswer, ParseEnv
from bot.forms.event import EVENT, MIXED, ONLINE
from bot.forms.parsers import (
    date_ahead,
    date_held,
    date_range,
    link,
    phone,
    show_date_range,
    text,
    yes_no,
)
from bot.forms.passport import PASSPORT
from bot.forms.registry import FORMS
from bot.texts import events as te
from bot.texts import forms

ENV = ParseEnv(today=date(2026, 11, 21))


def dates(raw: str, env: ParseEnv = ENV) -> tuple[str, str]:
    value = date_range(raw, env)
    return value["from"], value["to"]


def test_a_name_pasted_over_two_lines_is_one_line() -> None:
    """A new organization name or a chair's full name pasted with a line break is one line
    (in the tree, the cards and the tables); a description keeps its lines."""
    assert RENAME.field("name").parse("МБОУ СОШ\n№ 1 ", ENV) == "МБОУ СОШ № 1"
    assert PASSPORT.field("chair_full_name").parse("Иванова\nМария", ENV) == "Иванова Мария"
    assert text(maximum=300)("Первая строка\nвторая", ENV) == "Первая строка\nвторая"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("21.11.2026", ("2026-11-21", "2026-11-21")),
        ("21.11", ("2026-11-21", "2026-11-21")),
        ("1.3.26", ("2026-03-01", "2026-03-01")),
        ("19–21.11.2026", ("2026-11-19", "2026-11-21")),
        ("19-21.11", ("2026-11-19", "2026-11-21")),
        ("19 — 21.11.2026", ("2026-11-19", "2026-11-21")),
        ("30.11–02.12.2026", ("2026-11-30", "2026-12-02")),
        ("сегодня", ("2026-11-21", "2026-11-21")),
        ("Вчера", ("2026-11-20", "2026-11-20")),
        ("today", ("2026-11-21", "2026-11-21")),
        ("21,11,2026", ("2026-11-21", "2026-11-21")),
        ("21.11.2026 г.", ("2026-11-21", "2026-11-21")),
        ("19–21.11.2026г", ("2026-11-19", "2026-11-21")),
        ("21.11.26 года", ("2026-11-21", "2026-11-21")),
        ("21.11.", ("2026-11-21", "2026-11-21")),
    ],
)
def test_dates_typed_the_russian_way(raw: str, expected: tuple[str, str]) -> None:
    assert dates(raw) == expected


def test_day_and_month_in_january_mean_last_december() -> None:
    assert dates("28.12", ParseEnv(today=date(2027, 1, 10))) == ("2026-12-28", "2026-12-28")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("31.02.2026", "Такой даты нет: 31.02.2026"),
        ("32.01", "Такой даты нет"),
        ("завтра утром", "Не понял дату"),
        ("21/11/2026/1", "Не понял дату"),
        ("25–21.11.2026", "позже даты окончания"),
        ("01.01–30.06.2026", "дольше 60 дней"),
        ("", "Не понял дату"),
    ],
)
def test_bad_dates_are_explained(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        date_range(raw, ENV)
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "raw", ["01.12.9999–02.12.9999", "1–2.12.9999", "29.12.9999–09.01", "31.12.9999"]
)
def test_dates_at_the_calendars_end_are_answered_not_crashed(raw: str) -> None:
    """The last year a date can have: the range's New-Year arithmetic («29.12–09.01» ends in
    next January) must not run past it and crash the form with the generic error."""
    with contextlib.suppress(InvalidAnswer):
        date_range(raw, ENV)


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("19.11.1926", "1926"),
        ("31.12.1999", "1999"),
        ("19.11.99", "2099"),
        ("01.12.9999–02.12.9999", "9999"),
        ("30.12.1925–02.01.1926", "1926"),
        ("1–2.01.2028", "2028"),
    ],
)
def test_an_event_year_typed_wrong_is_refused_by_name(raw: str, year: str) -> None:
    """«19.11.1926» for 2026: an event before 2000 or after next year would be stored where
    /events cannot open it again; the chair is told the year to check instead."""
    with pytest.raises(InvalidAnswer) as error:
        date_range(raw, ENV)
    assert f"Проверьте год: {year}" in str(error.value)


def test_an_event_may_be_dated_from_2000_to_next_year() -> None:
    assert dates("01.01.2000") == ("2000-01-01", "2000-01-01")
    assert dates("15–16.01.2027") == ("2027-01-15", "2027-01-16")
    assert date_ahead("31.12.2031", ENV) == "2031-12-31"  # an agreement's end: years ahead


def test_date_range_display() -> None:
    assert show_date_range({"from": "2026-11-19", "to": "2026-11-21"}) == "19–21.11.2026"
    assert show_date_range({"from": "2026-11-30", "to": "2026-12-02"}) == "30.11.2026–02.12.2026"
    assert show_date_range({"from": "2026-11-21", "to": "2026-11-21"}) == "21.11.2026"


def test_a_question_for_one_day_does_not_offer_ranges_or_buttons() -> None:
    """«/pause 12.2026» or an agreement's end: the examples are of one day, without the
    «Сегодня»/«Вчера» buttons only the event's date question has."""
    with pytest.raises(InvalidAnswer) as one:
        date_ahead("12.2026", ENV)
    assert str(one.value) == forms.ONE_DATE_FORMAT
    with pytest.raises(InvalidAnswer) as span:
        date_range("на днях", ENV)
    assert str(span.value) == forms.DATE_FORMAT


def test_date_ahead_rejects_impossible_day() -> None:
    assert date_ahead("31.12.2027", ENV) == "2027-12-31"
    with pytest.raises(InvalidAnswer):
        date_ahead("29.02.2027", ENV)


def test_text_bounds_and_ten_kilobytes() -> None:
    parse = text(maximum=300, minimum=3)
    assert parse("  Охрана   труда  ", ENV) == "Охрана труда"
    with pytest.raises(InvalidAnswer) as error:
        parse("я" * 10_240, ENV)
    assert "10240 символов" in str(error.value) and "не больше 300" in str(error.value)
    with pytest.raises(InvalidAnswer):
        parse("ab", ENV)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("school1.ru/profsoyuz", "https://school1.ru/profsoyuz"),
        ("https://vk.com/profkom_school1", "https://vk.com/profkom_school1"),
        ("http://сош1.рф/профсоюз", "http://сош1.рф/профсоюз"),
    ],
)
def test_links_checked_for_form(raw: str, expected: str) -> None:
    assert link(raw, ENV) == expected


def test_a_link_copied_with_its_label_is_its_address() -> None:
    assert link("[ВК](https://vk.com/club1)", ENV) == "https://vk.com/club1"


@pytest.mark.parametrize(
    "raw",
    ["нет сайта", "vk", "https://", "http://localhost", "a.b", "[vk.com", "https://vk.com]"],
)
def test_not_links_are_refused(raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        link(raw, ENV)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 900 123-45-67", "+79001234567"),
        ("8 (863) 123-45-67", "+78631234567"),
        ("9001234567", "+79001234567"),
    ],
)
def test_phones(raw: str, expected: str) -> None:
    assert phone(raw, ENV) == expected


@pytest.mark.parametrize("raw", ["123", "телефон", "+1 555 123 4567"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        phone(raw, ENV)


def test_yes_no_words_and_buttons() -> None:
    assert yes_no("Да", ENV) is True and yes_no("no", ENV) is False
    with pytest.raises(InvalidAnswer):
        yes_no("может быть", ENV)


@pytest.mark.parametrize(
    ("step", "raw", "fragment"),
    [
        ("participants", "0", "не меньше 1"),
        ("participants", "много", "целое число"),
        ("participants", "100001", "не больше 100 000"),
        ("kind", "пикник", "кнопкой"),
        ("direction", "спорт", "кнопкой"),
        ("photos", "вот фото", "фотография"),
    ],
)
def test_event_rules(step: str, raw: str, fragment: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        EVENT.answer(step, raw, {}, ENV)
    assert fragment in str(error.value)


def test_event_kind_typed_as_words_and_online_place() -> None:
    assert EVENT.answer("kind", "семинар", {}, ENV)["kind"] == "seminar"
    answers = EVENT.answer("place", "Онлайн", {}, ENV)
    assert answers["place"] == ONLINE
    assert EVENT.next_step("place", answers) == "views"
    offline = EVENT.answer("place", "Актовый зал школы № 1", {}, ENV)
    assert EVENT.next_step("place", offline) == "participants"


def test_a_stream_only_watched_has_no_participants_and_nothing_else_may() -> None:
    """Seed 003 counts those who took part (in the hall, in Zoom) apart from the stream's
    connections: an online event watched by 250 and joined by nobody is 0 participants."""
    watched = {"place": ONLINE, "views": 250}
    assert EVENT.answer("participants", "0", watched, ENV)["participants"] == 0
    for answers in ({"place": ONLINE}, {"place": MIXED, "views": 250}, {"place": "Зал"}):
        with pytest.raises(InvalidAnswer) as error:
            EVENT.answer("participants", "0", answers, ENV)
        assert str(error.value) == te.NOBODY_TOOK_PART
    answered = {**watched, "participants": 0}
    for step, raw in (("place", "Актовый зал"), ("views", "0")):  # changed at the summary
        with pytest.raises(InvalidAnswer) as error:
            EVENT.answer(step, raw, answered, ENV)
        assert str(error.value) == te.NOBODY_TOOK_PART
    assert EVENT.answer("views", "300", answered, ENV)["views"] == 300


def test_other_kind_asks_for_its_name() -> None:
    answers = EVENT.answer("kind", "other", {}, ENV)
    assert EVENT.next_step("kind", answers) == "kind_other"
    assert EVENT.next_step("kind", {"kind": "seminar"}) == "topic"


def test_photos_limit() -> None:
    answers: dict = {}
    for number in range(5):
        answers = EVENT.add_photo("photos", f"file{number}", answers)
    assert len(answers["photos"]) == 5
    with pytest.raises(InvalidAnswer):
        EVENT.add_photo("photos", "file5", answers)


HOSTILE = [
    "[vk.com",
    "http://ex[a].com",
    "https://vk.com:99999999",
    "²",
    "①",
    "٣",
    "-0",
    "1e400",
    "9" * 400,
    "31.02.2026",
    "00.00",
    "29.02",
    "1–0.13",
    "\x00",
    "<b>&amp;</b>",
    "\u202e",
    "🙂" * 10,
    " ",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_every_question_refuses_odd_text_in_words(raw: str) -> None:
    """Whatever is typed, each question of every registered form either takes it or says why
    (InvalidAnswer); anything else would reach the chair as a generic error."""
    for form in FORMS:
        for field in form.spec.fields:
            with contextlib.suppress(InvalidAnswer):
                field.parse(raw, ENV)


def test_a_day_ahead_with_a_year_word_and_a_full_stop() -> None:
    assert date_ahead("10.01.2027 г.", ENV) == "2027-01-10"
    assert date_ahead("10.01.", ENV) == "2027-01-10"


def test_a_day_ahead_typed_without_a_year_is_the_next_such_day() -> None:
    """«10.01» typed on 20 December is a pause, deadline or agreement end in January next
    (it was taken for last January and refused as past); a day held keeps the past guess."""
    december = ParseEnv(today=date(2026, 12, 20))
    assert date_ahead("10.01", december) == "2027-01-10"
    assert date_ahead("20.12", december) == "2026-12-20"  # today is ahead enough
    assert date_ahead("31.03", ParseEnv(today=date(2026, 11, 21))) == "2027-03-31"
    assert date_ahead("10.01.2026", december) == "2026-01-10"  # a year typed is a year
    assert date_range("19.12", december) == {"from": "2026-12-19", "to": "2026-12-19"}
    assert date_range("21.11", ParseEnv(today=date(2027, 1, 12)))["from"] == "2026-11-21"


def test_a_day_held_is_the_latest_such_day_and_never_ahead() -> None:
    """The public report's day (seed 002 item 26): given already, so never a day to come."""
    assert date_held("15.03", ENV) == "2026-03-15"
    assert date_held("30.12", ENV) == "2025-12-30"  # typed in November: last December
    assert date_held("21.11.2026 г.", ENV) == "2026-11-21"
    with pytest.raises(InvalidAnswer) as ahead:
        date_held("01.12.2026", ENV)
    assert str(ahead.value) == forms.DATE_NOT_COME
    with pytest.raises(InvalidAnswer) as early:
        date_held("01.03.1999", ENV)
    assert str(early.value) == forms.date_before(2000)
    with pytest.raises(InvalidAnswer):
        date_held("в марте", ENV)
