"""District digest: numbers, text, chart (PNG opened and inspected) and table (.xlsx reopened).

The storage-backed tests run on SQLite and PostgreSQL (``session_pool``); the rest are pure.
"""

from __future__ import annotations

import io
import itertools
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib import _pylab_helpers
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.calendar import Tier, tier_of
from bot.domain.digest import DigestData, Status, build_digest, load_digest, parse_period
from bot.domain.sums import Sums
from bot.domain.trends import Series
from bot.rendering import charts, histogram
from bot.rendering.digest import (
    TABLE_HEADERS,
    digest_chart_png,
    digest_table_xlsx,
    digest_text,
    status_text,
)
from bot.rendering.tables import TEXT_LIMIT
from bot.rendering.trend_chart import trend_chart_png
from digest_queries import person_names
from factories import membership_report
from storage import digest as store
from storage.digest import PpoRow, ReportRow, ScopeInfo
from storage.digest_events import event_totals
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    Event,
    Organization,
    OrgKind,
    Person,
    Role,
    RoleGrant,
)
from storage.orgs import name_key

MOSCOW = ZoneInfo("Europe/Moscow")

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)
NOW_P = date(2026, 11, 1)  # the open period
PREV_P = date(2026, 10, 1)
OLD_P = date(2026, 6, 1)
DEADLINE = date(2026, 11, 20)
EVENTS_SINCE = date(2026, 11, 14)

DISTRICT = "Кировская районная организация"
OTHER_DISTRICT = "Ленинская районная организация"


@dataclass
class World:
    region: int = 0
    district: int = 0
    other_district: int = 0
    orgs: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)


