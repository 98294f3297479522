"""/trends follows the coverage of managers and their deputies (seed 002 item 4) beside the
members': on each year's and period's line and in both sheets of the .xlsx, opened again. A
period no report gave managers' figures for reads «—», never 0 %; a report that skipped «из
них членов профсоюза» is left out of the managers' sums."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from harness import Harness, texts
from storage.models import MembershipReport
from test_trends import KINDERGARTEN, SCHOOL, STAFF, _files, _sheets, world

COLUMN = "Охват руководителей и заместителей, %"


async def _managers(
    h: Harness, org_id: int, period: date, managers: int, members: int | None
) -> None:
    async with h.session_pool() as session, session.begin():
        await session.execute(
            update(MembershipReport)
            .where(MembershipReport.org_id == org_id, MembershipReport.period == period)
            .values(managers=managers, managers_members=members)
        )


async def test_managers_coverage_by_year_and_period(harness: Harness) -> None:
    h = harness
    ids = await world(h)
    await _managers(h, ids[SCHOOL], date(2026, 10, 1), 5, 4)
    await _managers(h, ids[KINDERGARTEN], date(2026, 10, 1), 2, 2)
    await _managers(h, ids[KINDERGARTEN], date(2025, 12, 1), 3, None)  # «из них» skipped

    text = "\n".join(texts(await h.send(STAFF, "/trends")))

    # October 2026: the school's 4 of 5 and the kindergarten's 2 of 2; the gymnasium's June
    # report it carries gave none
    assert (
        "• октябрь 2026: охват 63,9 % — 115 из 180 (ППО: 3); "
        "руководители и заместители 85,7 % (6 из 7)"
    ) in text
    assert "• март 2026: охват 72,2 % — 130 из 180 (ППО: 3); руководители и заместители —" in text
    assert "молодёжь 60 % (18 из 30); руководители и заместители 85,7 % (6 из 7); ППО: 3" in text
    # 2025: the kindergarten gave its managers but not how many are members: not known
    assert "• 2025: охват 75 % — 135 из 180; молодёжь 76,7 % (23 из 30); " in text
    assert "(23 из 30); руководители и заместители —; ППО: 3" in text
    assert "руководители и заместители 0 %" not in text

    sheets = _sheets(_files(h, STAFF)["Динамика_2026.xlsx"])
    periods = {row["Период"]: row for row in sheets["По периодам"]}
    assert periods["октябрь 2026"][COLUMN] == 85.7
    assert periods["март 2026"][COLUMN] == "—"
    *ppo_rows, totals = sheets["По годам"]
    school = next(row for row in ppo_rows if row["ППО"] == SCHOOL)
    assert (school[f"2026: {COLUMN}"], school[f"2025: {COLUMN}"]) == (80.0, "—")
    assert school[f"2024: {COLUMN}"] is None  # no report that year at all
    assert (totals[f"2026: {COLUMN}"], totals[f"2025: {COLUMN}"]) == (85.7, "—")

    one = "\n".join(texts(await h.send(STAFF, f"/trends {ids[SCHOOL]}")))
    assert "• октябрь 2026: охват 60 % — 60 из 100; руководители и заместители 80 % (4 из 5)" in one


async def test_a_scope_that_never_gave_managers_figures_is_not_lined_with_dashes(
    harness: Harness,
) -> None:
    await world(harness)
    text = "\n".join(texts(await harness.send(STAFF, "/trends")))
    assert "• октябрь 2026: охват 63,9 % — 115 из 180 (ППО: 3)" in text
    assert "руководители" not in text
