"""The form engine walks fields as data: order, conditions, back, skip and cross-field rules."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.district_event_move import MOVE
from bot.domain.district_events import still_ahead
from bot.forms import shortcut
from bot.forms.engine import SUMMARY, Answers, Field, FormSpec, InvalidAnswer, ParseEnv, Rule
from bot.forms.event import EVENT, ONLINE
from bot.forms.fields import asked_when, yes_or_no
from bot.forms.membership import MEMBERSHIP
from bot.forms.parsers import deadline, show_date, whole_number
from bot.forms.passport import PASSPORT
from bot.forms.registry import form_named
from bot.texts import events as te
from bot.texts import forms as tf

ENV = ParseEnv(today=date(2026, 11, 21))


def test_walks_every_field_then_summary() -> None:
    answers: dict[str, object] = {}
    step = MEMBERSHIP.first_step(answers)
    seen = []
    values = {
        "workers": "100",
        "members": "80",
        "youth_workers": "20",
        "youth_members": "10",
        "managers": "5",
        "managers_members": "4",
        "joined": "3",
        "left": "1",
        "retired": "2",
    }
    while step != SUMMARY:
        seen.append(step)
        answers = MEMBERSHIP.answer(step, values[step], answers, ENV)
        step = MEMBERSHIP.next_step(step, answers)
    assert seen == list(values)
    assert MEMBERSHIP.missing_required(answers) == []


def test_skipping_youth_workers_hides_youth_members() -> None:
    answers = {"workers": 100, "members": 80}
    answers = MEMBERSHIP.skip("youth_workers", answers)
    assert MEMBERSHIP.next_step("youth_workers", answers) == "managers"
    assert MEMBERSHIP.previous_step("managers", answers) == "youth_workers"


def test_back_from_summary_lands_on_last_applicable_question() -> None:
    assert MEMBERSHIP.previous_step(SUMMARY, {"workers": 1, "members": 1}) == "retired"
    assert MEMBERSHIP.previous_step("workers", {}) is None


def test_required_field_cannot_be_skipped() -> None:
    with pytest.raises(InvalidAnswer):
        MEMBERSHIP.skip("members", {"workers": 10})


def _nothing_without_a_note(answers: Answers) -> str | None:
    return "нужна заметка" if answers["count"] == 0 and answers["note"] is None else None


NOTED = FormSpec(
    name="noted",
    title="Проба",
    fields=(
        Field("note", "Заметка", "Заметка?", whole_number(), optional=True),
        Field("count", "Число", "Число?", whole_number(minimum=0)),
    ),
    rules=(Rule(("note", "count"), _nothing_without_a_note),),
)


def test_a_skip_runs_the_rules_that_read_the_question_with_it_blank() -> None:
    """A rule reading an optional question runs when it is skipped, seeing None, and when
    the other question is answered after the skip; a refused skip keeps the answer."""
    noted = {"note": 5, "count": 0}
    with pytest.raises(InvalidAnswer) as error:
        NOTED.skip("note", noted)
    assert str(error.value) == "нужна заметка"
    assert NOTED.skip("note", {"note": 5, "count": 3}) == {"note": None, "count": 3}
    skipped = NOTED.skip("note", {})
    with pytest.raises(InvalidAnswer):
        NOTED.answer("count", "0", skipped, ENV)
    assert NOTED.answer("count", "0", {"note": 1}, ENV)["count"] == 0
    with pytest.raises(InvalidAnswer) as error:
        NOTED.skip("count", noted)
    assert str(error.value) == tf.CANNOT_SKIP


def test_skipping_the_views_of_a_stream_nobody_joined_is_refused() -> None:
    """0 participants stand for a stream only watched: its views may not be left blank."""
    watched = {"place": ONLINE, "views": 250, "participants": 0}
    with pytest.raises(InvalidAnswer) as error:
        EVENT.skip("views", watched)
    assert str(error.value) == te.NOBODY_TOOK_PART
    assert EVENT.skip("views", {**watched, "participants": 4})["views"] is None


def test_every_optional_membership_count_may_be_skipped_beside_its_rules() -> None:
    """The membership rules read optional counts: a skipped one bounds and exceeds nothing."""
    answers = {"workers": 100, "members": 80, "youth_workers": 20, "youth_members": 10}
    answers |= {"managers": 5, "managers_members": 4, "left": 2, "left_reasons": [1, 1, 0, 0]}
    for name in ("youth_members", "managers_members", "left_reasons", "youth_workers", "left"):
        answers = MEMBERSHIP.skip(name, answers)
        assert answers[name] is None
    assert MEMBERSHIP.answer("workers", "90", answers, ENV)["workers"] == 90


def test_a_hidden_answer_does_not_bound_the_others() -> None:
    """Young workers skipped at the summary hide «из них членов» (10 kept in the draft, never
    stored): members lowered to 5 are taken, not refused as fewer than those 10."""
    answers = {"workers": 100, "members": 50, "youth_workers": 20, "youth_members": 10}
    answers = MEMBERSHIP.skip("youth_workers", answers)
    answers = MEMBERSHIP.answer("members", "5", answers, ENV)
    assert answers["members"] == 5 and MEMBERSHIP.broken_rule(answers) is None


@pytest.mark.parametrize(
    ("step", "raw", "answers", "fragment"),
    [
        ("members", "120", {"workers": 100}, "не может быть больше, чем работников"),
        ("youth_workers", "101", {"workers": 100, "members": 50}, "до 35 лет (101)"),
        ("youth_members", "21", {"workers": 100, "members": 50, "youth_workers": 20}, "(21)"),
        (
            "youth_members",
            "51",
            {"workers": 100, "members": 50, "youth_workers": 80},
            "всех членов",
        ),
        ("managers_members", "6", {"workers": 100, "members": 50, "managers": 5}, "руководителей"),
        ("workers", "0", {}, "не меньше 1"),
        ("members", "abc", {"workers": 10}, "целое число"),
        ("members", "7,5", {"workers": 10}, "без дробной"),
        ("members", "-3", {"workers": 10}, "отрицательным"),
        ("members", "100001", {"workers": 10}, "не больше 100 000"),
        ("members", "   ", {"workers": 10}, "пустой"),
    ],
)
def test_bad_answers_are_explained(step: str, raw: str, answers: dict, fragment: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        MEMBERSHIP.answer(step, raw, answers, ENV)
    assert fragment in str(error.value)


def test_editing_workers_below_members_is_refused() -> None:
    answers = {"workers": 100, "members": 90}
    with pytest.raises(InvalidAnswer):
        MEMBERSHIP.answer("workers", "80", answers, ENV)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1 234", 1234),
        ("25 чел.", 25),
        ("0", 0),
        (" 7 ", 7),
        ("1\u00a0000", 1000),
        ("12 человек", 12),
        ("54.", 54),  # a phone's double space ends the sentence
    ],
)
def test_counts_typed_the_way_people_type(raw: str, value: int) -> None:
    assert whole_number()(raw, ENV) == value


@pytest.mark.parametrize(
    ("raw", "value"), [("1.200", 1200), ("12.500", 12_500), ("1.234.567", 1_234_567)]
)
def test_thousands_written_with_a_dot_are_a_whole_number(raw: str, value: int) -> None:
    """Many write thousands with a dot as with a space: «1.200» is no fraction they meant."""
    assert whole_number(maximum=10_000_000)(raw, ENV) == value


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1.5", "без дробной"),
        ("1.20", "без дробной"),
        ("1,200", "без дробной"),
        ("0.500", "без дробной"),
        ("1.2000", "без дробной"),
        ("-1.200", "отрицательным"),
        ("100.001", "не больше 100 000"),
    ],
)
def test_a_dot_that_is_not_thousands_or_a_count_past_the_limit(raw: str, fragment: str) -> None:
    """Only whole groups of three after a dot are thousands; the limit still applies."""
    with pytest.raises(InvalidAnswer) as error:
        whole_number()(raw, ENV)
    assert fragment in str(error.value)


def test_stale_hidden_answer_is_not_stored() -> None:
    answers = {"workers": 100, "members": 80, "youth_workers": None, "youth_members": 5}
    assert "youth_members" not in MEMBERSHIP.visible_answers(answers)


def test_an_answer_time_made_wrong_is_found_stale_at_confirmation() -> None:
    """A request's deadline typed as «today» in a draft left overnight is past by morning;
    a district event's start typed for 12:30 has passed at 12:40."""
    request = form_named("request")
    assert request is not None
    requests = request.spec
    answers = {"kind": "passport", "deadline": "2026-11-21", "title": "Паспорта"}
    assert requests.gone_stale(answers, ParseEnv(today=date(2026, 11, 21))) is None
    stale = requests.gone_stale(answers, ParseEnv(today=date(2026, 11, 22)))
    assert stale is not None and stale[0].name == "deadline" and stale[1] == tf.DEADLINE_PAST

    start = {"starts": "2026-11-21T12:30"}
    assert still_ahead(start["starts"], ParseEnv(date(2026, 11, 21), time(12, 0))) is None
    assert still_ahead(start["starts"], ParseEnv(date(2026, 11, 21), time(12, 40))) is not None
    assert still_ahead(start["starts"], ParseEnv(date(2026, 11, 22))) is not None