async def _seed(pool: async_sessionmaker[AsyncSession]) -> World:
    """A region with two districts. Кировская: 8 live ППО and an archived one, reports for
    three periods with revisions, a collection for November with 7 due ППО, events."""
    world = World()
    keys = itertools.count(1)
    async with pool() as session, session.begin():

        def org(kind: OrgKind, name: str, parent: int | None, **extra: Any) -> Organization:
            item = Organization(
                kind=kind,
                name=name,
                name_key=name_key(name),
                parent_id=parent,
                created_at=T0,
                updated_at=T0,
                **extra,
            )
            session.add(item)
            return item

        region = org(OrgKind.REGION, "Областная организация", None)
        await session.flush()
        district = org(OrgKind.DISTRICT, DISTRICT, region.id)
        other = org(OrgKind.DISTRICT, OTHER_DISTRICT, region.id)
        await session.flush()
        world.region, world.district, world.other_district = region.id, district.id, other.id
        ppo_names = {
            "A": "Школа № 1",
            "B": "Школа № 2",
            "C": "Детский сад № 3",
            "D": "Больница",
            "E": "Дом культуры",
            "F": "Библиотека",
            "R": "Районная поликлиника",
            "G": "Музей",
        }
        for code, name in ppo_names.items():
            extra = {"chair_name": "Орлова О. О."} if code == "F" else {}
            item = org(OrgKind.PPO, name, district.id, **extra)
            await session.flush()
            world.orgs[code] = item.id
        archived = org(OrgKind.PPO, "Закрытая школа", district.id, archived_at=T0)
        other_ppo = org(OrgKind.PPO, "Школа № 1", other.id)  # same name, other district
        await session.flush()
        world.orgs["H"], world.orgs["X"] = archived.id, other_ppo.id

        people_pending: list[tuple[str, Person]] = []

        def person(code: str, full_name: str, **extra: Any) -> None:
            item = Person(
                tg_user_id=1000 + len(people_pending), full_name=full_name, created_at=T0, **extra
            )
            session.add(item)
            people_pending.append((code, item))

        person("A", "Иванова И. И.")
        person("B", "Сидорова С. С.")
        person("C", "Кузнецова К. К.")
        person("D", "Морозов М. М.")
        person("E_old", "Старый С. С.")
        person("E", "Петров П. П.", unreachable_at=T0)
        person("R", "Волкова В. В.", reminders_paused_until=date(2026, 12, 1))
        person("G", "Лебедев Л. Л.")
        person("X", "Зайцев З. З.")
        person("staff", "Смирнова С. С.")
        await session.flush()
        for code, chair in people_pending:
            world.people[code] = chair.id

        for code in ("A", "B", "C", "D", "E", "R", "G", "X"):
            session.add(
                RoleGrant(
                    person_id=world.people[code],
                    role=Role.CHAIR,
                    org_id=world.orgs[code],
                    granted_at=T0,
                )
            )
        session.add(
            RoleGrant(
                person_id=world.people["E_old"],
                role=Role.CHAIR,
                org_id=world.orgs["E"],
                granted_at=T0,
                revoked_at=T0,
            )
        )
        session.add(
            RoleGrant(
                person_id=world.people["staff"],
                role=Role.STAFF,
                org_id=district.id,
                granted_at=T0,
            )
        )

        def report(
            code: str,
            period: date,
            revision: int,
            workers: int,
            members: int,
            *,
            by: str | None = None,
            at: datetime = T0,
            **extra: Any,
        ) -> None:
            session.add(
                membership_report(
                    world.orgs[code],
                    period,
                    workers,
                    members,
                    by=world.people[by or code],
                    at=at,
                    revision=revision,
                    **extra,
                )
            )

        report("A", OLD_P, 1, 100, 70)
        report("A", PREV_P, 1, 100, 92)
        report("A", NOW_P, 1, 100, 50, at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC))
        report(
            "A",
            NOW_P,
            2,
            100,
            90,
            by="staff",
            at=datetime(2026, 11, 12, 10, 30, tzinfo=UTC),
            youth_workers=20,
            youth_members=15,
            managers=5,
            managers_members=4,
            joined=3,
            left=1,
            retired=7,
        )
        report("B", PREV_P, 1, 100, 30)
        report("B", PREV_P, 2, 100, 60)
        report("B", NOW_P, 1, 100, 40)
        report("C", PREV_P, 1, 100, 80)
        report("C", NOW_P, 1, 100, 75)
        report("D", OLD_P, 1, 200, 160)
        report("D", NOW_P, 1, 200, 151)
        report("E", OLD_P, 1, 50, 45, by="E_old")
        report("R", PREV_P, 1, 100, 70)
        report(
            "R",
            NOW_P,
            1,
            100,
            20,
            returned_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
            returned_by=world.people["staff"],
            return_comment="Проверьте число членов профсоюза",
        )
        report("G", NOW_P, 1, 60, 30)
        report("H", NOW_P, 1, 10, 1, by="staff")
        report("X", PREV_P, 1, 100, 100)
        report("X", NOW_P, 1, 100, 100)

        collection = Collection(
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=district.id,
            period=NOW_P,
            title="Мониторинг",
            one_off=False,
            opened_at=T0,
            deadline=DEADLINE,
        )
        session.add(collection)
        # October's collection: older, so not the current one; /export of October uses it
        october = Collection(
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=district.id,
            period=PREV_P,
            title="Мониторинг",
            one_off=False,
            opened_at=datetime(2026, 10, 1, tzinfo=UTC),
            deadline=date(2026, 10, 20),
        )
        session.add(october)
        await session.flush()
        # not membership collections of November, or not opened yet: ignored
        passport = Collection(
            kind=CollectionKind.PASSPORT,
            scope_org_id=district.id,
            period=NOW_P,
            title="Паспорт ППО",
            one_off=True,
            opened_at=T0,
            deadline=date(2026, 11, 30),
        )
        session.add(passport)
        session.add(
            Collection(
                kind=CollectionKind.MEMBERSHIP,
                scope_org_id=district.id,
                period=date(2026, 12, 1),
                title="Мониторинг",
                one_off=False,
                opened_at=datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
                deadline=date(2026, 12, 20),
            )
        )
        await session.flush()
        session.add(
            CollectionTarget(
                collection_id=passport.id, org_id=world.orgs["G"], tier="-", deadline=TODAY
            )
        )
        for code in ("A", "B", "C"):
            session.add(
                CollectionTarget(
                    collection_id=october.id,
                    org_id=world.orgs[code],
                    tier="50-80",
                    deadline=date(2026, 10, 20),
                )
            )
        for code in ("A", "B", "C", "D", "E", "F", "R", "H"):
            session.add(
                CollectionTarget(
                    collection_id=collection.id,
                    org_id=world.orgs[code],
                    tier="50-80",
                    deadline=DEADLINE,
                )
            )

        def event(org_id: int, day: date, participants: int, **extra: Any) -> None:
            session.add(
                Event(
                    org_id=org_id,
                    kind="seminar",
                    topic="Семинар",
                    date_from=day,
                    date_to=day,
                    online=False,
                    participants=participants,
                    direction="training",
                    photos={},
                    created_by=world.people["staff"],
                    created_at=T0,
                    updated_at=T0,
                    submission_key=f"e{next(keys)}",
                    **extra,
                )
            )

        event(world.orgs["A"], date(2026, 11, 14), 30)  # first day of the window: counts
        event(world.orgs["B"], date(2026, 11, 20), 25)
        event(world.orgs["C"], date(2026, 11, 18), 100, deleted_at=T0)  # deleted
        event(world.orgs["D"], TODAY, 60)  # today: the next digest's
        event(district.id, date(2026, 11, 16), 40)  # the district's own seminar
        event(world.orgs["X"], date(2026, 11, 15), 500)  # other district
        event(world.orgs["A"], date(2026, 11, 13), 11)  # before the window
    return world


