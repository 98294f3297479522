"""Admin sets up a district from a spreadsheet; chairs join by invite (through the Dispatcher)."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select

from bot.domain.org_list import parse_org_table
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import admin as ta
from bot.texts import staff as ts
from handlers.callbacks import OrgAction, OrgCb
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    DISTRICT,
    HEADERS,
    accept_invite,
    code_of,
    invite_links,
    org_file,
    setup_district,
)
from storage.models import Invite, Organization, OrgKind


async def ppo_count(h: Harness) -> int:
    async with h.session_pool() as session:
        stmt = select(func.count()).where(Organization.kind == OrgKind.PPO)
        return int(await session.scalar(stmt) or 0)


async def test_import_lands_good_rows_and_reports_bad_ones_by_number(harness: Harness) -> None:
    replies = texts(await harness.upload(ADMIN, org_file(), "list.xlsx", caption="/import"))
    joined = "\n".join(replies)
    assert "Новых ППО: 2" in joined
    assert "Строка 4" in joined and "Строка 5" in joined
    assert "abc" not in joined and "много" in joined
    assert await ppo_count(harness) == 2

    again = "\n".join(texts(await harness.upload(ADMIN, org_file(), "list.xlsx")))
    assert "Новых ППО: 0" in again and "Без изменений: 2" in again
    assert await ppo_count(harness) == 2


async def test_import_of_cp1251_csv(harness: Harness) -> None:
    csv = "Район;Организация;Работников\nКировская районная организация;ГБУЗ ЦРБ;300\n"
    replies = texts(
        await harness.upload(ADMIN, csv.encode("cp1251"), "list.csv", caption="/import")
    )
    assert "Новых ППО: 1" in "\n".join(replies)


async def test_import_of_garbage_says_what_is_wrong(harness: Harness) -> None:
    replies = texts(await harness.upload(ADMIN, b"hello", "notes.txt"))
    assert replies and ".xlsx" in replies[0]
    assert await ppo_count(harness) == 0


async def test_import_command_without_file_asks_for_it(harness: Harness) -> None:
    assert "Пришлите файл" in texts(await harness.send(ADMIN, "/import"))[0]


async def test_template_is_a_file_the_import_accepts(harness: Harness) -> None:
    await harness.send(ADMIN, "/template")
    name, data = harness.server.sent_files(ADMIN)[-1]
    table = parse_org_table(data, name)
    assert table.fatal is None and table.errors == [] and len(table.rows) == 3


async def test_orgs_tree_shows_chairs(harness: Harness) -> None:
    await setup_district(harness)
    links = await invite_links(harness)
    await accept_invite(harness, 501, code_of(links["МБОУ СОШ № 1"]), first_name="Мария")
    tree = "\n".join(texts(await harness.send(ADMIN, "/orgs")))
    assert DISTRICT in tree and "председателей подключено: 1" in tree
    assert "МБОУ СОШ № 1 — Мария" in tree
    assert "Солнышко" in tree and "не подключён" in tree


async def test_orgs_tree_marks_the_archived_and_counts_only_the_rest(harness: Harness) -> None:
    """An archived ППО is marked 🗄 and not counted among its district's ППО (it read as one
    more ППО waiting for its chair, while /invites leaves it out)."""
    await setup_district(harness)
    before = "\n".join(texts(await harness.send(ADMIN, "/orgs")))
    async with harness.session_pool() as session, session.begin():
        garden = await session.scalars(
            select(Organization).where(Organization.name.like("%Солнышко%"))
        )
        garden.one().archived_at = harness.clock.now()
    tree = "\n".join(texts(await harness.send(ADMIN, "/orgs")))
    [count_before] = [line for line in before.splitlines() if DISTRICT in line]
    [count_after] = [line for line in tree.splitlines() if DISTRICT in line]
    total = int(count_before.split("ППО: ")[1].split(",")[0])
    assert f"ППО: {total - 1}," in count_after, count_after
    [garden_line] = [line for line in tree.splitlines() if "Солнышко" in line]
    assert garden_line.lstrip().startswith("🗄") and "в архиве" in garden_line, garden_line


async def test_invites_cover_unchaired_ppo_and_stay_stable(harness: Harness) -> None:
    await setup_district(harness)
    first = await invite_links(harness)
    assert set(first) == {"МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"}
    assert all(link.startswith("https://t.me/ppo_test_bot?start=") for link in first.values())
    assert await invite_links(harness) == first


async def test_join_by_invite_then_code_is_spent(harness: Harness) -> None:
    await setup_district(harness)
    link = (await invite_links(harness))["МБОУ СОШ № 1"]
    welcome = texts(await accept_invite(harness, 501, code_of(link), first_name="Мария"))
    assert "председатель" in welcome[0] and "МБОУ СОШ № 1" in welcome[0]
    assert "/report" in welcome[0]
    menus = [r for r in harness.server.requests if r.method == "setMyCommands"]
    chair_menu = next(r for r in menus if r.params.get("scope", {}).get("chat_id") == 501)
    assert {c["command"] for c in chair_menu.params["commands"]} == {
        "start",
        "report",
        "event",
        "events",
        "passport",
        "history",
        "pause",
        "cancel",
        "help",
    }

    stranger = texts(await accept_invite(harness, 502, code_of(link)))
    assert "уже использована" in stranger[0]
    assert "МБОУ СОШ № 1" not in "\n".join(await invite_links(harness))


async def test_wrong_and_expired_codes_are_explained(harness: Harness) -> None:
    await setup_district(harness)
    link = (await invite_links(harness))["МБОУ СОШ № 1"]
    assert "не найдена" in texts(await harness.send(502, "/start WRONGCODE"))[0]
    harness.clock.advance(days=31)  # type: ignore[attr-defined]
    assert "истёк" in texts(await accept_invite(harness, 502, code_of(link)))[0]


async def test_reissued_invite_kills_the_old_one(harness: Harness) -> None:
    await setup_district(harness)
    old = (await invite_links(harness))["МБОУ СОШ № 1"]
    async with harness.session_pool() as session:
        org_id = (
            await session.scalars(
                select(Organization.id).where(Organization.name == "МБОУ СОШ № 1")
            )
        ).one()
    reply = texts(await harness.send(ADMIN, f"/invite {org_id}"))[0]
    new_code = reply.split("?start=", 1)[1].split()[0]
    assert new_code != code_of(old)
    assert "уже использована" in texts(await accept_invite(harness, 503, code_of(old)))[0]
    assert "МБОУ СОШ № 1" in texts(await accept_invite(harness, 503, new_code))[0]


async def test_no_invite_is_issued_for_an_archived_organization(harness: Harness) -> None:
    """/invite N for an archived ППО says it is archived and how to restore it; no link is
    issued (one would refuse everyone who opens it)."""
    await setup_district(harness)
    async with harness.session_pool() as session, session.begin():
        school = (
            await session.scalars(select(Organization).where(Organization.name == "МБОУ СОШ № 1"))
        ).one()
        school.archived_at = harness.clock.now()
        org_id = school.id
    async with harness.session_pool() as session:
        before = len((await session.scalars(select(Invite.id))).all())
    reply = texts(await harness.send(ADMIN, f"/invite {org_id}"))[0]
    assert "в архиве" in reply and f"/org {org_id}" in reply and "?start=" not in reply, reply
    async with harness.session_pool() as session:
        assert len((await session.scalars(select(Invite.id))).all()) == before


async def test_stranger_is_told_how_to_join(harness: Harness) -> None:
    for text in ("привет", "/report", "/import", "/orgs"):
        replies = texts(await harness.send(777, text))
        assert replies, f"silence on {text!r}"
        assert "ссылку-приглашение" in replies[0]


async def test_chair_cannot_use_admin_commands(harness: Harness) -> None:
    await setup_district(harness)
    link = (await invite_links(harness))["МБОУ СОШ № 1"]
    await accept_invite(harness, 501, code_of(link))
    assert "вам недоступна" in texts(await harness.send(501, "/invites"))[0]
    assert "вам недоступна" in texts(await harness.send(501, "/orgs"))[0]


async def test_help_fits_the_role(harness: Harness) -> None:
    assert "/import" in texts(await harness.send(ADMIN, "/help"))[0]
    chair_help = None
    await setup_district(harness)
    link = (await invite_links(harness))["МБОУ СОШ № 1"]
    await accept_invite(harness, 501, code_of(link))
    chair_help = texts(await harness.send(501, "/help"))[0]
    assert "/report" in chair_help and "/import" not in chair_help
    stranger_help = texts(await harness.send(777, "/help"))[0]
    assert "/report" not in stranger_help and "ссылку-приглашение" in stranger_help


async def test_redelivered_update_is_applied_once(harness: Harness) -> None:
    update_id = harness.server.document(ADMIN, org_file(), "list.xlsx", "/import")
    await harness.feed(update_id)
    again = await harness.feed(update_id)
    assert again == []
    assert await ppo_count(harness) == 2


async def test_staff_invite_joins_a_district(harness: Harness) -> None:
    await setup_district(harness)
    staff_links = await invite_links(harness, whom="сотрудник аппарата")
    assert set(staff_links) == {DISTRICT}
    welcome = texts(await accept_invite(harness, 801, code_of(staff_links[DISTRICT])))[0]
    assert "сотрудник аппарата" in welcome and DISTRICT in welcome
    assert await invite_links(harness, whom="сотрудник аппарата") == {}
    staff_help = texts(await harness.send(801, "/help"))[0]
    assert "/report" not in staff_help and "/help" in staff_help


async def _import(h: Harness, headers: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    data = build_table_xlsx("ППО", headers, rows)
    return "\n".join(texts(await h.upload(ADMIN, data, "list.xlsx", caption="/import")))


async def test_naming_the_region_later_renames_the_placeholder(harness: Harness) -> None:
    """A first list without «Регион» puts everything under DEFAULT_REGION; a later list naming
    the one region is the same tree, not a second copy of every district and ППО."""
    await _import(harness, ("Район", "Организация", "Работников"), [(DISTRICT, "МБОУ СОШ № 1", 54)])
    region = "Ростовская областная организация <Профсоюза>"
    reply = await _import(
        harness,
        ("Регион", "Район", "Организация", "Работников"),
        [(region, DISTRICT, "МБОУ СОШ № 1", 60)],
    )
    assert "Новых ППО: 0" in reply and "Обновлено: 1" in reply
    assert "Новые районные организации" not in reply
    assert f"теперь называется «{region}»" in reply  # escaped, parsed back by the fake server
    async with harness.session_pool() as session:
        kinds = (await session.execute(select(Organization.kind, Organization.name))).all()
    assert sorted(kinds) == sorted(
        [(OrgKind.REGION, region), (OrgKind.DISTRICT, DISTRICT), (OrgKind.PPO, "МБОУ СОШ № 1")]
    )

    second = "Курская областная организация"
    reply = await _import(
        harness,
        ("Регион", "Район", "Организация"),
        [(second, "Советская районная организация", "ДШИ")],
    )
    assert "теперь называется" not in reply  # a real second region: a region of its own
    assert "Новые районные организации: Советская районная организация" in reply


async def test_rows_landing_in_the_archive_are_named(harness: Harness) -> None:
    await _import(harness, ("Район", "Организация"), [(DISTRICT, "МБОУ СОШ № 1")])
    async with harness.session_pool() as session, session.begin():
        district = (
            await session.scalars(select(Organization).where(Organization.name == DISTRICT))
        ).one()
        district.archived_at = harness.clock.now()
    reply = await _import(harness, ("Район", "Организация"), [(DISTRICT, "Новая школа <№ 2>")])
    assert "Новых ППО: 1" in reply
    assert "В архиве (1): «Новая школа <№ 2>»" in reply and "/org" in reply


async def test_an_admin_of_a_fresh_install_is_pointed_to_import(harness: Harness) -> None:
    for command in ("/status", "/digest", "/export", "/devent", "/request"):
        assert texts(await harness.send(ADMIN, command)) == [ts.NO_DISTRICTS_YET], command
    assert texts(await harness.send(ADMIN, "/invites")) == [ta.INVITES_NO_ORGS]
    await harness.upload(ADMIN, org_file(), "list.xlsx", caption="/import")
    assert texts(await harness.send(ADMIN, "/status")) != [ts.NO_DISTRICTS_YET]


async def test_a_whole_region_imported_at_once_is_summed_up_in_one_message(
    harness: Harness,
) -> None:
    """A region's list with 60 districts named in full (about 80 characters each): the reply
    naming the new districts fits one message (it was refused whole as too long, and the
    admin heard nothing of an import that had landed)."""
    rows = [
        (f"Муниципальная районная организация № {i} Профсоюза работников госучреждений", "ДШИ")
        for i in range(60)
    ]
    replies = await harness.upload(
        ADMIN,
        build_table_xlsx("ППО", ("Район", "Организация"), rows),
        "list.xlsx",
        caption="/import",
    )
    assert all(reply.ok for reply in replies), [reply.description for reply in replies]
    [summary] = [text for text in texts(replies) if "Список организаций загружен" in text]
    assert "Новых ППО: 60" in summary and "№ 0 Профсоюза" in summary and "…и ещё" in summary


def _merged_xlsx(rows: list[list[object]], merges: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_merged_region_and_district_cells_name_every_row_below_them(
    harness: Harness,
) -> None:
    """«Регион» and «Район» merged down over their ППО, as Russian lists often are: every row
    is read as Excel shows it. The file keeps the name in the top cell only: the rows below
    were refused as «не указан район», or went to a second, default region."""
    region = "Ростовская областная организация"
    data = _merged_xlsx(
        [
            ["Регион", "Район", "Организация", "Работников"],
            [region, DISTRICT, "Школа № 1", 10],
            [None, None, "Школа № 2", 20],
            [None, None, "Школа № 3", 30],
            [None, "Советская районная организация", "ДШИ", 15],
        ],
        ["A2:A5", "B2:B4"],
    )
    reply = "\n".join(texts(await harness.upload(ADMIN, data, "list.xlsx", caption="/import")))
    assert "Новых ППО: 4" in reply and "Строки с ошибками" not in reply, reply
    async with harness.session_pool() as session:
        orgs = (await session.scalars(select(Organization))).all()
    by_id = {org.id: org for org in orgs}
    placed = {
        org.name: (by_id[org.parent_id].name, by_id[by_id[org.parent_id].parent_id].name)
        for org in orgs
        if org.kind == OrgKind.PPO and org.parent_id is not None
    }
    assert placed == {
        "Школа № 1": (DISTRICT, region),
        "Школа № 2": (DISTRICT, region),
        "Школа № 3": (DISTRICT, region),
        "ДШИ": ("Советская районная организация", region),
    }


async def test_the_same_names_in_two_regions_are_two_organizations(harness: Harness) -> None:
    """«Советская районная организация» and «МБОУ СОШ № 1» exist in many regions: a list of
    two regions loads both schools instead of refusing the second as a repeated row."""
    reply = await _import(
        harness,
        ("Регион", "Район", "Организация"),
        [
            ("Курская областная организация", "Советская районная организация", "МБОУ СОШ № 1"),
            ("Ростовская областная организация", "Советская районная организация", "МБОУ СОШ № 1"),
        ],
    )
    assert "Новых ППО: 2" in reply and "уже есть в строке" not in reply, reply


async def test_a_ppo_is_moved_among_its_own_regions_districts(harness: Harness) -> None:
    """«Перенести в другой район» offers the other districts of the ППО's region: not the
    namesake district of another region, nor the one it is in."""
    await _import(
        harness,
        ("Регион", "Район", "Организация"),
        [
            ("Курская областная организация", "Советская районная организация", "Школа № 1"),
            ("Курская областная организация", "Кировская районная организация", "Школа № 2"),
            ("Ростовская областная организация", "Советская районная организация", "Школа № 3"),
        ],
    )
    async with harness.session_pool() as session:
        school = (
            await session.scalars(select(Organization.id).where(Organization.name == "Школа № 1"))
        ).one()
    data = OrgCb(org_id=school, action=OrgAction.MOVE).pack()
    [choice] = [r for r in await harness.feed(harness.server.callback(ADMIN, data)) if r.buttons()]
    assert [label for label, _ in choice.buttons()] == ["Кировская районная организация"]


async def test_an_admin_who_joins_a_districts_staff_keeps_every_district(
    harness: Harness,
) -> None:
    """An admin opens a staff link of one district: /status still offers every district, not
    only the one joined."""
    await _import(
        harness,
        ("Район", "Организация"),
        [("Кировская районная организация", "Школа № 1"), (DISTRICT, "Школа № 2")],
    )
    staff_links = await invite_links(harness, whom="сотрудник аппарата")
    await accept_invite(harness, ADMIN, code_of(staff_links["Кировская районная организация"]))
    pick = (await harness.send(ADMIN, "/status"))[-1]
    offered = str(pick.buttons())
    assert "Кировская" in offered and DISTRICT in offered, offered


async def test_an_old_list_imported_again_does_not_recreate_a_renamed_or_moved_ppo(
    harness: Harness,
) -> None:
    """The school is renamed and the kindergarten moved to another district; the old list is
    loaded again: neither is created a second time, and the admin reads which rows were
    skipped and what the ППО are called now."""
    h = harness
    await setup_district(h)
    other = "Кировская районная организация"
    rows = [(other, "ГБУЗ ЦРБ", 300, "")]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "more.xlsx", caption="/import")
    found = last_message(await h.send(ADMIN, "/org сош"))
    card = last_message(await h.tap(ADMIN, found, "МБОУ СОШ № 1"))
    await h.tap(ADMIN, card, "Переименовать")
    summary = last_message(await h.send(ADMIN, "МБОУ СОШ № 1 им. Гагарина"))
    await h.tap(ADMIN, summary, "Отправить")
    found = last_message(await h.send(ADMIN, "/org солнышко"))
    card = last_message(await h.tap(ADMIN, found, "Солнышко"))
    moving = last_message(await h.tap(ADMIN, card, "Перенести"))
    assert "перенесена" in texts(await h.tap(ADMIN, moving, "Кировская"))[0]

    again = texts(await h.upload(ADMIN, org_file(), "list.xlsx", caption="/import"))

    assert await ppo_count(h) == 3
    assert "Новых ППО: 0" in again[0]
    (skipped,) = [text for text in again if "Под прежним названием" in text]
    assert "«МБОУ СОШ № 1» — теперь «МБОУ СОШ № 1 им. Гагарина»" in skipped
    assert f"«МБДОУ детский сад «Солнышко»» — теперь «МБДОУ детский сад «Солнышко»» ({other})" in (
        skipped
    )


async def test_an_old_list_naming_a_renamed_district_loads_into_it(harness: Harness) -> None:
    """The district is renamed; the old list names it the old way: its ППО are found, not
    created again under a second district of the old name."""
    h = harness
    await setup_district(h)
    found = last_message(await h.send(ADMIN, "/org родионово"))
    card = last_message(await h.tap(ADMIN, found, "Родионово"))
    await h.tap(ADMIN, card, "Переименовать")
    summary = last_message(await h.send(ADMIN, "Родионово-Несветайская РО"))
    await h.tap(ADMIN, summary, "Отправить")

    again = texts(await h.upload(ADMIN, org_file(), "list.xlsx", caption="/import"))

    assert await ppo_count(h) == 2
    assert "Без изменений: 2" in again[0] and "Новые районные" not in again[0]
