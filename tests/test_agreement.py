"""One figure, several outputs: where /digest, /export, /rating and /trends answer the same
question about the same reports, staff must read the same number in each.

Driven through the dispatcher against the fake Bot API server; the tables are opened again.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl

from harness import Harness, texts
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    DistrictEvent,
    DistrictEventAnswer,
    DistrictEventInvite,
    Event,
)
from test_trends import (
    DISTRICT_A,
    DISTRICT_B,
    GYMNASIUM,
    HOSPITAL,
    KINDERGARTEN,
    REGION_STAFF,
    SCHOOL,
    STAFF,
    world,
)

T_DELETED = datetime(2026, 9, 3, tzinfo=UTC)


def _first_sheet(data: bytes, title: str | None = None) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[title] if title is not None else book.worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows if any(row)]


async def _reply(
    h: Harness, command: str, sheet: str | None = None, user: int = REGION_STAFF
) -> tuple[str, list[dict[str, Any]]]:
    """The text of the reply to ``command`` and a sheet (the first one unless named) of the
    .xlsx it sent, if any."""
    sent = len(h.server.sent_files(user))
    text = "\n".join(texts(await h.send(user, command)))
    tables = [data for name, data in h.server.sent_files(user)[sent:] if ".xlsx" in name]
    return text, _first_sheet(tables[-1], sheet) if tables else []


async def test_a_ppo_change_reads_alike_in_trends_rating_digest_and_export(
    harness: Harness,
) -> None:
    # The hospital: December 2025 100 of 300 (33,33 %), October 2026 290 of 300 (96,67 %):
    # its only reports, so October's change since its previous report, its change over 2026
    # in the rating and its change over one year in /trends are one change between the same
    # two reports. /trends shows it as the difference of the shown figures: 96,7 − 33,3 = 63,4
    # (the exact 63,33 would read 63,3, and a reader subtracting would disagree).
    ids = await world(harness)
    async with harness.session_pool() as session, session.begin():
        october = Collection(  # the district's October monitoring: /digest's period
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=ids[DISTRICT_B],
            period=date(2026, 10, 1),
            title="Мониторинг",
            one_off=False,
            opened_at=datetime(2026, 10, 1, 7, tzinfo=UTC),
            deadline=date(2026, 10, 26),
        )
        session.add(october)
        await session.flush()
        session.add(
            CollectionTarget(
                collection_id=october.id,
                org_id=ids[HOSPITAL],
                tier="50-80",
                deadline=date(2026, 10, 26),
                submitted_at=datetime(2026, 10, 20, 7, tzinfo=UTC),
                submitted_on=date(2026, 10, 20),
            )
        )
    trends, _ = await _reply(harness, "/trends")
    assert f"{HOSPITAL}: 33,3 % → 96,7 % (+63,4 п.п.)" in trends

    rating, rating_rows = await _reply(harness, "/rating 2026")
    assert f"{HOSPITAL} — 64 · охват 96,7 % (+63,4 п.п.)" in rating
    row = next(r for r in rating_rows if r["ППО"] == HOSPITAL)
    assert (row["Охват профчленством, %"], row["Динамика охвата, п.п."]) == (96.7, 63.4)

    digest, digest_rows = await _reply(harness, "/digest")
    assert "Мониторинг за октябрь 2026" in digest
    assert f"{HOSPITAL} — 96,7 % (+63,4 п.п.)" in digest
    _, export_rows = await _reply(harness, "/export 10.2026")
    for rows in (digest_rows, export_rows):
        row = next(r for r in rows if r["ППО"] == HOSPITAL)
        assert (row["Охват, %"], row["Изменение охвата, п.п."], row["Прошлый отчёт за"]) == (
            96.7,
            63.4,
            "декабрь 2025",
        )
    _, december = await _reply(harness, "/export 12.2025")
    assert next(r for r in december if r["ППО"] == HOSPITAL)["Охват, %"] == 33.3


def _event(org_id: int, day: date, participants: int, key: str, **extra: Any) -> Event:
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return Event(
        org_id=org_id,
        kind="meeting",
        topic="Собрание",
        date_from=day,
        date_to=day,
        online=False,
        participants=participants,
        direction="social",
        photos=[],
        created_by=1,
        created_at=moment,
        updated_at=moment,
        submission_key=key,
        **extra,
    )


async def test_a_ppo_events_of_the_year_read_alike_in_the_events_report_and_the_rating(
    harness: Harness,
) -> None:
    # The school held two meetings in 2026 (one deleted, one of 2025 besides) and sent 5
    # people to the district's seminar; the kindergarten sent 3 and held nothing itself; the
    # gymnasium's chair promised 4 but nobody came. /eventsreport 2026 counts the seminar as
    # an event of each ППО that took part, with its people: /rating 2026 must count the same.
    ids = await world(harness)
    async with harness.session_pool() as session, session.begin():
        session.add(_event(ids[SCHOOL], date(2026, 3, 10), 20, "e1"))
        session.add(_event(ids[SCHOOL], date(2026, 9, 1), 7, "e2"))
        session.add(_event(ids[SCHOOL], date(2026, 9, 2), 50, "e3", deleted_at=T_DELETED))
        session.add(_event(ids[SCHOOL], date(2025, 12, 30), 9, "e4"))
        seminar = DistrictEvent(
            scope_org_id=ids[DISTRICT_A],
            kind="seminar",
            direction="training",
            title="Семинар председателей",
            starts_at=datetime(2026, 4, 14, 7, tzinfo=UTC),
            starts_on=date(2026, 4, 14),
            place="Дом профсоюзов",
            online=False,
            answer_by=date(2026, 4, 10),
            created_by=1,
            created_at=datetime(2026, 4, 1, tzinfo=UTC),
            submission_key="devent-1",
        )
        session.add(seminar)
        await session.flush()
        for name, people, came in ((SCHOOL, 5, 5), (KINDERGARTEN, 3, 3), (GYMNASIUM, 4, 0)):
            session.add(
                DistrictEventInvite(
                    event_id=seminar.id,
                    org_id=ids[name],
                    answer=DistrictEventAnswer.COMING,
                    people=people,
                    attended=came,
                )
            )
    _, by_ppo = await _reply(harness, "/eventsreport 2026", sheet="По ППО")
    report = {row["ППО"]: (row["Мероприятий"], row["Участников"]) for row in by_ppo}
    assert report[SCHOOL] == (3, 32) and report[KINDERGARTEN] == (1, 3)
    _, rating_rows = await _reply(harness, "/rating 2026")
    rating = {row["ППО"]: (row["Мероприятий"], row["Участников"]) for row in rating_rows}
    for name in (SCHOOL, KINDERGARTEN, GYMNASIUM, HOSPITAL):
        assert rating[name] == report[name], name


async def test_a_period_the_district_asked_nobody_for_reads_alike_in_its_export_and_the_regions(
    harness: Harness,
) -> None:
    # March 2026: the Ленинская district asked its hospital (33 % in December: four reports a
    # year); the Кировская district's calendar asked nobody (its ППО report in October and
    # December), though the school reported March of its own accord. The region's table says
    # the Кировская ППО were not asked («не требуется»); the district's own /export 3.2026 must
    # say so too, not count them due and «не сдан»: then «Сдали» of the districts adds up to
    # the region's.
    ids = await world(harness)
    async with harness.session_pool() as session, session.begin():
        asked = {  # each district's monitoring: whom it asked
            (DISTRICT_A, date(2025, 12, 1)): (SCHOOL, KINDERGARTEN, GYMNASIUM),
            (DISTRICT_B, date(2026, 3, 1)): (HOSPITAL,),
        }
        for (district, period), names in asked.items():
            deadline = period.replace(day=25)
            monitoring = Collection(
                kind=CollectionKind.MEMBERSHIP,
                scope_org_id=ids[district],
                period=period,
                title="Мониторинг",
                one_off=False,
                opened_at=datetime.combine(period, datetime.min.time(), tzinfo=UTC),
                deadline=deadline,
            )
            session.add(monitoring)
            await session.flush()
            for name in names:
                target = CollectionTarget(
                    collection_id=monitoring.id, org_id=ids[name], tier="-", deadline=deadline
                )
                session.add(target)
    _, region = await _reply(harness, "/export 3.2026")
    _, district = await _reply(harness, "/export 3.2026", user=STAFF)
    in_region = {row["ППО"]: row["Статус"] for row in region if row["Район"] == DISTRICT_A}
    assert in_region == {SCHOOL: "сдан", KINDERGARTEN: "не требуется", GYMNASIUM: "не требуется"}
    assert {row["ППО"]: row["Статус"] for row in district} == in_region
    status = "\n".join(texts(await harness.send(REGION_STAFF, "/status")))
    assert "Мониторинг за март 2026" in status and "Сдали: 0 из 1" in status