async def _digest(pool: async_sessionmaker[AsyncSession], scope: int, **kwargs: Any) -> Any:
    async with pool() as session:
        return await load_digest(
            session, scope_org_id=scope, today=TODAY, events_since=EVENTS_SINCE, **kwargs
        )


def _by_name(digest: Any) -> dict[str, Any]:
    return {line.ppo.name: line for line in digest.lines}


# --- Storage --------------------------------------------------------------------------------


async def test_storage_latest_revision_counts_and_previous_is_per_ppo(session_pool) -> None:
    world = await _seed(session_pool)
    o = world.orgs
    async with session_pool() as session:
        rows = await store.ppo_rows(session, world.district)
        current = await store.counting_reports(session, world.district, NOW_P)
        before = await store.latest_before(session, world.district, NOW_P)
        region_rows = await store.ppo_rows(session, world.region)
        collection = await store.current_collection(session, world.district, TODAY)
        events = await event_totals(session, world.district, EVENTS_SINCE, TODAY, MOSCOW)
        region_events = await event_totals(session, world.region, EVENTS_SINCE, TODAY, MOSCOW)
        names = await person_names(session, [world.people["A"], world.people["staff"]])

    assert [r.name for r in rows] == [
        "Библиотека",
        "Больница",
        "Детский сад № 3",
        "Дом культуры",
        "Музей",
        "Районная поликлиника",
        "Школа № 1",
        "Школа № 2",
    ]  # the archived ППО and the other district's are not in the district
    chairs = {r.name: r for r in rows}
    assert chairs["Дом культуры"].chair_name == "Петров П. П."  # not the revoked chair
    assert chairs["Дом культуры"].chair_unreachable is True
    assert chairs["Библиотека"].chair_person_id is None
    assert chairs["Библиотека"].listed_chair == "Орлова О. О."
    assert chairs["Районная поликлиника"].chair_paused_until == date(2026, 12, 1)
    assert len(region_rows) == 9 and {r.district_name for r in region_rows} == {
        DISTRICT,
        OTHER_DISTRICT,
    }

    assert set(current) == {o[c] for c in ("A", "B", "C", "D", "R", "G")}
    a = current[o["A"]]
    assert (a.revision, a.members, a.submitted_by_name) == (2, 90, "Смирнова С. С.")
    assert a.submitted_at == datetime(2026, 11, 12, 10, 30, tzinfo=UTC)
    assert current[o["R"]].returned_at == datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
    assert {org: (r.period, r.members) for org, r in before.items()} == {
        o["A"]: (PREV_P, 92),
        o["B"]: (PREV_P, 60),  # revision 2 of October, not revision 1
        o["C"]: (PREV_P, 80),
        o["D"]: (OLD_P, 160),  # D's own previous report is June's
        o["E"]: (OLD_P, 45),
        o["R"]: (PREV_P, 70),
    }

    assert collection is not None and collection.period == NOW_P
    assert collection.deadline == DEADLINE
    assert set(collection.targets) == {o[c] for c in ("A", "B", "C", "D", "E", "F", "R", "H")}
    assert events == (3, 95)  # 30 + 25 + 40: not the deleted, not today's, not before
    assert region_events == (4, 595)
    assert names == {world.people["A"]: "Иванова И. И.", world.people["staff"]: "Смирнова С. С."}


