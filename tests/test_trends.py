"""/trends through the dispatcher: the scope's and one ППО's figures year by year and period by
period, the biggest falls and rises over 1, 3 and 5 years, the chart and the .xlsx opened again.

The year's value is its last report by period (a December report sent in January is
December's), returned revisions are left out, a ППО of another district never appears.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

import openpyxl
from PIL import Image
from sqlalchemy import select, update

from bot.domain.sums import Sums
from bot.domain.trends import Move, Series, Trends
from bot.rendering.tables import short
from bot.rendering.trend_chart import trend_chart_png
from bot.rendering.trends import trends_lines, trends_xlsx
from bot.rendering.xlsx import build_table_xlsx
from bot.texts.trends import chart_title
from factories import membership_report
from harness import ADMIN, Harness, last_message, texts
from scenarios import accept_invite, code_of, invite_links
from storage import orgs
from storage.models import Organization, Person, Role, RoleGrant
from storage.trends import TrendPpo

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, KINDERGARTEN = "МБОУ СОШ № 1", "МБДОУ детский сад № 2"
GYMNASIUM, HOSPITAL = "Гимназия <№ 3> & Ко", "ГБУЗ ЦРБ"
CHAIR, STAFF, REGION_STAFF = 501, 801, 802
LISTED = "Иванова Мария Петровна"
T0 = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)

# (ППО, period, workers, members, youth workers, youth members, extra)
REPORTS: list[tuple[str, date, int, int, int | None, int | None, dict[str, Any]]] = [
    (SCHOOL, date(2021, 12, 1), 100, 70, 20, 10, {}),
    (SCHOOL, date(2022, 6, 1), 100, 75, 20, 12, {}),
    (SCHOOL, date(2022, 12, 1), 100, 80, 20, 16, {}),
    # December 2025, sent on 12 January 2026: it is 2025's last report
    (SCHOOL, date(2025, 12, 1), 100, 90, 20, 18, {"at": datetime(2026, 1, 12, 9, tzinfo=UTC)}),
    (SCHOOL, date(2026, 3, 1), 100, 85, 20, 17, {}),
    (SCHOOL, date(2026, 10, 1), 100, 10, 20, 2, {}),  # revision 1: replaced below
    (SCHOOL, date(2026, 10, 1), 100, 60, 20, 10, {"revision": 2}),
    (SCHOOL, date(2026, 11, 1), 100, 99, 20, 20, {"returned": True}),  # returned: left out
    (KINDERGARTEN, date(2021, 12, 1), 50, 20, None, None, {}),
    (KINDERGARTEN, date(2023, 12, 1), 50, 25, None, None, {}),
    (KINDERGARTEN, date(2025, 12, 1), 50, 30, 10, 5, {}),
    (KINDERGARTEN, date(2026, 10, 1), 50, 40, 10, 8, {}),
    (GYMNASIUM, date(2025, 12, 1), 30, 15, None, None, {}),
    (GYMNASIUM, date(2026, 6, 1), 30, 15, None, None, {}),
    (HOSPITAL, date(2025, 12, 1), 300, 100, None, None, {}),
    (HOSPITAL, date(2026, 10, 1), 300, 290, None, None, {}),
]


async def _org_ids(h: Harness) -> dict[str, int]:
    async with h.session_pool() as session:
        rows = (await session.execute(select(Organization.name, Organization.id))).all()
    return {str(name): int(org_id) for name, org_id in rows}


async def world(h: Harness) -> dict[str, int]:
    """Two districts, staff of the first, the school's chair joined, five years of reports."""
    rows = [
        (DISTRICT_A, SCHOOL, 100, LISTED),
        (DISTRICT_A, KINDERGARTEN, 50, ""),
        (DISTRICT_A, GYMNASIUM, 30, ""),
        (DISTRICT_B, HOSPITAL, 300, ""),
    ]
    headers = ("Район", "Организация", "Работников", "Председатель")
    await h.upload(ADMIN, build_table_xlsx("ППО", headers, rows), "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, REGION_STAFF, code_of(staff[DISTRICT_B]), first_name="Ольга")
    ids = await _org_ids(h)
    async with h.session_pool() as session, session.begin():
        region = (await session.get(Organization, ids[DISTRICT_B])).parent_id  # type: ignore[union-attr]
        person = (await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))).one()
        other = (
            await session.scalars(select(Person.id).where(Person.tg_user_id == REGION_STAFF))
        ).one()
        await session.execute(  # the second staff member works for the region
            update(RoleGrant)
            .where(RoleGrant.person_id == other, RoleGrant.role == Role.STAFF)
            .values(org_id=region)
        )
        for name, period, workers, members, youth_w, youth_m, extra in REPORTS:
            session.add(
                membership_report(
                    ids[name],
                    period,
                    workers,
                    members,
                    by=person,
                    at=extra.get("at", T0),
                    revision=extra.get("revision", 1),
                    youth_workers=youth_w,
                    youth_members=youth_m,
                    returned_at=T0 if extra.get("returned") else None,
                )
            )
    return ids


