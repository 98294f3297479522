"""Keyboards built from lists as long as a district's: Telegram refuses more than 100 inline
buttons under a message, or more than 10 KB of them (and then nobody sees the question at all),
so a long choice comes in pages with «⬅️ Назад» and «Ещё…»."""

from __future__ import annotations

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import chair as tc
from bot.texts import common
from bot.texts import staff as ts
from fakes.telegram_server import JsonDict, Request, find_button
from handlers.callbacks import OrgAction, OrgCb
from handlers.paging import PAGE_SIZE
from harness import ADMIN, Harness, last_message, texts
from scenarios import CHAIR, HEADERS, accept_invite, code_of, invite_links
from storage import people
from storage.models import FormDraft, Organization, OrgKind

DISTRICT = "Кировская районная организация"
KINDERGARTENS = [f"МБДОУ детский сад № {n}" for n in range(1, 121)]
TURNS = (common.BTN_PAGE_BACK, common.BTN_PAGE_ON)


async def chair_of_a_whole_district(h: Harness) -> None:
    """Мария joins through one kindergarten's invitation and chairs all 120 of the district
    (its staff fill in for chairs not on Telegram)."""
    rows = [(DISTRICT, name, 20, "") for name in KINDERGARTENS]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", caption="/import")
    link = (await invite_links(h))[KINDERGARTENS[0]]
    await accept_invite(h, CHAIR, code_of(link), first_name="Мария")
    async with h.session_pool() as session:
        person = await people.get_person(session, CHAIR)
        assert person is not None
        ppo = await session.scalars(select(Organization).where(Organization.kind == OrgKind.PPO))
        for org in ppo:
            await people.grant_chair(session, person=person, org_id=org.id, now=h.clock.now())
        await session.commit()


def labels(source: Request | JsonDict) -> list[str]:
    markup = source.reply_markup if isinstance(source, Request) else source.get("reply_markup")
    assert isinstance(markup, dict), source
    return [button["text"] for row in markup["inline_keyboard"] for button in row]


def on_screen(h: Harness, message_id: int, user: int = CHAIR) -> JsonDict:
    """The message as its reader sees it now, after the edits of its keyboard."""
    return next(m for m in h.server.chat_messages(user) if m["message_id"] == message_id)


async def press(h: Harness, message_id: int, text: str, user: int = CHAIR) -> list[Request]:
    data = find_button(on_screen(h, message_id, user), text)
    return await h.feed(h.server.callback(user, data, message_id))