# --- The digest of a district ---------------------------------------------------------------


async def test_district_digest_numbers(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.district)

    assert digest.period == NOW_P and digest.deadline == DEADLINE and digest.deadline_passed
    # due: the 7 live targets (the archived one is not a ППО of the district any more)
    assert (digest.submitted, digest.due) == (4, 7)
    assert [line.ppo.name for line in digest.late] == ["Библиотека", "Дом культуры"]
    assert [line.ppo.name for line in digest.returned] == ["Районная поликлиника"]

    # coverage now: counted reports A 90/100, B 40/100, C 75/100, D 151/200, G 30/60
    # (R is returned, H archived, E and F have none) → 386 / 560
    assert digest.counted == 5
    assert digest.coverage == pytest.approx(386 / 560 * 100)
    # change like-for-like over A, B, C, D (G has no earlier report):
    # now 356/500 = 71.2 %, before 92 + 60 + 80 + 160 = 392/500 = 78.4 % → −7.2 p.p.
    assert digest.compared == 4
    assert digest.coverage_change == pytest.approx(356 / 500 * 100 - 392 / 500 * 100)
    assert digest.coverage_change == pytest.approx(-7.2)

    assert [(line.ppo.name, line.coverage) for line in digest.low] == [("Школа № 2", 40.0)]
    # fell ≥ 5 p.p.: B −20, C exactly −5; D −4.5 (against June) and A −2 are not
    assert [(line.ppo.name, round(line.change, 6)) for line in digest.fell] == [
        ("Школа № 2", -20.0),
        ("Детский сад № 3", -5.0),
    ]
    assert (digest.events_count, digest.events_participants) == (3, 95)

    lines = _by_name(digest)
    assert lines["Музей"].status is Status.SUBMITTED and not lines["Музей"].due
    assert lines["Районная поликлиника"].status is Status.RETURNED
    assert lines["Библиотека"].status is Status.MISSING
    assert lines["Школа № 1"].report.members == 90  # revision 2 counts, not revision 1


async def test_digest_text_fits_one_screen_and_has_every_key_line(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.district)
    text = digest_text(digest)

    assert len(text) < TEXT_LIMIT
    for expected in (
        f"Сводка: {DISTRICT}",
        "Мониторинг за ноябрь 2026",
        "Срок сдачи: 20.11.2026 (истёк)",
        "Сдали: <b>4 из 7</b>",
        "Не сдали в срок (2):",
        "• Библиотека — председатель не подключён",
        "• Дом культуры — Петров П. П. 📵",
        "Возвращены на исправление (1):",
        "• Районная поликлиника — Волкова В. В. ⏸ до 01.12",
        "Охват по району: <b>68,9 %</b> (отчётов: 5)",
        "Изменение: −7,2 п.п. к прошлым отчётам тех же ППО (4)",
        "Охват ниже 50 % (1):\nШкола № 2 — 40 %",
        "Охват упал на 5 п.п. и больше (2):\n"
        "Школа № 2 — 40 % (−20 п.п.); Детский сад № 3 — 75 % (−5 п.п.)",
        "Мероприятия с 14.11: 3, участников: 95",
        "📵 — бот не может написать председателю; ⏸ — напоминания приостановлены",
    ):
        assert expected in text, expected
    assert "Больница" not in text  # −4,5 p.p. and 75,5 %: in no list

    short = status_text(digest)
    assert "Сдали: <b>4 из 7</b>" in short and "• Дом культуры — Петров П. П. 📵" in short
    assert "Районная поликлиника" in short
    assert "Охват" not in short and "Мероприят" not in short
    assert len(short) < len(text)


