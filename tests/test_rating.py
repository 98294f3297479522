"""The yearly rating of ППО: the formula on a hand-computed example, its edge cases, the message
and the .xlsx (reopened), and the storage queries on SQLite and PostgreSQL (``session_pool``).

The hand-computed example (default weights 0,30 / 0,20 / 0,15 / 0,15 / 0,10 / 0,10), year 2025:

============  =======  ======  =========  ========  ============  ==========  ============
ППО           workers  cov. %  base cov.  youth     on time       events      participants
============  =======  ======  =========  ========  ============  ==========  ============
Школа № 1     100      90      86 (2024)  16 / 20   3 of 4        6           150
Детский сад   20       75      80 (2024)  5 / 10    4 of 4        3           60
Больница      300      50      40 (2025)  30 / 100  1 of 2        0           0
Дом культуры  50       70      40 (2023)  0 young   no requests   3           45
Библиотека    no report in 2025                                                          -
============  =======  ======  =========  ========  ============  ==========  ============

Most events: 6 (Школа). Participants per 100 workers: Школа 150, Детский сад 300 (the best),
Больница 0, Дом культуры 90.

Школа № 1:    coverage 90; change +4 → (4+10)×5 = 70; youth 80; on time 75; events 6/6 = 100;
              reach 150/300 = 50.
              0,3×90 + 0,2×70 + 0,15×80 + 0,15×75 + 0,1×100 + 0,1×50
              = 27 + 14 + 12 + 11,25 + 10 + 5 = 79,25
Детский сад:  coverage 75; change −5 → 25; youth 50; on time 100; events 3/6 = 50; reach 100.
              22,5 + 5 + 7,5 + 15 + 5 + 10 = 65
Больница:     coverage 50; change +10 (first report of the year is the baseline) → 100;
              youth 30; on time 50; events 0; reach 0.
              15 + 20 + 4,5 + 7,5 + 0 + 0 = 47
Дом культуры: coverage 70; change +30 → clamped 100; youth: no young workers, left out;
              on time: no requests, left out; events 50; reach 90/300 = 30.
              (0,3×70 + 0,2×100 + 0,1×50 + 0,1×30) / (0,3 + 0,2 + 0,1 + 0,1)
              = (21 + 20 + 5 + 3) / 0,7 = 49 / 0,7 = 70
Order: Школа 79,25 · Дом культуры 70 · Детский сад 65 · Больница 47 · Библиотека «нет данных».
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.rating import (
    DEFAULT_WEIGHTS,
    Criterion,
    Rating,
    RatingWeights,
    Unrated,
    change_score,
    compute_rating,
    default_year,
    load_rating,
    rating_year,
)
from bot.rendering.rating import TABLE_HEADERS, rating_text, rating_xlsx
from bot.rendering.tables import TEXT_LIMIT
from storage import rating as store
from storage.digest import ScopeInfo
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    Event,
    Organization,
    OrgKind,
    Person,
)
from storage.orgs import apply_import
from storage.rating import RatingRow, ReportFigures
from storage.reports import add_report

YEAR = 2025
DISTRICT = "Родионово-Несветайская районная организация"
SCOPE = ScopeInfo(1, OrgKind.DISTRICT, DISTRICT, None)

SCHOOL = "Школа № 1"
KINDERGARTEN = "Детский сад № 3"
HOSPITAL = "Больница"
CULTURE = "Дом культуры"
LIBRARY = "Библиотека"

EXPECTED_TOTALS = {SCHOOL: 79.25, CULTURE: 70.0, KINDERGARTEN: 65.0, HOSPITAL: 47.0}
EXPECTED_ORDER = [SCHOOL, CULTURE, KINDERGARTEN, HOSPITAL, LIBRARY]
EXPECTED_SCORES: dict[str, dict[Criterion, float | None]] = {
    SCHOOL: {
        Criterion.COVERAGE: 90,
        Criterion.CHANGE: 70,
        Criterion.YOUTH: 80,
        Criterion.ON_TIME: 75,
        Criterion.EVENTS: 100,
        Criterion.REACH: 50,
    },
    KINDERGARTEN: {
        Criterion.COVERAGE: 75,
        Criterion.CHANGE: 25,
        Criterion.YOUTH: 50,
        Criterion.ON_TIME: 100,
        Criterion.EVENTS: 50,
        Criterion.REACH: 100,
    },
    HOSPITAL: {
        Criterion.COVERAGE: 50,
        Criterion.CHANGE: 100,
        Criterion.YOUTH: 30,
        Criterion.ON_TIME: 50,
        Criterion.EVENTS: 0,
        Criterion.REACH: 0,
    },
    CULTURE: {
        Criterion.COVERAGE: 70,
        Criterion.CHANGE: 100,
        Criterion.YOUTH: None,
        Criterion.ON_TIME: None,
        Criterion.EVENTS: 50,
        Criterion.REACH: 30,
    },
}

_ids = itertools.count(1)


def _fig(period: date, workers: int, members: int, yw: int | None = None, ym: int | None = None):
    return ReportFigures(period, workers, members, yw, ym)


def _row(
    name: str,
    last: ReportFigures | None = None,
    baseline: ReportFigures | None = None,
    **extra: Any,
) -> RatingRow:
    return RatingRow(
        org_id=next(_ids),
        name=name,
        district_id=1,
        district_name=DISTRICT,
        reports_in_year=0 if last is None else 1,
        last=last,
        baseline=baseline if baseline is not None else last,
        **extra,
    )


def _example_rows() -> list[RatingRow]:
    """The hand-computed example of the module docstring (listed out of order on purpose)."""
    return [
        _row(LIBRARY),
        _row(
            HOSPITAL,
            _fig(date(2025, 12, 1), 300, 150, 100, 30),
            _fig(date(2025, 3, 1), 300, 120),
            targets=2,
            on_time=1,
        ),
        _row(
            KINDERGARTEN,
            _fig(date(2025, 12, 1), 20, 15, 10, 5),
            _fig(date(2024, 12, 1), 20, 16),
            baseline_before_year=True,
            targets=4,
            on_time=4,
            events=3,
            participants=60,
        ),
        _row(
            CULTURE,
            _fig(date(2025, 10, 1), 50, 35, 0, 0),
            _fig(date(2023, 12, 1), 50, 20),
            baseline_before_year=True,
            events=3,
            participants=45,
        ),
        _row(
            SCHOOL,
            _fig(date(2025, 10, 1), 100, 90, 20, 16),
            _fig(date(2024, 12, 1), 100, 86),
            baseline_before_year=True,
            targets=4,
            on_time=3,
            events=6,
            participants=150,
        ),
    ]


def _rating(rows: list[RatingRow], weights: RatingWeights = DEFAULT_WEIGHTS, **extra: Any):
    return Rating(
        scope=SCOPE, year=YEAR, weights=weights, orgs=compute_rating(rows, weights), **extra
    )


# --- The formula ----------------------------------------------------------------------------


def test_hand_computed_example_scores_and_order() -> None:
    rated = compute_rating(_example_rows())
    assert [org.row.name for org in rated] == EXPECTED_ORDER
    assert [org.place for org in rated] == [1, 2, 3, 4, None]
    by_name = {org.row.name: org for org in rated}
    for name, total in EXPECTED_TOTALS.items():
        assert by_name[name].total == pytest.approx(total, abs=1e-9), name
        for criterion, score in EXPECTED_SCORES[name].items():
            got = by_name[name].scores[criterion]
            if score is None:
                assert got is None, (name, criterion)
            else:
                assert got == pytest.approx(score, abs=1e-9), (name, criterion)
    school = by_name[SCHOOL]
    assert school.coverage == pytest.approx(90)
    assert school.change == pytest.approx(4)
    assert school.youth == pytest.approx(80)
    assert school.on_time == pytest.approx(75)
    assert school.reach == pytest.approx(150)
    assert by_name[CULTURE].change == pytest.approx(30)  # raw value kept; the score is clamped
    library = by_name[LIBRARY]
    assert library.total is None
    assert library.unrated is Unrated.NO_REPORT
    assert all(score is None for score in library.scores.values())


def test_weights_sum_to_one_and_are_validated() -> None:
    assert sum(w for _, w in DEFAULT_WEIGHTS.items()) == pytest.approx(1.0)
    assert [c for c, _ in DEFAULT_WEIGHTS.items()] == list(Criterion)
    with pytest.raises(ValueError, match=r"sum to 1\.0"):
        RatingWeights(coverage=0.5)
    with pytest.raises(ValueError, match="non-negative"):
        RatingWeights(coverage=0.5, change=-0.0001, youth=0.15 + 0.0001)


def test_other_weights_change_the_order() -> None:
    # Only coverage counts: Школа 90 > Дом культуры 70 stays, but Детский сад 75 overtakes
    # Дом культуры.
    only_coverage = RatingWeights(
        coverage=1.0, change=0.0, youth=0.0, on_time=0.0, events=0.0, reach=0.0
    )
    rated = compute_rating(_example_rows(), only_coverage)
    assert [org.row.name for org in rated] == [SCHOOL, KINDERGARTEN, CULTURE, HOSPITAL, LIBRARY]
    assert [org.total for org in rated[:4]] == pytest.approx([90, 75, 70, 50])


@pytest.mark.parametrize(
    ("change", "score"),
    [(-15.0, 0.0), (-10.0, 0.0), (-2.5, 37.5), (0.0, 50.0), (4.0, 70.0), (10.0, 100.0), (30, 100)],
)
def test_change_maps_minus_ten_to_plus_ten_points_onto_0_to_100_clamped(
    change: float, score: float
) -> None:
    assert change_score(change) == pytest.approx(score)


def test_a_fall_beyond_ten_points_scores_zero_for_the_change() -> None:
    # 60 % → 45 %: −15 p.p., clamped to 0. Only ППО, so it is also the best at events/reach (0
    # events: 0 for everyone). Total = (0,3×45 + 0,2×0 + 0,15×0 [youth not given] + 0 + 0)
    # = 13,5 (on time not counted: no requests) / 0,85 = 15,882…
    rows = [_row("Школа", _fig(date(2025, 12, 1), 100, 45), _fig(date(2024, 12, 1), 100, 60))]
    [org] = compute_rating(rows)
    assert org.change == pytest.approx(-15)
    assert org.scores[Criterion.CHANGE] == 0
    assert org.scores[Criterion.YOUTH] == 0  # not given
    assert org.scores[Criterion.ON_TIME] is None
    assert org.total == pytest.approx(13.5 / 0.85)


def test_ties_are_broken_by_coverage_then_name() -> None:
    # No requests, no young workers, no events: total = (0,3×cov + 0,2×change score) / 0,7.
    # Альфа and Бета: 80 %, no change (50) → (24 + 10) / 0,7. Гамма: 90 %, −3 p.p. (35) →
    # (27 + 7) / 0,7: the same total, higher coverage, so first; Альфа before Бета by name.
    rows = [
        _row("Бета", _fig(date(2025, 12, 1), 100, 80, 0, 0)),
        _row("Альфа", _fig(date(2025, 12, 1), 100, 80, 0, 0)),
        _row("Гамма", _fig(date(2025, 12, 1), 100, 90, 0, 0), _fig(date(2024, 12, 1), 100, 93)),
    ]
    rated = compute_rating(rows)
    assert [org.row.name for org in rated] == ["Гамма", "Альфа", "Бета"]
    assert [org.place for org in rated] == [1, 2, 3]
    for org in rated:
        assert org.total == pytest.approx(34 / 0.7)


def test_no_requests_in_the_year_leaves_punctuality_out_for_everyone() -> None:
    rows = [
        _row("А", _fig(date(2025, 12, 1), 100, 90, 10, 10), events=2, participants=50),
        _row("Б", _fig(date(2025, 12, 1), 50, 25, 10, 5), events=1, participants=50),
    ]
    rated = compute_rating(rows)
    assert all(org.scores[Criterion.ON_TIME] is None for org in rated)
    # А: (0,3×90 + 0,2×50 + 0,15×100 + 0,1×100 + 0,1×50) / 0,85 = 67 / 0,85
    # Б: (0,3×50 + 0,2×50 + 0,15×50 + 0,1×50 + 0,1×100) / 0,85 = 47,5 / 0,85
    assert [org.total for org in rated] == pytest.approx([67 / 0.85, 47.5 / 0.85])


def test_no_report_and_no_workers_go_to_the_bottom_as_no_data() -> None:
    rows = [
        _row("Аптека", _fig(date(2025, 12, 1), 0, 0)),  # a report that says 0 workers
        _row("Архив"),  # no report in the year
        _row("Яблонька", _fig(date(2025, 12, 1), 10, 1)),
    ]
    rated = compute_rating(rows)
    assert [org.row.name for org in rated] == ["Яблонька", "Аптека", "Архив"]
    # Яблонька: 10 % coverage, no change (50), no youth data (0), no events, no requests:
    # (0,3×10 + 0,2×50) / 0,85 = 13 / 0,85
    assert rated[0].place == 1 and rated[0].total == pytest.approx(13 / 0.85)
    assert [org.unrated for org in rated[1:]] == [Unrated.NO_WORKERS, Unrated.NO_REPORT]
    assert all(org.place is None and org.total is None for org in rated[1:])
    text = rating_text(_rating(rows))
    assert "Нет данных за год (2):</b> Аптека, Архив" in text


def test_a_baseline_with_no_workers_leaves_the_change_out() -> None:
    rows = [_row("Школа", _fig(date(2025, 12, 1), 10, 5, 0, 0), _fig(date(2024, 12, 1), 0, 0))]
    [org] = compute_rating(rows)
    assert org.change is None and org.scores[Criterion.CHANGE] is None
    # (0,3×50 + 0,1×0 + 0,1×0) / 0,5
    assert org.total == pytest.approx(30)


def test_nobody_reported() -> None:
    rated = compute_rating([_row("Б"), _row("А")])
    assert [org.row.name for org in rated] == ["А", "Б"]
    text = rating_text(_rating([_row("Б"), _row("А")]))
    assert "не сдала мониторинг" in text
    assert "в рейтинге 0 из 2 ППО" in text


# --- The message ----------------------------------------------------------------------------


def test_text_shows_the_formula_with_weights_and_the_places() -> None:
    text = rating_text(_rating(_example_rows()))
    assert "Рейтинг первичных профсоюзных организаций за 2025 год" in text
    for term in (
        "0,3 × охват",
        "0,2 × динамика",
        "0,15 × молодёжь",
        "0,15 × своевременность",
        "0,1 × мероприятия",
        "0,1 × участники",
    ):
        assert term in text
    assert "1. Школа № 1 — <b>79,3</b> · охват 90 % (+4 п.п.), молодёжь 80 %" in text
    assert "2. Дом культуры — <b>70</b> · охват 70 % (+30 п.п.)\n" in text  # no young workers
    assert "4. Больница — <b>47</b>" in text
    assert "в рейтинге 4 из 5 ППО" in text
    assert "Нет данных за год (1):</b> Библиотека" in text
    assert "Последние места" not in text  # four rated: all of them are the top
    assert len(text) <= TEXT_LIMIT


def test_text_has_top_five_and_bottom_five_and_fits_one_screen() -> None:
    long = "Муниципальное бюджетное общеобразовательное учреждение средняя школа"
    rows = [
        _row(f"{long} № {i:02d}", _fig(date(2025, 12, 1), 100, 100 - i, 10, 7))
        for i in range(1, 41)
    ]
    rows += [_row(f"{long} без отчёта № {i}") for i in range(8)]
    text = rating_text(_rating(rows, as_of=date(2025, 11, 21)))
    assert len(text) <= TEXT_LIMIT
    assert "Год не завершён: данные на 21.11.2025" in text
    lines = text.splitlines()
    places = [int(line.split(".")[0]) for line in lines if line[:1].isdigit()]
    assert places == [1, 2, 3, 4, 5, 36, 37, 38, 39, 40]
    assert "Последние места" in text
    # names stay readable (cut at 32 characters); the no-data list gives way first
    assert "1. Муниципальное бюджетное общеобр… — <b>" in text
    assert "Нет данных за год (8):</b> список — в файле" in text


def test_short_no_data_list_is_capped_at_five_names() -> None:
    rows = [_row("Школа", _fig(date(2025, 12, 1), 10, 9))]
    rows += [_row(f"Сад № {i}") for i in range(1, 8)]
    text = rating_text(_rating(rows))
    expected = "Нет данных за год (7):</b> Сад № 1, Сад № 2, Сад № 3, Сад № 4, Сад № 5, …и ещё 2"
    assert expected in text


def test_names_are_escaped() -> None:
    rows = [_row("Школа <b>«Знание»</b> & Ко", _fig(date(2025, 12, 1), 10, 9))]
    text = rating_text(_rating(rows))
    assert "Школа &lt;b&gt;«Знание»&lt;/b&gt; &amp; Ко" in text


def test_seven_rated_show_top_five_and_the_last_two() -> None:
    rows = [_row(f"ППО {i}", _fig(date(2025, 12, 1), 100, 100 - i)) for i in range(7)]
    text = rating_text(_rating(rows))
    top, bottom = text.split("Последние места")
    assert "5. ППО 4" in top and "6. ППО 5" not in top
    assert "6. ППО 5" in bottom and "7. ППО 6" in bottom and "5. ППО 4" not in bottom


# --- The spreadsheet ------------------------------------------------------------------------


def test_xlsx_has_a_row_per_ppo_with_raw_values_scores_and_the_formula() -> None:
    data = rating_xlsx(_rating(_example_rows()))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.title == "Рейтинг ППО 2025"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values[0]
    assert tuple(header) == TABLE_HEADERS
    column = {name: index for index, name in enumerate(header)}
    rows = {row[column["ППО"]]: row for row in values[1:6]}
    assert [row[column["ППО"]] for row in values[1:6]] == EXPECTED_ORDER

    school = rows[SCHOOL]
    assert school[column["Место"]] == 1
    assert school[column["Работников"]] == 100
    assert school[column["Охват профчленством, %"]] == 90
    assert school[column["Балл: охват"]] == 90
    assert school[column["База сравнения"]] == "декабрь 2024"
    assert school[column["Динамика охвата, п.п."]] == 4
    assert school[column["Балл: динамика"]] == 70
    assert school[column["Охват молодёжи до 35 лет, %"]] == 80
    assert school[column["Запросов за год"]] == 4
    assert school[column["Сдано в срок"]] == 3
    assert school[column["Своевременность, %"]] == 75
    assert school[column["Мероприятий"]] == 6
    assert school[column["Балл: мероприятия"]] == 100
    assert school[column["Участников на 100 работников"]] == 150
    assert school[column["Балл: участники"]] == 50
    assert school[column["Итоговый балл"]] == 79.25

    culture = rows[CULTURE]
    assert culture[column["Балл: молодёжь"]] == "не учитывается"
    assert culture[column["Балл: своевременность"]] == "не учитывается"
    assert culture[column["Балл: участники"]] == 30
    assert culture[column["Итоговый балл"]] == 70

    library = rows[LIBRARY]
    assert library[column["Место"]] == "—"
    assert library[column["Итоговый балл"]] == "нет данных"
    assert library[column["Примечание"]] == "нет отчёта за год"

    formula = values[-1][column["ППО"]]
    assert formula.startswith("Итоговый балл = 0,3 × уровень охвата профчленством")
    assert "0,15 × своевременность отчётности" in formula
    assert "0,1 × охват участников" in formula


def test_message_and_xlsx_round_alike_half_up() -> None:
    """317 of 400 is exactly 79,25 % and 4,25 p.p. up on 300 of 400: the message and the table
    both round half up, as the documents do (round-half-even said «79,2 %» in the message)."""
    rows = [_row(SCHOOL, _fig(date(2025, 10, 1), 400, 317), _fig(date(2024, 12, 1), 400, 300))]
    rating = _rating(rows)
    sheet = load_workbook(io.BytesIO(rating_xlsx(rating))).active
    assert sheet is not None
    header, school = list(sheet.iter_rows(values_only=True))[:2]
    column = {name: index for index, name in enumerate(header)}
    assert school[column["Охват профчленством, %"]] == 79.3
    assert school[column["Динамика охвата, п.п."]] == 4.3
    assert "охват 79,3 % (+4,3 п.п.)" in rating_text(rating)


# --- The year argument ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        (None, 2025),
        ("", 2025),
        (" 2024 ", 2024),
        ("2026", 2026),
        ("2027", None),
        ("1999", None),
        ("25", None),
        ("2025г", None),
    ],
)
def test_rating_year(argument: str | None, expected: int | None) -> None:
    assert rating_year(argument, date(2026, 1, 20)) == expected


def test_default_year_is_last_year_in_january_then_this_year() -> None:
    assert default_year(date(2026, 1, 31)) == 2025
    assert default_year(date(2026, 2, 1)) == 2026


# --- Storage (SQLite and PostgreSQL) --------------------------------------------------------

T0 = datetime(2023, 1, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 1, 20)


@dataclass(frozen=True)
class _ImportRow:
    district: str
    organization: str
    region: str | None = "Ростовская областная организация"
    workers: int | None = None
    chair_name: str | None = None
    timezone: str | None = None


@dataclass
class _World:
    district: int
    region: int
    orgs: dict[str, int]


async def _seed(pool: async_sessionmaker[AsyncSession]) -> _World:
    """The hand-computed example in the database, plus what must not count: revisions
    replaced, a returned report, reports and requests and events of other years, a deleted
    event, an archived ППО, another district, a request whose deadline has not passed."""
    keys = itertools.count(1)
    async with pool() as session, session.begin():
        names = [SCHOOL, KINDERGARTEN, HOSPITAL, CULTURE, LIBRARY, "Закрытая школа"]
        rows = [_ImportRow(DISTRICT, name) for name in names]
        rows.append(_ImportRow("Другая районная организация", "Школа № 9"))
        await apply_import(session, rows, default_region="Регион", now=T0)
        orgs = {
            org.name: org
            for org in await session.scalars(select(Organization).order_by(Organization.id))
        }
        orgs["Закрытая школа"].archived_at = T0
        person = Person(tg_user_id=777, full_name="Симонова Н. Д.", created_at=T0)
        session.add(person)
        await session.flush()
        ids = {name: org.id for name, org in orgs.items()}

        async def report(
            name: str, period: date, workers: int, members: int, **extra: int | None
        ) -> Any:
            return await add_report(
                session,
                org_id=ids[name],
                period=period,
                values={"workers": workers, "members": members, **extra},
                submitted_by=person.id,
                submitted_at=T0,
                submission_key=f"r{next(keys)}",
            )

        await report(SCHOOL, date(2024, 6, 1), 100, 50)  # older than the baseline
        await report(SCHOOL, date(2024, 12, 1), 100, 86)  # baseline
        await report(SCHOOL, date(2025, 3, 1), 100, 88)
        await report(SCHOOL, date(2025, 10, 1), 100, 80)  # replaced by revision 2
        await report(SCHOOL, date(2025, 10, 1), 100, 90, youth_workers=20, youth_members=16)
        returned = await report(SCHOOL, date(2025, 12, 1), 100, 10)
        returned.returned_at = datetime(2025, 12, 16, tzinfo=UTC)
        returned.returned_by = person.id
        await report(SCHOOL, date(2026, 3, 1), 100, 99)  # next year
        await report(KINDERGARTEN, date(2024, 12, 1), 20, 16)
        await report(KINDERGARTEN, date(2025, 12, 1), 20, 15, youth_workers=10, youth_members=5)
        await report(HOSPITAL, date(2025, 3, 1), 300, 120)  # no report before 2025
        await report(HOSPITAL, date(2025, 12, 1), 300, 150, youth_workers=100, youth_members=30)
        await report(CULTURE, date(2023, 12, 1), 50, 20)  # skipped 2024 entirely
        await report(CULTURE, date(2025, 10, 1), 50, 35, youth_workers=0, youth_members=0)
        await report(LIBRARY, date(2024, 12, 1), 40, 30)  # nothing in 2025
        await report("Закрытая школа", date(2025, 12, 1), 10, 10)
        await report("Школа № 9", date(2025, 12, 1), 30, 30)

        collections: dict[date, int] = {}
        for period, deadline, kind, one_off in (
            (date(2024, 12, 1), date(2024, 12, 20), CollectionKind.MEMBERSHIP, False),
            (date(2025, 3, 1), date(2025, 3, 20), CollectionKind.MEMBERSHIP, False),
            (date(2025, 6, 1), date(2025, 6, 20), CollectionKind.MEMBERSHIP, False),
            (date(2025, 10, 1), date(2025, 10, 20), CollectionKind.MEMBERSHIP, False),
            (date(2025, 12, 1), date(2025, 12, 20), CollectionKind.MEMBERSHIP, False),
            (date(2025, 12, 2), date(2026, 1, 25), CollectionKind.PASSPORT, True),
        ):
            collection = Collection(
                kind=kind,
                scope_org_id=ids[DISTRICT],
                period=period,
                title="Паспорт ППО" if one_off else "Мониторинг",
                one_off=one_off,
                opened_at=datetime.combine(period, datetime.min.time(), tzinfo=UTC),
                deadline=deadline,
            )
            session.add(collection)
            await session.flush()
            collections[period] = collection.id

        def target(name: str, period: date, deadline: date, submitted: datetime | None) -> None:
            session.add(
                CollectionTarget(
                    collection_id=collections[period],
                    org_id=ids[name],
                    tier="50-80",
                    deadline=deadline,
                    submitted_at=submitted,
                    # the ППО's local date of delivery decides; here the local clock is UTC
                    submitted_on=None if submitted is None else submitted.date(),
                )
            )

        def at(day: date, hour: int, minute: int = 0) -> datetime:
            return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=hour, minutes=minute
            )

        mar, jun, octo, dec = (date(2025, m, 1) for m in (3, 6, 10, 12))
        dmar, djun, doct, ddec = (date(2025, m, 20) for m in (3, 6, 10, 12))
        # Школа: 3 of 4 on time; 23:30 on the deadline day is on time, 00:30 the next late
        target(SCHOOL, date(2024, 12, 1), date(2024, 12, 20), None)  # last year: not counted
        target(SCHOOL, mar, dmar, at(date(2025, 3, 19), 10))
        target(SCHOOL, jun, djun, at(djun, 23, 30))
        target(SCHOOL, octo, doct, at(date(2025, 10, 21), 0, 30))
        target(SCHOOL, dec, ddec, at(date(2025, 12, 15), 8))
        target(SCHOOL, date(2025, 12, 2), date(2026, 1, 25), None)  # not yet due on TODAY
        for period, deadline in ((mar, dmar), (jun, djun), (octo, doct), (dec, ddec)):
            target(KINDERGARTEN, period, deadline, at(deadline, 6))
        target(HOSPITAL, octo, doct, at(date(2025, 10, 1), 7))
        target(HOSPITAL, dec, ddec, None)  # never delivered: late
        target(LIBRARY, dec, ddec, None)

        def event(name: str, day: date, participants: int, **extra: Any) -> None:
            session.add(
                Event(
                    org_id=ids[name],
                    kind="seminar",
                    topic="Семинар",
                    date_from=day,
                    date_to=day,
                    online=False,
                    participants=participants,
                    direction="training",
                    photos=[],
                    created_by=person.id,
                    created_at=T0,
                    updated_at=T0,
                    submission_key=f"e{next(keys)}",
                    **extra,
                )
            )

        for month in range(1, 7):
            event(SCHOOL, date(2025, month, 10), 25)
        event(SCHOOL, date(2025, 7, 1), 100, deleted_at=T0)
        event(SCHOOL, date(2024, 12, 31), 100)
        event(SCHOOL, date(2026, 1, 1), 100)
        for day in (1, 2, 3):
            event(KINDERGARTEN, date(2025, 4, day), 20)
            event(CULTURE, date(2025, 5, day), 15)
        event(DISTRICT, date(2025, 5, 5), 200)  # the district's own: not a ППО
        event("Школа № 9", date(2025, 5, 5), 500)
    return _World(ids[DISTRICT], orgs[DISTRICT].parent_id or 0, ids)


async def test_storage_rows_for_a_district_and_a_year(session_pool) -> None:
    world = await _seed(session_pool)
    async with session_pool() as session:
        rows = await store.rating_rows(session, world.district, YEAR, today=TODAY)
        all_due = await store.rating_rows(session, world.district, YEAR)
    by_name = {row.name: row for row in rows}
    # archived and other-district ППО are not listed; order by name
    assert [row.name for row in rows] == [LIBRARY, HOSPITAL, KINDERGARTEN, CULTURE, SCHOOL]

    school = by_name[SCHOOL]
    assert school.reports_in_year == 2  # March and October; December was returned
    assert school.last == ReportFigures(date(2025, 10, 1), 100, 90, 20, 16)
    assert school.baseline == ReportFigures(date(2024, 12, 1), 100, 86, None, None)
    assert school.baseline_before_year
    assert (school.targets, school.on_time) == (4, 3)
    assert (school.events, school.participants) == (6, 150)

    hospital = by_name[HOSPITAL]
    assert hospital.last is not None and hospital.last.period == date(2025, 12, 1)
    assert hospital.baseline == ReportFigures(date(2025, 3, 1), 300, 120, None, None)
    assert not hospital.baseline_before_year
    assert (hospital.targets, hospital.on_time) == (2, 1)
    assert (hospital.events, hospital.participants) == (0, 0)

    culture = by_name[CULTURE]
    assert culture.baseline is not None and culture.baseline.period == date(2023, 12, 1)
    assert (culture.targets, culture.events, culture.participants) == (0, 3, 45)

    kindergarten = by_name[KINDERGARTEN]
    assert (kindergarten.targets, kindergarten.on_time) == (4, 4)
    assert kindergarten.reports_in_year == 1

    library = by_name[LIBRARY]
    assert library.last is None and library.baseline is None and library.reports_in_year == 0
    assert (library.targets, library.on_time) == (1, 0)

    # without ``today`` the request not yet due counts as not delivered on time
    school_all = next(row for row in all_due if row.name == SCHOOL)
    assert (school_all.targets, school_all.on_time) == (5, 3)


async def test_load_rating_reproduces_the_hand_computed_example(session_pool) -> None:
    world = await _seed(session_pool)
    async with session_pool() as session:
        rating = await load_rating(session, scope_org_id=world.district, year=YEAR, today=TODAY)
    assert rating.scope.name == DISTRICT
    assert rating.as_of is None  # 2025 is over on TODAY
    assert [org.row.name for org in rating.orgs] == EXPECTED_ORDER
    for org in rating.rated:
        assert org.total == pytest.approx(EXPECTED_TOTALS[org.row.name], abs=1e-9)
    assert rating.unrated[0].unrated is Unrated.NO_REPORT
    text = rating_text(rating)
    assert "1. Школа № 1 — <b>79,3</b>" in text


async def test_region_scope_lists_the_ppo_of_all_districts(session_pool) -> None:
    world = await _seed(session_pool)
    async with session_pool() as session:
        rating = await load_rating(
            session, scope_org_id=world.region, year=YEAR, today=date(2025, 11, 21)
        )
        with pytest.raises(LookupError):
            await load_rating(session, scope_org_id=999_999, year=YEAR)
    assert rating.as_of == date(2025, 11, 21)
    names = [org.row.name for org in rating.orgs]
    assert sorted(names) == sorted([*EXPECTED_ORDER, "Школа № 9"])
    other = next(org for org in rating.orgs if org.row.name == "Школа № 9")
    # 500 participants of 30 workers: the best reach of the region, so 100
    assert other.row.participants == 500
    assert other.scores[Criterion.REACH] == pytest.approx(100)
    assert other.row.district_name == "Другая районная организация"