def _sheets(data: bytes) -> dict[str, list[dict[str, Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    result = {}
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        result[sheet.title] = [dict(zip(header, row, strict=True)) for row in rows]
    return result


def _files(h: Harness, user: int) -> dict[str, bytes]:
    return dict(h.server.sent_files(user))


async def test_district_trends_message_chart_and_table(harness: Harness) -> None:
    await world(harness)
    replies = await harness.send(STAFF, "/trends")
    assert [r.method for r in replies if r.method.startswith("send")][-2:] == [
        "sendPhoto",
        "sendDocument",
    ]
    text = "\n".join(texts(replies))
    assert "Динамика: Кировская районная организация" in text
    # 2026: the school's October revision 2 (60), not its returned November (99); the
    # kindergarten's October (40); the gymnasium's June (15): 115 of 180
    assert "• 2026: охват 63,9 % — 115 из 180; молодёжь 60 % (18 из 30); ППО: 3" in text
    # 2025: the school's December report, though it was sent in January 2026
    assert "• 2025: охват 75 % — 135 из 180" in text
    assert "• 2021: охват 60 % — 90 из 150" in text
    assert "• 2024: отчётов нет" in text
    # October 2026 carries the gymnasium's June report: the same as the year
    assert "• октябрь 2026: охват 63,9 % — 115 из 180 (ППО: 3)" in text
    assert (
        "Больше всего упал охват за 1 год (2025 → 2026):\n"
        f"• {SCHOOL} — {LISTED}: 90 % → 60 % (−30 п.п.)"
    ) in text
    assert (
        "Больше всего вырос охват за 1 год (2025 → 2026):\n"
        f"• {KINDERGARTEN}: 60 % → 80 % (+20 п.п.)"
    ) in text
    assert f"вырос охват за 3 года (2023 → 2026):\n• {KINDERGARTEN}: 50 % → 80 % (+30" in text
    assert f"упал охват за 5 лет (2021 → 2026):\n• {SCHOOL}" in text
    assert GYMNASIUM not in text  # its coverage did not move: in no list
    assert HOSPITAL not in text and "Динамика_2026.xlsx" in _files(harness, STAFF)

    with Image.open(io.BytesIO(_files(harness, STAFF)["Динамика_2026.png"])) as image:
        assert image.format == "PNG" and image.size == (1080, 1350)

    sheets = _sheets(_files(harness, STAFF)["Динамика_2026.xlsx"])
    assert list(sheets) == ["По годам", "По периодам", "Рост и падение"]
    years = sheets["По годам"]
    *ppo_rows, totals = years
    assert [row["ППО"] for row in ppo_rows] == [GYMNASIUM, KINDERGARTEN, SCHOOL]
    assert totals["Район"] == "Итого"
    for year in range(2021, 2027):
        for what in ("Членов профсоюза", "Работающих", "Членов до 35 лет"):
            column = f"{year}: {what}"
            assert (totals[column] or 0) == sum(row[column] or 0 for row in ppo_rows), column
    assert (totals["2026: Членов профсоюза"], totals["2026: Работающих"]) == (115, 180)
    assert totals["2026: Охват, %"] == 63.9
    school = ppo_rows[2]
    assert (school["2026: Членов профсоюза"], school["2025: Членов профсоюза"]) == (60, 90)
    assert school["Председатель"] == LISTED
    assert school["2024: Членов профсоюза"] is None  # no report that year: the column stays
    periods = {row["Период"]: row for row in sheets["По периодам"]}
    assert (
        periods["октябрь 2026"]["Членов профсоюза"],
        periods["октябрь 2026"]["ППО с отчётом"],
    ) == (
        115,
        3,
    )
    assert "ноябрь 2026" not in periods  # only the returned report was for November
    moves = sheets["Рост и падение"]
    assert {row["ППО"] for row in moves} == {SCHOOL, KINDERGARTEN}
    first = moves[0]
    assert list(first)[:4] == ["Направление", "Срок, лет", "Начальный год", "Конечный год"]
    assert (first["Срок, лет"], first["Начальный год"], first["Конечный год"]) == (1, 2025, 2026)
    assert (first["Направление"], first["ППО"], first["Изменение, п.п."]) == (
        "упал",
        SCHOOL,
        -30.0,
    )


async def test_one_ppo_and_what_is_not_found(harness: Harness) -> None:
    ids = await world(harness)
    text = "\n".join(texts(await harness.send(STAFF, "/trends сош")))
    assert f"ППО: {SCHOOL} — {LISTED}" in text
    assert "• 2022: охват 80 % — 80 из 100; молодёжь 80 % (16 из 20)" in text
    assert "• 2026: охват 60 % — 60 из 100" in text
    assert "• июнь 2022: охват 75 % — 75 из 100" in text
    years = _sheets(_files(harness, STAFF)["Динамика_2026.xlsx"])["По годам"]
    assert [row["ППО"] for row in years] == [SCHOOL, None]
    assert years[1]["2026: Членов профсоюза"] == 60

    escaped = "\n".join(texts(await harness.send(STAFF, "/trends <№ 3>")))
    assert f"ППО: {GYMNASIUM}" in escaped and "• 2026: охват 50 % — 15 из 30" in escaped

    by_number = "\n".join(texts(await harness.send(STAFF, f"/trends {ids[KINDERGARTEN]}")))
    assert f"ППО: {KINDERGARTEN}" in by_number

    for query in (HOSPITAL, str(ids[HOSPITAL]), "нет такой"):
        answer = texts(await harness.send(STAFF, f"/trends {query}"))
        assert len(answer) == 1 and "в вашей организации не нашлось" in answer[0], query

    choice = texts(await harness.send(STAFF, "/trends мб"))
    assert "Нашлось ППО: 2" in choice[0]
    assert f"/trends {ids[SCHOOL]} — {SCHOOL}" in choice[0]


async def _rename(h: Harness, org_id: int, name: str) -> None:
    async with h.session_pool() as session, session.begin():
        orgs.set_name(await session.get_one(Organization, org_id), name, T0)


async def _subject(h: Harness, query: str) -> str:
    """Whose trends ``/trends query`` shows ("" when it shows none)."""
    lines = "\n".join(texts(await h.send(STAFF, f"/trends {query}"))).splitlines()
    subjects = [line.removeprefix("ППО: ") for line in lines if line.startswith("ППО: ")]
    return subjects[0].split(" — ")[0] if subjects else ""


async def test_a_number_with_the_sign_is_a_part_of_a_name(harness: Harness) -> None:
    """ППО are named «Гимназия № 3» everywhere: «№ 3» is that name, never the ППО the bot
    numbers 3 (the school here); a number is taken as the bot shows it, «123» or «#123»."""
    ids = await world(harness)
    assert ids[SCHOOL] == 3  # the trap: «№ 3» read as a number showed the school
    assert await _subject(harness, "№ 3") == GYMNASIUM
    assert await _subject(harness, "№ 1") == SCHOOL
    assert await _subject(harness, f"#{ids[KINDERGARTEN]}") == KINDERGARTEN


async def test_odd_digits_find_nothing_and_the_example_finds_a_ppo(harness: Harness) -> None:
    await world(harness)
    for odd in ("²", "①", "٣"):  # digits int() fails on, or reads (٣ is 3): never a number
        answer = texts(await harness.send(STAFF, f"/trends {odd}"))
        assert len(answer) == 1 and "в вашей организации не нашлось" in answer[0], odd
    example = answer[0].split("например: ", 1)[1].split(" или ", 1)[0]
    assert (example, await _subject(harness, example.removeprefix("/trends "))) == (
        "/trends СОШ № 1",
        SCHOOL,
    )


async def test_a_number_in_a_name_is_whole_and_several_are_listed(harness: Harness) -> None:
    ids = await world(harness)
    await _rename(harness, ids[KINDERGARTEN], "МБДОУ детский сад № 1")
    choice = texts(await harness.send(STAFF, "/trends № 1"))
    assert "Нашлось ППО: 2" in choice[0]
    assert f"/trends {ids[SCHOOL]} — {SCHOOL}" in choice[0]
    assert f"/trends {ids[KINDERGARTEN]} — МБДОУ детский сад № 1" in choice[0]
    await _rename(harness, ids[KINDERGARTEN], "МБДОУ детский сад № 12")
    assert await _subject(harness, "№ 1") == SCHOOL  # not «№ 12» too
    assert await _subject(harness, "№ 12") == "МБДОУ детский сад № 12"
    returned = last_message(await harness.send(STAFF, "/return сош № 1"))  # the same reading
    assert [label for label, _ in returned.buttons()] == [SCHOOL]


async def test_return_reads_a_number_with_the_sign_as_a_name(harness: Harness) -> None:
    """/return's search shares the reading: «№ 3» does not offer the school numbered 3."""
    await world(harness)
    returned = last_message(await harness.send(STAFF, "/return № 3"))
    assert [label for label, _ in returned.buttons()] == [GYMNASIUM]


async def test_region_staff_see_every_district(harness: Harness) -> None:
    await world(harness)
    replies = await harness.send(REGION_STAFF, "/trends")
    text = "\n".join(texts(replies))
    assert "• 2026: охват 84,4 % — 405 из 480; молодёжь 60 % (18 из 30); ППО: 4" in text
    rise = text.split("Больше всего вырос охват за 1 год (2025 → 2026):\n", 1)[1]
    assert rise.startswith(f"• {HOSPITAL}: 33,3 % → 96,7 % (+63,4 п.п.)\n• {KINDERGARTEN}")
    years = _sheets(_files(harness, REGION_STAFF)["Динамика_2026.xlsx"])["По годам"]
    # a region's table has a row per district (its ППО summed), then the totals row
    assert [(row["Район"], row["ППО"]) for row in years] == [
        (DISTRICT_A, None),
        (DISTRICT_B, None),
        ("Итого", None),
    ]
    assert [row["2026: Членов профсоюза"] for row in years] == [115, 290, 405]
    assert [row["2021: Работающих"] for row in years] == [150, None, 150]


async def test_trends_is_staff_only_and_in_help(harness: Harness) -> None:
    await world(harness)
    refused = texts(await harness.send(CHAIR, "/trends"))
    assert refused and "Динамика" not in refused[0]
    assert "/trends" in texts(await harness.send(STAFF, "/help"))[0]
    assert "/trends" not in texts(await harness.send(CHAIR, "/help"))[0]
    choice = last_message(await harness.send(ADMIN, "/trends"))  # admins pick a district
    replies = await harness.tap(ADMIN, choice, DISTRICT_B)
    text = "\n".join(texts(replies))
    assert "Динамика: Ленинская районная организация" in text and SCHOOL not in text


def test_a_shown_change_is_the_difference_of_the_shown_figures() -> None:
    """70,04 → 70,16 reads «70 % → 70,2 %»: the change beside it is +0,2, not the exact +0,12
    rounded to +0,1, in the message and in the table alike."""
    ppo = TrendPpo(1, "Школа № 1", "школа № 1", "Район", None, None)
    move = Move(ppo, 2025, 2026, before=70.04, after=70.16)
    trends = Trends("Район", False, [ppo], {}, [2025, 2026], Series([], []), moves={1: [move]})

    (line,) = [line for line in trends_lines(trends) if "Школа № 1" in line]
    assert "70 % → 70,2 %" in line and "+0,2 п.п." in line
    book = openpyxl.load_workbook(io.BytesIO(trends_xlsx(trends)))
    (row,) = list(book["Рост и падение"].iter_rows(min_row=2, values_only=True))
    assert row[-1] == 0.2


def _ink_rows(png: bytes, top_px: int) -> tuple[list[int], int]:
    """The rows of the top ``top_px`` pixels with dark ink, and the rightmost inked column."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width = image.size[0]
    pixels = image.load()
    assert pixels is not None
    inked = [(x, y) for y in range(top_px) for x in range(width) if int(pixels[x, y]) < 128]
    return sorted({y for _, y in inked}), max(x for x, _ in inked)


def test_a_long_ppo_name_in_the_chart_title_is_shortened_on_its_own_line() -> None:
    name = "МБОУ «Средняя общеобразовательная школа № 12 с углублённым изучением предметов»"
    series = Series(years=[(2026, Sums(60, 100))], periods=[(date(2026, 3, 1), Sums(60, 100))])
    png = trend_chart_png(chart_title(DISTRICT_A, short(name, 60)), series)
    rows, rightmost = _ink_rows(png, 95)  # the title, above the legend
    assert rightmost < 1080 - 30  # nothing runs off the picture's right edge
    gaps = [y for y, after in pairwise(rows) if after - y > 1]
    assert len(gaps) == 1  # two lines: «Динамика охвата…» and the name under it