async def test_region_digest_adds_districts_and_groups_late_by_district(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.region)
    # the other district has no collection for November: its ППО is not due there
    assert (digest.submitted, digest.due) == (4, 7)
    assert digest.counted == 6
    assert digest.coverage == pytest.approx(486 / 660 * 100)
    # like-for-like adds X (100 % both times): 456/600 − 492/600 = −6 p.p.
    assert digest.coverage_change == pytest.approx(-6.0)
    assert (digest.events_count, digest.events_participants) == (4, 595)
    text = digest_text(digest)
    assert "Охват по региону: <b>73,6 %</b>" in text
    assert f"Не сдали в срок (2), по районам:\n• {DISTRICT} — 2" in text


async def test_without_collection_period_is_this_month_and_all_are_due(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.other_district)
    assert digest.period == NOW_P and digest.deadline is None
    assert (digest.submitted, digest.due) == (1, 1)
    assert "Срок сдачи" not in digest_text(digest)
    assert "Все отчёты сданы" in digest_text(digest)


# --- Chart ----------------------------------------------------------------------------------


def _near(pixel: Any, hex_color: str, tolerance: int = 40) -> bool:
    expected = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], expected, strict=True))


async def test_chart_png_draws_the_digest_sorted_with_lines_and_band_colors(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.district)
    png = digest_chart_png(digest)

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    five_bars = charts.TOP_PX + charts.BOTTOM_PX + 5 * charts.BAR_PX
    assert image.size == (1080, max(charts.MIN_HEIGHT_PX, five_bars))

    chart = charts.render_coverage_chart(digest.chart_items(), "Охват\nКировская")
    assert chart.shown == [
        ("Школа № 2", 40.0),
        ("Музей", 50.0),
        ("Детский сад № 3", 75.0),
        ("Больница", 75.5),
        ("Школа № 1", 90.0),
    ]
    assert chart.labels == [name for name, _ in chart.shown]  # short names are not cut
    rgb = Image.open(io.BytesIO(chart.png)).convert("RGB")
    assert rgb.size == (chart.width, chart.height)

    left, top, right, bottom = chart.plot_box
    for y in (round(top) + 3, round(bottom) - 3):  # gaps above the first, below the last bar
        for level, color in ((50.0, charts.LINE_LOW), (80.0, charts.LINE_HIGH)):
            x = round(chart.line_x[level])
            assert _near(rgb.getpixel((x, y)), color), (level, y, rgb.getpixel((x, y)))
            assert _near(rgb.getpixel((x + 12, y)), "#ffffff")  # only a thin line there
    assert chart.line_x[50.0] < chart.line_x[80.0]
    assert left < chart.line_x[50.0] < right

    for (_, value), (x0, y0, x1, y1) in zip(chart.shown, chart.bar_boxes, strict=True):
        x, y = round(x0 + (x1 - x0) * 0.2), round((y0 + y1) / 2)
        assert _near(rgb.getpixel((x, y)), charts.band_color(value), 12), value
        if all(abs(value - level) > 2 for level in (50.0, 80.0)):  # the bar ends where it should
            end = round(x1)
            assert _near(rgb.getpixel((end - 3, y)), charts.band_color(value), 12), value
            assert _near(rgb.getpixel((end + 3, y)), "#ffffff", 12), value
        assert round(x1) - round(x0) == pytest.approx(
            value / 100 * (chart.line_x[80.0] - left) / 0.8, abs=2
        )
    # bars top to bottom: each lower on the picture than the previous
    assert [box[1] for box in chart.bar_boxes] == sorted(box[1] for box in chart.bar_boxes)


def test_a_ppo_at_80_percent_is_drawn_in_the_calendars_50_to_80_group() -> None:
    """Seed 002: 50-80 % report four times a year, «более 80 %» twice, and the calendar's tier
    of 80 % exactly is 50-80 %. The district chart paints it in that band (it was «80 % и
    выше» green) and the region's histogram counts it in [75, 80], not above 80 %."""
    assert tier_of(80.0) is Tier.MID
    assert charts.band_color(80.0) == charts.COLOR_MID
    assert charts.band_color(80.01) == charts.COLOR_HIGH
    assert charts.band_color(49.99) == charts.COLOR_LOW
    counts = histogram.bin_counts([75.0, 80.0, 80.5, 85.0])
    assert counts[15:18] == [2, 1, 1]


