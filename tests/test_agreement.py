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
from storage.models import Collection, CollectionKind, CollectionTarget
from test_trends import DISTRICT_B, HOSPITAL, REGION_STAFF, world


def _first_sheet(data: bytes) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows if any(row)]


async def _reply(h: Harness, command: str) -> tuple[str, list[dict[str, Any]]]:
    """The text of the reply to ``command`` and the first sheet of the .xlsx it sent, if any."""
    sent = len(h.server.sent_files(REGION_STAFF))
    text = "\n".join(texts(await h.send(REGION_STAFF, command)))
    tables = [data for name, data in h.server.sent_files(REGION_STAFF)[sent:] if ".xlsx" in name]
    return text, _first_sheet(tables[-1]) if tables else []


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
