"""Staff's attendance lines («ППО — число»): a number that is part of an invited ППО's name is
never read as how many came from it. «МБОУ СОШ № 1» alone stored 1 participant for the
school, «детский сад № 12» 12 for the kindergarten; such lines are now shown as not
understood, while every line with a real count reads as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain.district_event_answers import parse_came_lines
from bot.domain.district_events import PpoRef
from bot.texts import district_events as t
from conftest import FakeClock
from harness import Harness, texts
from storage.models import DistrictEventInvite
from storage.orgs import name_key
from test_district_events import GARDEN, SCHOOL, STAFF, staff_entering_attendance

NAMES = {1: "МБОУ СОШ № 1", 2: "МБДОУ детский сад № 12", 3: "Гимназия № 3"}
PPOS = tuple(PpoRef(id=i, name=n, key=name_key(n)) for i, n in NAMES.items())


def counted(typed: str, ppos: tuple[PpoRef, ...] = PPOS) -> dict[int, int]:
    counts, _ = parse_came_lines(typed, ppos)
    return {ppo_id: count for ppo_id, (_, count) in counts.items()}


@pytest.mark.parametrize(
    "line",
    [
        "МБОУ СОШ № 1",
        "детский сад № 12",
        "МБДОУ «Детский сад № 12»",
        "детский сад 12",  # «№» left out: still the kindergarten's number, not 12 people
        "сош 1",
        "Гимназия № 3",
    ],
)
def test_a_line_whose_only_number_is_the_ppos_is_not_understood(line: str) -> None:
    counts, missing = parse_came_lines(line, PPOS)
    assert counts == {} and missing == [line]


def test_a_number_straight_after_the_number_sign_is_a_name_not_a_count() -> None:
    """«МБОУ СОШ № 12» where only school № 1 is invited: school № 12, not 12 from № 1."""
    counts, missing = parse_came_lines("МБОУ СОШ № 12", PPOS[:1])
    assert counts == {} and missing == ["МБОУ СОШ № 12"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Гимназия № 3 — 7", {3: 7}),
        ("Гимназия № 3: 7", {3: 7}),
        ("Гимназия № 3 7", {3: 7}),
        ("Гимназия № 3 - 7 чел.", {3: 7}),
        ("№ 3 — 7", {3: 7}),  # the number from /orgs
        ("2 — 0", {2: 0}),
        ("МБОУ СОШ № 1 — 12", {1: 12}),
        ("МБОУ СОШ №1-5", {1: 5}),
        ("детский сад № 12 5", {2: 5}),  # the name, then the count
        ("детский сад — 12", {2: 12}),  # the dash says 12 came
        ("гимназия 3 человека", {3: 3}),  # the word says 3 came
    ],
)
def test_a_line_with_a_count_reads_as_before(line: str, expected: dict[int, int]) -> None:
    assert counted(line) == expected


async def test_staff_typing_only_a_schools_name_store_nothing_for_it(
    harness: Harness, clock: FakeClock
) -> None:
    """Staff type «МБОУ СОШ № 1» (no count) and the kindergarten with its count: the summary
    lists the school's line as not understood, saying how to type it, and «Отправить» stores
    the kindergarten's 4 only; the school's attendance stays unentered, not «1»."""
    h = harness
    ids = await staff_entering_attendance(h, clock)

    summary = await h.send(STAFF, f"{SCHOOL}\n{GARDEN} — 4")

    shown = summary[-1].plain_text or ""
    assert f"Не распознаны (не будут внесены): {SCHOOL}" in shown, shown
    assert "Номер в названии ППО числом пришедших не считается" in shown
    assert f"• {GARDEN} — 4" in shown and f"• {SCHOOL} — 1" not in shown
    assert t.NOTHING_RECOGNISED not in shown
    assert "по ППО: 1" in texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    async with h.session_pool() as session:
        stmt = select(DistrictEventInvite.org_id, DistrictEventInvite.attended)
        attended = dict((await session.execute(stmt)).all())
    assert attended[ids[SCHOOL]] is None and attended[ids[GARDEN]] == 4