def test_chart_of_many_ppo_shows_the_lowest_and_says_so() -> None:
    items = [(f"ППО № {i} с очень длинным названием учреждения", float(i % 97)) for i in range(300)]
    chart = charts.render_coverage_chart(items, "Охват профчленством\nОбласть")
    assert len(chart.shown) == charts.MAX_BARS and chart.total == 300
    assert [value for _, value in chart.shown] == sorted(v for _, v in items)[: charts.MAX_BARS]
    assert all(label.endswith("…") for label in chart.labels)  # cut to fit the left margin
    assert chart.height == charts.TOP_PX + charts.BOTTOM_PX + charts.MAX_BARS * charts.BAR_PX
    assert chart.height <= 2560  # Telegram keeps photos up to 2,560 px a side
    assert Image.open(io.BytesIO(chart.png)).size == (1080, chart.height)


def test_names_are_drawn_as_typed_but_for_what_the_font_lacks() -> None:
    """A pair of ``$`` is no formula (``$\\frac$`` used to raise and lose the chart) and an
    emoji is left out, not drawn as an empty box with a warning, on every chart."""
    items = [("Школа $\\frac$ № 1", 40.0), ("Сад 🌞 «Ёлочка»", 60.0), ("ООО $Рога$", 90.0)]
    one = Sums(members=60, workers=100, reports=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph its font lacks
        chart = charts.render_coverage_chart(items, "Охват 🌞\nРайон $\\frac$")
        histogram.render_coverage_histogram([40.0, 60.0], "Охват 🌞 $\\frac$", 50.0)
        trend = trend_chart_png("Динамика 🌞 $\\frac$", Series([(2026, one)], [(NOW_P, one)]))
    assert chart.labels == ["Школа $\\frac$ № 1", "Сад «Ёлочка»", "ООО $Рога$"]
    assert Image.open(io.BytesIO(trend)).format == "PNG"


def test_chart_is_thread_safe_and_leaves_no_figures() -> None:
    jobs = [
        ([(f"ППО {i}", float((i * 7 + k) % 100)) for i in range(12)], f"Район {k}")
        for k in range(6)
    ]
    sequential = [charts.coverage_chart_png(items, title) for items, title in jobs]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(lambda job: charts.coverage_chart_png(*job), jobs * 2))
    assert parallel == sequential * 2
    assert _pylab_helpers.Gcf.get_num_fig_managers() == 0


def test_empty_chart_is_a_valid_png() -> None:
    chart = charts.render_coverage_chart([], "Охват\nРайон")
    assert chart.shown == [] and Image.open(io.BytesIO(chart.png)).size == (1080, chart.height)


# --- Table ----------------------------------------------------------------------------------


def _sheet_rows(data: bytes) -> tuple[str, list[str], dict[str, dict[str, Any]]]:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    headers = [str(h) for h in values[0]]
    rows = [dict(zip(headers, row, strict=True)) for row in values[1:]]
    by_name = {row["ППО"]: row for row in rows}
    assert len(by_name) == len(rows)
    return sheet.title, headers, by_name


