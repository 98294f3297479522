"""Shared steps of the conversations the tests walk: a district set up, a chair joined."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from bot.rendering.xlsx import build_table_xlsx
from harness import ADMIN, Harness, Request

DISTRICT = "Родионово-Несветайская районная организация"
HEADERS = ("Район", "Организация", "Работников", "Председатель")
ROWS = [
    (DISTRICT, "МБОУ СОШ № 1", 54, "Иванова Мария Петровна"),
    (DISTRICT, "МБДОУ детский сад «Солнышко»", 20, ""),
    (DISTRICT, "", 10, ""),
    (DISTRICT, "ГБУЗ ЦРБ", "много", ""),
]


def org_file() -> bytes:
    return build_table_xlsx("ППО", HEADERS, ROWS)


async def setup_district(h: Harness) -> None:
    await h.upload(ADMIN, org_file(), "list.xlsx", caption="/import")


async def invite_links(h: Harness, whom: str = "председатель ППО") -> dict[str, str]:
    """Organization name → its deep link for ``whom``, read back from the .xlsx the bot sent."""
    await h.send(ADMIN, "/invites")
    name, data = h.server.sent_files(ADMIN)[-1]
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    org_col, link_col = header.index("Организация"), header.index("Ссылка")
    whom_col = header.index("Кому")
    return {row[org_col]: row[link_col] for row in rows[1:] if row[whom_col] == whom}


def code_of(link: str) -> str:
    return link.split("?start=", 1)[1]


CHAIR = 501


CONSENT_BUTTON = "Согласен"
JOIN_BUTTON = "Да, подключиться"


async def accept_invite(h: Harness, user: int, code: str, **kwargs: Any) -> list[Request]:
    """``/start <code>``, then «Согласен» if the bot asks for consent (or «Да, подключиться»
    if it asks a registered person to confirm): the replies to the last step (the welcome,
    or the explanation of a bad code)."""
    replies = await h.send(user, f"/start {code}", **kwargs)
    for button in (CONSENT_BUTTON, JOIN_BUTTON):
        question = next(
            (r for r in replies if r.method == "sendMessage" and button in str(r.buttons())),
            None,
        )
        if question is not None:
            return await h.tap(user, question, button)
    return replies


async def join(h: Harness, org: str = "МБОУ СОШ № 1", user: int = CHAIR) -> None:
    await setup_district(h)
    link = (await invite_links(h))[org]
    await accept_invite(h, user, code_of(link), first_name="Мария")


async def answer_all(h: Harness, values: list[str]) -> list[Request]:
    replies = await h.send(CHAIR, "/report")
    for value in values:
        replies = await h.send(CHAIR, value)
    return replies


FULL = ["54", "40", "12", "8", "3", "2", "4", "1", "5"]
