"""One person, several roles at once, as in real districts: an admin who is also the region's
staff, a chair of ППО in two districts one of which is merged away, a chair taken off the
staff in the middle of a staff form, a chair of two ППО welcomed back."""

from __future__ import annotations

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import announcements as ta
from bot.texts import chair as tc
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    CHAIR,
    DISTRICT,
    HEADERS,
    accept_invite,
    code_of,
    invite_links,
    join,
    setup_district,
)
from storage.models import Organization, OrgKind, Role
from test_ended_rights import _revoke

REGION = "Региональная организация Профсоюза"
STAFF = "сотрудник аппарата"


async def _join_region_staff(h: Harness, user: int) -> None:
    async with h.session_pool() as session:
        region = await session.scalar(
            select(Organization).where(Organization.kind == OrgKind.REGION)
        )
    assert region is not None and region.name == REGION
    reply = texts(await h.send(ADMIN, f"/invite {region.id}"))[0]
    await accept_invite(h, user, reply.split("?start=", 1)[1].split()[0], first_name="Ольга")


async def test_an_admin_on_the_regions_staff_gets_the_regions_status(harness: Harness) -> None:
    """The region's specialist also sets the bot up (an admin) and joined the region's staff:
    /status offers the region beside the districts, and its tap shows the whole region."""
    h = harness
    await setup_district(h)
    await _join_region_staff(h, ADMIN)
    pick = last_message(await h.send(ADMIN, "/status"))
    labels = [label for label, _ in pick.buttons()]
    assert REGION in labels, f"the region is not offered: {pick.plain_text} {labels}"
    status = texts(await h.tap(ADMIN, pick, REGION))
    assert any(f"Сдача отчётов: {REGION}" in text for text in status), status


MERGED, KEPT = "Кировская районная организация", "Ленинская районная организация"
MERGED_PPO, KEPT_PPO = "МБОУ СОШ № 7", "МБДОУ детский сад № 3"


async def _chair_in_two_districts(h: Harness) -> None:
    """Мария chairs a school in one district and a kindergarten in the next one."""
    rows = [(MERGED, MERGED_PPO, 40, ""), (KEPT, KEPT_PPO, 25, "")]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", caption="/import")
    links = await invite_links(h)
    for org in (MERGED_PPO, KEPT_PPO):
        await accept_invite(h, CHAIR, code_of(links[org]), first_name="Мария")


async def _archive(h: Harness, name: str) -> None:
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    card = last_message(await h.tap(ADMIN, found, found.buttons()[0][0]))
    await h.tap(ADMIN, card, "В архив")


async def test_a_chair_whose_district_is_merged_away_keeps_only_the_other_ppo(
    harness: Harness,
) -> None:
    """The district of one of Мария's two ППО is merged away and archived: /start names only
    the other ППО, and /report opens its form at once, without asking «для какой
    организации» with the closed one among the choices."""
    h = harness
    await _chair_in_two_districts(h)
    await _archive(h, MERGED)
    welcome = texts(await h.send(CHAIR, "/start"))
    report = await h.send(CHAIR, "/report")
    asked = [
        r for r in report if r.method == "sendMessage" and tc.CHOOSE_ORG in (r.plain_text or "")
    ]
    assert not any(MERGED_PPO in text for text in welcome), welcome
    assert not asked, f"asked to choose the closed ППО: {[r.buttons() for r in asked]}"


async def test_a_chair_on_staff_elsewhere_loses_the_chair_keyboard_with_the_district(
    harness: Harness,
) -> None:
    """Мария chairs a school of a district that is merged away, and is on the staff of
    another district: the notice takes the chair keyboard away and her command menu keeps
    the staff commands without the chair's."""
    h = harness
    rows = [(MERGED, MERGED_PPO, 40, ""), (KEPT, KEPT_PPO, 25, "")]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", caption="/import")
    await accept_invite(h, CHAIR, code_of((await invite_links(h))[MERGED_PPO]), first_name="Мария")
    staff_link = (await invite_links(h, whom=STAFF))[KEPT]
    await accept_invite(h, CHAIR, code_of(staff_link), first_name="Мария")
    mark = h.server.mark()
    await _archive(h, MERGED)
    to_her = [r for r in h.server.requests[mark:] if r.chat_id == CHAIR]
    notice = next(r for r in to_her if r.method == "sendMessage")
    menus = [
        r
        for r in h.server.requests[mark:]
        if r.method == "setMyCommands" and r.params["scope"].get("chat_id") == CHAIR
    ]
    commands = {c["command"] for c in menus[-1].params["commands"]} if menus else set()
    assert "remove_keyboard" in str(notice.params.get("reply_markup")), notice.params
    assert "status" in commands and "report" not in commands, commands


async def test_a_chair_whose_staff_role_ended_mid_announcement_gets_the_report_form(
    harness: Harness,
) -> None:
    """Мария chairs a school and was on her district's staff; she began an announcement, then
    was taken off the staff. Her /report opens the membership form, not the announcement of a
    district she no longer serves (which her next answer would only close as «нет прав»)."""
    h = harness
    await join(h)
    await accept_invite(h, CHAIR, code_of((await invite_links(h, whom=STAFF))[DISTRICT]))
    assert ta.Q_AUDIENCE in "\n".join(texts(await h.send(CHAIR, "/announce")))
    await _revoke(h, CHAIR, Role.STAFF)
    report = "\n".join(texts(await h.send(CHAIR, "/report")))
    assert ta.Q_AUDIENCE not in report, f"the ended role's form came back: {report}"
    assert "Сколько работников" in report, report


async def test_a_chair_of_two_ppo_is_welcomed_back_with_each_named_apart(harness: Harness) -> None:
    """/start again for a chair of a school and a kindergarten: each name in its own quotes,
    not «МБДОУ детский сад № 3, МБОУ СОШ № 7» as if one organization were called so."""
    h = harness
    await _chair_in_two_districts(h)
    welcome = "\n".join(texts(await h.send(CHAIR, "/start")))
    assert f"«{KEPT_PPO}»" in welcome and f"«{MERGED_PPO}»" in welcome, welcome