async def test_table_xlsx_has_one_row_per_ppo_with_every_field(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.district)
    title, headers, rows = _sheet_rows(digest_table_xlsx(digest))

    assert title == "Мониторинг ноябрь 2026"
    assert headers == list(TABLE_HEADERS)
    assert set(rows) == {line.ppo.name for line in digest.lines} and len(rows) == 8
    assert "Закрытая школа" not in rows

    a = rows["Школа № 1"]
    assert a["Район"] == DISTRICT
    assert (a["Председатель"], a["Связь с ботом"]) == ("Иванова И. И.", "подключён")
    assert [a[h] for h in TABLE_HEADERS[5:14]] == [100, 90, 20, 15, 5, 4, 3, 1, 7]
    assert (a["Охват, %"], a["Охват молодёжи до 35 лет, %"]) == (90.0, 75.0)
    assert a["Изменение охвата, п.п."] == -2.0
    assert a["Прошлый отчёт за"] == "октябрь 2026"
    assert a["Статус"] == "сдан"
    assert a["Срок"] == datetime(2026, 11, 20)
    assert a["Сдан (местное время)"] == datetime(2026, 11, 12, 13, 30)  # 10:30 UTC in Moscow
    assert (a["Кем сдан"], a["Редакция"]) == ("Смирнова С. С.", 2)

    assert rows["Детский сад № 3"]["Изменение охвата, п.п."] == -5.0
    assert rows["Больница"]["Охват, %"] == 75.5
    r = rows["Районная поликлиника"]
    assert r["Статус"] == "возвращён на исправление"
    assert r["Причина возврата"] == "Проверьте число членов профсоюза"
    assert r["Связь с ботом"] == "напоминания приостановлены до 01.12.2026"
    f = rows["Библиотека"]
    assert (f["Статус"], f["Председатель"], f["Связь с ботом"]) == (
        "не сдан",
        "Орлова О. О.",
        "не подключён",
    )
    assert f["Работников"] is None and f["Охват, %"] is None
    assert rows["Дом культуры"]["Связь с ботом"] == "бот не может написать"
    g = rows["Музей"]
    assert (g["Статус"], g["Срок"], g["Охват, %"]) == ("сдан", None, 50.0)


async def test_export_of_a_past_period_gives_that_periods_values(session_pool) -> None:
    world = await _seed(session_pool)
    digest = await _digest(session_pool, world.district, period=PREV_P)
    assert digest.period == PREV_P and digest.deadline == date(2026, 10, 20)
    assert (digest.submitted, digest.due) == (3, 3)  # October's targets: A, B, C
    title, _, rows = _sheet_rows(digest_table_xlsx(digest))
    assert title == "Мониторинг октябрь 2026"
    assert rows["Школа № 1"]["Членов профсоюза"] == 92
    assert rows["Школа № 1"]["Изменение охвата, п.п."] == 22.0  # against June's 70 %
    assert rows["Школа № 2"]["Членов профсоюза"] == 60  # October's revision 2
    assert rows["Школа № 2"]["Редакция"] == 2
    assert rows["Больница"]["Членов профсоюза"] is None
    assert rows["Районная поликлиника"]["Статус"] == "сдан"  # October's was not returned
    assert rows["Дом культуры"]["Статус"] == "не требуется"
    assert digest.coverage == pytest.approx((92 + 60 + 80 + 70) / 400 * 100)


# --- Pure: text limits, period argument -----------------------------------------------------


def _ppo(i: int, district: str = DISTRICT, **extra: Any) -> PpoRow:
    values: dict[str, Any] = {
        "org_id": i,
        "name": f"Муниципальное бюджетное общеобразовательное учреждение № {i} «Гимназия»",
        "district_id": 1,
        "district_name": district,
        "workers": None,
        "listed_chair": None,
        "chair_person_id": i,
        "chair_name": f"Очень-Длинная-Фамилия-Председателя Имя Отчество {i}",
        "chair_tg_id": i,
        "chair_unreachable": i % 2 == 0,
        "chair_paused_until": None,
    }
    values.update(extra)
    return PpoRow(**values)


def _report(org_id: int, period: date, workers: int, members: int) -> ReportRow:
    return ReportRow(
        org_id=org_id,
        period=period,
        revision=1,
        workers=workers,
        members=members,
        youth_workers=None,
        youth_members=None,
        managers=None,
        managers_members=None,
        joined=None,
        left=None,
        retired=None,
        submitted_by=1,
        submitted_by_name="X",
        submitted_at=T0,
        returned_at=None,
        return_comment=None,
    )