async def test_a_chair_of_120_ppo_pages_through_them_to_the_last(harness: Harness) -> None:
    """/report asks which ППО: 20 a page, «Ещё…» on to the last page (each seen
    once), «⬅️ Назад» back, and a ППО of a later page opens the form for it."""
    h = harness
    await chair_of_a_whole_district(h)
    choice = last_message(await h.send(CHAIR, "/report"))
    assert choice.plain_text == tc.CHOOSE_ORG
    assert labels(choice)[PAGE_SIZE:] == [common.BTN_PAGE_ON]
    message_id = choice.message_id
    assert message_id is not None
    pages: list[list[str]] = []
    for _ in range(len(KINDERGARTENS) // PAGE_SIZE - 1):
        pages.append([n for n in labels(on_screen(h, message_id)) if n.startswith("МБДОУ")])
        await press(h, message_id, common.BTN_PAGE_ON)
    last_page = labels(on_screen(h, message_id))
    assert last_page[-1] == common.BTN_PAGE_BACK
    pages.append(last_page[:-1])
    assert [len(page) for page in pages] == [PAGE_SIZE] * 6
    assert sorted(name for page in pages for name in page) == sorted(KINDERGARTENS)

    await press(h, message_id, common.BTN_PAGE_BACK)
    back = labels(on_screen(h, message_id))
    assert back == [*pages[-2], common.BTN_PAGE_BACK, common.BTN_PAGE_ON]
    opened = await press(h, message_id, pages[-2][0])
    assert "Вопрос 1 из" in " ".join(r.plain_text or "" for r in opened)
    async with h.session_pool() as session:
        draft = await session.scalar(select(FormDraft).where(FormDraft.tg_user_id == CHAIR))
        assert draft is not None and draft.form == "membership"
        org = await session.get(Organization, draft.org_id)
        assert org is not None and org.name == pages[-2][0]


def district_name(region: str, n: int) -> str:
    """A district organization's name as the regions write it, cut to the 60 characters a
    button shows."""
    return f"Территориальная организация Профсоюза образования района {n:02}{region[0]}"


async def test_an_admin_of_90_districts_pages_through_them(harness: Harness) -> None:
    """Two regions of 45 districts: 90 buttons of district names pass Telegram's 10 KB of markup
    (the question would not arrive at all); /status offers them 20 a page, each once."""
    h = harness
    rows = [
        (f"{region} область", district_name(region, n), f"МБОУ СОШ № {n}", 20)
        for region in ("Ростовская", "Кемеровская")
        for n in range(1, 46)
    ]
    table = build_table_xlsx("ППО", ("Регион", "Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, table, "list.xlsx", caption="/import")
    pick = last_message(await h.send(ADMIN, "/status"))
    assert pick.plain_text == ts.CHOOSE_SCOPE
    message_id = pick.message_id
    assert message_id is not None
    pages = []
    for _ in range(4):
        pages.append([n for n in labels(on_screen(h, message_id, ADMIN)) if n not in TURNS])
        await press(h, message_id, common.BTN_PAGE_ON, ADMIN)
    last_page = labels(on_screen(h, message_id, ADMIN))
    assert last_page[-1] == common.BTN_PAGE_BACK
    pages.append(last_page[:-1])
    assert [len(page) for page in pages] == [PAGE_SIZE] * 4 + [10]
    assert sorted(name for page in pages for name in page) == sorted(row[1] for row in rows)
    status = texts(await press(h, message_id, pages[-1][-1], ADMIN))
    assert f"Сдача отчётов: {pages[-1][-1]}" in status[0]


async def test_a_ppo_moves_to_a_district_of_a_later_page(harness: Harness) -> None:
    """A region of 66 districts: the other 65 as buttons pass 10 KB (the question would not
    arrive); «Перенести» offers them 20 a page, and one of the last page takes the ППО."""
    h = harness
    rows = [
        ("Ростовская область", district_name("Р", n), f"МБОУ СОШ № {n}", 20) for n in range(1, 67)
    ]
    table = build_table_xlsx("ППО", ("Регион", "Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, table, "list.xlsx", caption="/import")
    async with h.session_pool() as session:
        school = await session.scalar(select(Organization).where(Organization.name == rows[0][2]))
        assert school is not None
    moving = OrgCb(org_id=school.id, action=OrgAction.MOVE).pack()
    choice = last_message(await h.feed(h.server.callback(ADMIN, moving)))
    assert choice.plain_text == ts.CHOOSE_DISTRICT
    message_id = choice.message_id
    assert message_id is not None
    offered = []
    for _ in range(3):
        offered += [n for n in labels(on_screen(h, message_id, ADMIN)) if n not in TURNS]
        await press(h, message_id, common.BTN_PAGE_ON, ADMIN)
    last_page = [n for n in labels(on_screen(h, message_id, ADMIN)) if n not in TURNS]
    assert len(last_page) == 5
    assert sorted(offered + last_page) == sorted(row[1] for row in rows[1:])
    moved = texts(await press(h, message_id, last_page[-1], ADMIN))
    async with h.session_pool() as session:
        district = await session.scalar(
            select(Organization).where(Organization.name == last_page[-1])
        )
        now = await session.get(Organization, school.id)
        assert district is not None and now is not None and now.parent_id == district.id, moved
