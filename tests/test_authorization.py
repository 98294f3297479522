"""Every command and every kind of button × every role (and a stranger): allowed, or refused
with a message — and a refusal changes nothing in the database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audience import Audience
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import forms as form_texts
from handlers.callbacks import (
    DistrictEventAction,
    DistrictEventCb,
    EventAction,
    EventCb,
    ForgetCb,
    FormAction,
    FormCb,
    OpenForm,
    OrgAction,
    OrgCb,
    OrgChoicePage,
    PlanDone,
    PlanStageDone,
    ReportPeriod,
    ReserveAction,
    ReserveCb,
    ReturnPick,
    RoleRevoke,
    ScopePage,
    ScopePick,
    ScopeRegionPick,
)
from handlers.menu import COMMANDS
from harness import ADMIN, Harness, texts
from scenarios import FULL, accept_invite, answer_all, code_of, invite_links
from storage.models import (
    Base,
    DistrictEvent,
    DistrictEventInvite,
    Event,
    Organization,
    RoleGrant,
)

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
REGION = "Региональная организация Профсоюза"  # the default region of an import
CHAIR, OTHER_CHAIR, STAFF, OTHER_STAFF, STRANGER = 501, 503, 801, 802, 777
ROLES = {
    ADMIN: Audience.ADMIN,
    STAFF: Audience.STAFF,
    OTHER_STAFF: Audience.STAFF,
    CHAIR: Audience.CHAIR,
    OTHER_CHAIR: Audience.CHAIR,
    STRANGER: Audience.STRANGER,
}
REFUSALS = (common.NOT_YOUR_COMMAND, common.STRANGER)
SKIPPED_TABLES = {"processed_updates", "alembic_version"}


async def setup(h: Harness) -> dict[str, int]:
    rows = [
        (DISTRICT_A, "МБОУ СОШ № 1", 54),
        (DISTRICT_A, "Детский сад № 2", 20),
        (DISTRICT_B, "ГБУЗ ЦРБ", 300),
    ]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs["МБОУ СОШ № 1"]), first_name="Мария")
    await accept_invite(h, OTHER_CHAIR, code_of(chairs["ГБУЗ ЦРБ"]), first_name="Пётр")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")
    summary = (await answer_all(h, FULL))[-1]
    await h.tap(CHAIR, summary, "Отправить")
    async with h.session_pool() as session:
        ids = {org.name: org.id for org in (await session.scalars(select(Organization))).all()}
        session.add(
            Event(
                org_id=ids["МБОУ СОШ № 1"],
                kind="seminar",
                topic="Семинар",
                date_from=h.clock.now().date(),
                date_to=h.clock.now().date(),
                online=False,
                place="Школа",
                participants=10,
                direction="education",
                photos=[],
                created_by=1,
                created_at=h.clock.now(),
                updated_at=h.clock.now(),
                submission_key="seed-event",
            )
        )
        await session.commit()
        ids["event"] = (await session.scalars(select(Event.id))).one()
        ids["grant"] = (
            await session.scalars(select(RoleGrant.id).where(RoleGrant.org_id == ids[DISTRICT_A]))
        ).one()
        ids["devent"] = await seed_district_event(session, h, ids)
    return ids


async def seed_district_event(session: AsyncSession, h: Harness, ids: dict[str, int]) -> int:
    """A seminar of district A in ten days, the school invited."""
    now = h.clock.now()
    event = DistrictEvent(
        scope_org_id=ids[DISTRICT_A],
        kind="seminar",
        direction="education",
        title="Семинар района",
        starts_at=now + timedelta(days=10),
        starts_on=(now + timedelta(days=10)).date(),
        place="Дом профсоюзов",
        online=False,
        answer_by=(now + timedelta(days=8)).date(),
        created_by=1,
        created_at=now,
        submission_key="seed-district-event",
    )
    session.add(event)
    await session.flush()
    session.add(DistrictEventInvite(event_id=event.id, org_id=ids["МБОУ СОШ № 1"]))
    await session.commit()
    return event.id


async def snapshot(h: Harness) -> dict[str, list[Any]]:
    async with h.session_pool() as session:
        tables = {}
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            tables[table.name] = sorted(map(tuple, rows), key=repr)
        return tables


@pytest.mark.parametrize("command", [c.name for c in COMMANDS if c.name not in {"start", "help"}])
async def test_every_command_for_every_role(harness: Harness, command: str) -> None:
    await setup(harness)
    for user, audience in ROLES.items():
        info = next(c for c in COMMANDS if c.name == command)
        before = await snapshot(harness)
        replies = texts(await harness.send(user, f"/{command}"))
        assert replies, f"/{command} from {user}: silence"
        if info.audience & audience:
            assert replies[0] not in REFUSALS, f"/{command} refused to {user}"
        else:
            assert replies[0] in REFUSALS, f"/{command} allowed to {user}: {replies[0][:80]}"
            assert await snapshot(harness) == before, f"/{command} from {user} changed data"
        await harness.send(user, "/cancel")


def forged(ids: dict[str, int]) -> list[tuple[str, str, set[int]]]:
    """(what, callback data, who may press it) for a button of each kind."""
    school, hospital = ids["МБОУ СОШ № 1"], ids["ГБУЗ ЦРБ"]
    return [
        ("event form", OpenForm(form="event", org_id=school).pack(), {CHAIR}),
        ("reminder", OpenForm(form="membership", org_id=school).pack(), {CHAIR}),
        ("passport", OpenForm(form="passport", org_id=school).pack(), {CHAIR}),
        ("reserve form", OpenForm(form="reserve", org_id=school).pack(), {CHAIR}),
        ("reserve", ReserveCb(action=ReserveAction.LIST, org_id=school).pack(), {CHAIR}),
        (
            "reserve remove",
            ReserveCb(action=ReserveAction.REMOVE_YES, org_id=school, person_id=1).pack(),
            {CHAIR},
        ),
        ("period", ReportPeriod(org_id=school, collection_id=1).pack(), {CHAIR}),
        ("org page", OrgChoicePage(form="membership", page=1).pack(), {CHAIR, OTHER_CHAIR}),
        ("org page of no form", OrgChoicePage(form="nosuch", page=0).pack(), set()),
        ("event", EventCb(action=EventAction.DELETE_YES, event_id=ids["event"]).pack(), {CHAIR}),
        ("scope", ScopePick(command="status", org_id=ids[DISTRICT_A]).pack(), {STAFF, ADMIN}),
        (
            "scope region",
            ScopeRegionPick(command="status", region_id=ids[REGION]).pack(),
            {STAFF, OTHER_STAFF, ADMIN},
        ),
        (
            "scope page",
            ScopePage(command="status", region_id=0, page=1).pack(),
            {STAFF, OTHER_STAFF, ADMIN},
        ),
        (
            "scope page of a region",
            ScopePage(command="status", region_id=ids[REGION], page=0).pack(),
            {STAFF, OTHER_STAFF, ADMIN},
        ),
        ("scope page of no command", ScopePage(command="no", region_id=0, page=0).pack(), set()),
        ("return", ReturnPick(org_id=school, report_id=1).pack(), {STAFF, ADMIN}),
        ("return other", ReturnPick(org_id=hospital, report_id=1).pack(), {OTHER_STAFF, ADMIN}),
        ("archive", OrgCb(org_id=school, action=OrgAction.ARCHIVE).pack(), {ADMIN}),
        ("move page", OrgCb(org_id=school, action=OrgAction.MOVE_PAGE, target=1).pack(), {ADMIN}),
        ("revoke", RoleRevoke(grant_id=ids["grant"]).pack(), {ADMIN}),
        ("forget", ForgetCb(person_id=1, confirm=True).pack(), {ADMIN}),
        ("plan item done", PlanDone(item_id=1, unit=school).pack(), set()),
        (
            "plan stage done",
            PlanStageDone(item_id=1, unit=school, due=date(2027, 3, 31)).pack(),
            set(),
        ),
        *district_event_buttons(ids),
        ("form", FormCb(token="x" * 12, step="workers", action=FormAction.CONFIRM).pack(), set()),
        (
            "form previous",
            FormCb(token="x" * 12, step="workers", action=FormAction.PREVIOUS).pack(),
            set(),
        ),
        (
            "form earlier",
            FormCb(token="x" * 12, step="youth_members", action=FormAction.EARLIER).pack(),
            set(),
        ),
    ]


def district_event_buttons(ids: dict[str, int]) -> list[tuple[str, str, set[int]]]:
    """A district event's buttons: the invited school's chair answers, district A's staff see."""
    event, school = ids["devent"], ids["МБОУ СОШ № 1"]
    chairs = (DistrictEventAction.COMING, DistrictEventAction.DECLINE, DistrictEventAction.CAME)
    staffs = (
        DistrictEventAction.OPEN,
        DistrictEventAction.STAFF_CAME,
        DistrictEventAction.MOVE,
        DistrictEventAction.CANCEL,
        DistrictEventAction.CANCEL_YES,
        DistrictEventAction.CANCEL_NO,
    )
    return [
        *(
            (
                f"district event {a}",
                DistrictEventCb(action=a, event_id=event, org_id=school).pack(),
                {CHAIR},
            )
            for a in chairs
        ),
        *(
            (
                f"district event {a}",
                DistrictEventCb(action=a, event_id=event).pack(),
                {STAFF, ADMIN},
            )
            for a in staffs
        ),
        ("district event reply", OpenForm(form="devent_reply", org_id=school).pack(), {CHAIR}),
    ]