def test_long_lists_are_capped_and_the_text_stays_under_the_limit() -> None:
    ppos = [_ppo(i) for i in range(1, 301)]
    reports = {i: _report(i, NOW_P, 100, 30) for i in range(1, 151)}  # all low
    previous = {i: _report(i, PREV_P, 100, 60) for i in range(1, 151)}  # all fell
    data = DigestData(
        scope=ScopeInfo(1, OrgKind.DISTRICT, "Р" * 250, None),
        period=NOW_P,
        today=TODAY,
        tz="Europe/Moscow",
        ppos=ppos,
        reports=reports,
        previous=previous,
        collection=None,
        events=(2, 40),
        events_since=EVENTS_SINCE,
    )
    digest = build_digest(data)
    assert (digest.submitted, digest.due, len(digest.late)) == (150, 300, 150)
    assert len(digest.low) == 150 and len(digest.fell) == 150
    text = digest_text(digest)
    assert len(text) <= TEXT_LIMIT
    assert "Ещё не сдали (150):" in text and "…и ещё" in text
    assert "Охват ниже 50 % (150):" in text and "Охват упал на 5 п.п. и больше (150):" in text
    assert text.count("•") <= 10
    assert len(status_text(digest)) <= TEXT_LIMIT


def _one_ppo_digest(workers: int, members: int, before: int | None = None) -> Any:
    """A district of one ППО with ``members`` of ``workers`` now (``before`` of as many last)."""
    previous = {} if before is None else {1: _report(1, PREV_P, workers, before)}
    data = DigestData(
        scope=ScopeInfo(1, OrgKind.DISTRICT, DISTRICT, None),
        period=NOW_P,
        today=TODAY,
        tz="Europe/Moscow",
        ppos=[_ppo(1, name="Школа")],
        reports={1: _report(1, NOW_P, workers, members)},
        previous=previous,
        collection=None,
    )
    return build_digest(data)


def test_text_and_table_round_half_up_alike() -> None:
    """317 of 400 is exactly 79,25 %, 5,25 p.p. up on 296: 79,3 and +5,3 in the message and
    in the table (``round`` gave the table 79,2 and 5,2)."""
    digest = _one_ppo_digest(400, 317, before=296)
    assert "Школа — 79,3 % (+5,3 п.п.)" in digest_text(digest)
    row = _sheet_rows(digest_table_xlsx(digest))[2]["Школа"]
    assert (row["Охват, %"], row["Изменение охвата, п.п."]) == (79.3, 5.3)


def test_the_low_list_and_the_table_never_round_across_a_tier() -> None:
    """49,98 % is below 50 %: listed there as 49,9 %, not «50 %», and so in the table; 80,04 %
    is more than 80 % and reads 80,1, not 80."""
    low = _one_ppo_digest(10_000, 4_998)
    assert "Охват ниже 50 % (1):\nШкола — 49,9 %" in digest_text(low)
    assert _sheet_rows(digest_table_xlsx(low))[2]["Школа"]["Охват, %"] == 49.9
    high = _one_ppo_digest(10_000, 8_004)
    assert _sheet_rows(digest_table_xlsx(high))[2]["Школа"]["Охват, %"] == 80.1


def test_names_are_escaped_in_html() -> None:
    data = DigestData(
        scope=ScopeInfo(1, OrgKind.DISTRICT, "Район <b>", None),
        period=NOW_P,
        today=TODAY,
        tz="Europe/Moscow",
        ppos=[_ppo(1, name="ППО «A&B» <i>", chair_name="Иванов <script>")],
        reports={},
        previous={},
        collection=None,
    )
    text = digest_text(build_digest(data))
    assert "Район &lt;b&gt;" in text and "ППО «A&amp;B» &lt;i&gt;" in text
    assert "Иванов &lt;script&gt;" in text and "<script>" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.2026", date(2026, 11, 1)),
        ("1/2025", date(2025, 1, 1)),
        ("2026-03", date(2026, 3, 1)),
        ("15.10.2026", date(2026, 10, 1)),
        ("ноябрь 2026", date(2026, 11, 1)),
        ("Март  2025", date(2025, 3, 1)),
        ("май 2025", date(2025, 5, 1)),
        ("13.2026", None),
        ("вчера", None),
        ("", None),
    ],
)
def test_parse_period(text: str, expected: date | None) -> None:
    assert parse_period(text) == expected