def test_a_kept_answer_its_question_refuses_now_is_found_at_confirmation() -> None:
    """«Отправить» reads every kept answer as typed now, not only what time changes: a kind no
    longer among the buttons (a draft kept across a release) is named, with the refusal typing
    it gets. Photos and the split of «выбыло», which no typing gives back, are not read."""
    answers = {
        "kind": "lecture",
        "topic": "Мотивация",
        "dates": {"from": "2026-11-19", "to": "2026-11-20"},
        "place": "Актовый зал",
        "participants": 10,
        "direction": "education",
        "photos": ["AgACAgIAAxk1"],
    }
    stale = EVENT.gone_stale(answers, ENV)
    assert stale is not None and stale[0].name == "kind"
    assert stale[1] == tf.no_longer_taken(te.L_KIND, tf.CHOOSE_BUTTON)
    assert EVENT.gone_stale({**answers, "kind": "assembly"}, ENV) is None
    report = {"workers": 100, "members": 80, "left": 3, "left_reasons": [2, 1, 0, 0]}
    assert MEMBERSHIP.gone_stale(report, ENV) is None
    assert MEMBERSHIP.gone_stale({**report, "members": 100_001}, ENV) is not None


def test_a_question_applying_again_is_asked_again() -> None:
    """Young workers skipped hide «из них членов» (10 kept, hidden); given again, the question
    applies again and is asked, its 10 not taken unasked: offered, and checked as an answer
    is (10 do not fit 8 young workers)."""
    answers = {"workers": 100, "members": 50, "youth_workers": 20, "youth_members": 10}
    hidden = MEMBERSHIP.skip("youth_workers", answers)
    assert hidden["youth_members"] == 10
    again = MEMBERSHIP.answer("youth_workers", "8", hidden, ENV)
    assert "youth_members" not in again and MEMBERSHIP.still_to_ask(again)[0] == "youth_members"
    assert MEMBERSHIP.reopened(hidden, again) == {"youth_members": 10}
    with pytest.raises(InvalidAnswer):
        MEMBERSHIP.retake("youth_members", 10, again, ENV)
    wider = MEMBERSHIP.answer("youth_workers", "12", hidden, ENV)
    assert MEMBERSHIP.retake("youth_members", 10, wider, ENV)["youth_members"] == 10