async def test_every_button_for_every_role(harness: Harness) -> None:
    ids = await setup(harness)
    for what, data, allowed in forged(ids):
        for user in ROLES:
            if user in allowed:
                continue
            before = await snapshot(harness)
            replies = await harness.feed(harness.server.callback(user, data))
            answers = [r for r in replies if r.method == "answerCallbackQuery"]
            assert answers, f"{what} from {user}: no answer"
            said = str(answers[0].params.get("text"))
            refusals = {common.NO_RIGHTS, form_texts.STALE_BUTTON, form_texts.FORM_CLOSED}
            assert said in refusals, f"{what} from {user}: {said}"
            assert await snapshot(harness) == before, f"{what} from {user} changed data"


async def test_rightful_presses_do_act(harness: Harness) -> None:
    ids = await setup(harness)
    before = await snapshot(harness)
    data = OrgCb(org_id=ids["МБОУ СОШ № 1"], action=OrgAction.ARCHIVE).pack()
    await harness.feed(harness.server.callback(ADMIN, data))
    assert await snapshot(harness) != before
    replies = await harness.feed(
        harness.server.callback(STAFF, ScopePick(command="status", org_id=ids[DISTRICT_A]).pack())
    )
    assert "Сдача отчётов" in texts(replies)[0]


async def test_staff_act_on_their_own_district_only(harness: Harness) -> None:
    ids = await setup(harness)
    assert common.NO_RIGHTS in texts(
        await harness.send(OTHER_STAFF, f"/audit {ids['МБОУ СОШ № 1']}")
    )
    assert "Ничего не найдено" in texts(await harness.send(OTHER_STAFF, "/return СОШ"))[0]
    status = texts(await harness.send(OTHER_STAFF, "/status"))[0]
    assert f"Сдача отчётов: {DISTRICT_B}" in status
    assert "✅ Сдали: 0 из 1" in status and "• ГБУЗ ЦРБ — Пётр" in status
    assert "МБОУ" not in status
