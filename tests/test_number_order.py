"""ППО and districts are listed in the order people read numbers: «№ 2» before «№ 10» and
«№ 10» before «№ 100», in pickers, their pages, /status and the tables, on both backends."""

from __future__ import annotations

import io

import openpyxl

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from harness import ADMIN, Harness, last_message, texts
from scenarios import HEADERS
from test_long_keyboards import labels, on_screen, press

DISTRICT = "Районная организация № {}"
KINDERGARTEN = "МБДОУ детский сад № {}"
KINDERGARTENS_IN_ORDER = [KINDERGARTEN.format(n) for n in (1, 2, 10, 100)]


async def _import(h: Harness, districts: list[int]) -> None:
    """Districts by number, each with one kindergarten; the one numbered 2 with four, listed
    in the file as text order has them."""
    rows = [(DISTRICT.format(d), KINDERGARTEN.format(d), 20, "") for d in districts]
    rows += [(DISTRICT.format(2), KINDERGARTEN.format(n), 20, "") for n in (10, 100, 1)]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", caption="/import")


async def test_status_and_the_table_list_ppo_by_number(harness: Harness) -> None:
    h = harness
    await _import(h, [10, 2, 100])
    pick = last_message(await h.send(ADMIN, "/status"))
    assert labels(pick) == [DISTRICT.format(d) for d in (2, 10, 100)]
    status = last_message(await h.tap(ADMIN, pick, DISTRICT.format(2))).plain_text or ""
    places = [status.index(f"• {name} —") for name in KINDERGARTENS_IN_ORDER]
    assert places == sorted(places), status

    pick = last_message(await h.send(ADMIN, "/export"))
    await h.tap(ADMIN, pick, DISTRICT.format(2))
    _, data = h.server.sent_files(ADMIN)[-1]
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("ППО")
    assert [row[column] for row in rows[1:]] == KINDERGARTENS_IN_ORDER


async def test_pages_of_a_picker_go_by_number(harness: Harness) -> None:
    """22 districts: the first page holds № 1 to № 20 (in text order it held № 100 and none of
    № 3 to № 9), «Ещё…» the rest."""
    h = harness
    await _import(h, [*range(21, 0, -1), 100])
    pick = last_message(await h.send(ADMIN, "/status"))
    assert labels(pick) == [*(DISTRICT.format(d) for d in range(1, 21)), common.BTN_PAGE_ON]
    assert pick.message_id is not None
    await press(h, pick.message_id, common.BTN_PAGE_ON, user=ADMIN)
    turned = on_screen(h, pick.message_id, user=ADMIN)
    assert labels(turned) == [DISTRICT.format(21), DISTRICT.format(100), common.BTN_PAGE_BACK]


async def test_a_renamed_ppo_takes_its_place_by_its_new_number(harness: Harness) -> None:
    """The admin renames «№ 100» to «№ 3» (the card's «Переименовать»): the district's status
    lists it between «№ 2» and «№ 10», by the new name's number, not the old one's."""
    h = harness
    await _import(h, [2, 10])
    found = last_message(await h.send(ADMIN, "/org детский сад № 100"))
    card = last_message(await h.tap(ADMIN, found, KINDERGARTEN.format(100)))
    await h.tap(ADMIN, card, "Переименовать")
    summary = last_message(await h.send(ADMIN, KINDERGARTEN.format(3)))
    assert "Переименовано" in texts(await h.tap(ADMIN, summary, "Отправить"))[0]

    pick = last_message(await h.send(ADMIN, "/status"))
    status = last_message(await h.tap(ADMIN, pick, DISTRICT.format(2))).plain_text or ""
    places = [status.index(f"• {KINDERGARTEN.format(n)} —") for n in (1, 2, 3, 10)]
    assert places == sorted(places), status