def test_an_answer_given_again_unchanged_asks_nothing_again() -> None:
    """«Очно и онлайн» tapped again keeps the venue and views: nothing was hidden."""
    answers = {"place": "@mixed", "venue": "Актовый зал", "views": 6000}
    assert EVENT.answer("place", "@mixed", answers, ENV) == answers


def test_an_old_answer_is_taken_again_as_typed_now() -> None:
    """A question asked again whose parser alone refuses a day gone by (no ``recheck``): its
    old answer, tapped after that day, is refused as typing it is, not stored unchecked."""
    until = Field("until", "До", "До?", deadline, show=show_date, ask_if=asked_when("set", True))
    spec = FormSpec("t", "T", (yes_or_no("set", "Есть", "Есть?"), until))
    hidden = spec.answer("set", "нет", {"set": True, "until": "2026-11-30"}, ENV)
    again = spec.answer("set", "да", hidden, ENV)
    old = spec.reopened(hidden, again)["until"]
    assert spec.retake("until", old, again, ENV)["until"] == "2026-11-30"
    later = ParseEnv(today=date(2026, 12, 1))
    assert spec.refusal("until", old, later) == tf.DEADLINE_PAST
    with pytest.raises(InvalidAnswer, match=tf.DEADLINE_PAST):
        spec.retake("until", old, again, later)


@pytest.mark.parametrize(
    ("spec", "name", "value"),
    [
        (EVENT, "place", "@mixed"),
        (EVENT, "dates", {"from": "2026-11-19", "to": "2026-11-21"}),
        (EVENT, "dates", {"from": "2026-12-29", "to": "2027-01-09"}),
        (PASSPORT, "agreement", False),
        (PASSPORT, "agreement_until", "2027-03-31"),
        (MOVE, "starts", "2026-12-04T10:00"),
        (MOVE, "answer_by", "2026-12-03"),
    ],
)
def test_a_stored_answer_retaken_is_itself(spec: FormSpec, name: str, value: object) -> None:
    """What an answer is stored as, written as typed (``Field.typed``), reads back as itself:
    a date with its year, a button's value, «Нет» for False."""
    assert spec.retake(name, value, {}, ENV)[name] == value


def test_last_times_value_no_typed_answer_may_be_is_asked_not_copied() -> None:
    """«Как в прошлый раз» reads last time's values as typed now: 100 001 retired, past what a
    count may be, is left out (asked), the rest copied."""
    last = {"workers": 54, "members": 40, "youth_workers": 12, "retired": 100_001}
    answers = shortcut.take(MEMBERSHIP, "workers", {}, last.get, ENV)
    assert answers["workers"] == 54 and answers["youth_workers"] == 12
    assert "retired" not in answers and "retired" in MEMBERSHIP.still_to_ask(answers)
