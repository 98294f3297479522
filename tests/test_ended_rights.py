"""Rights that ended and data that was erased: a removed staff member's plan item button, a
former chair's phone in the passport, an erased author's Telegram id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.texts import admin as ta
from bot.texts import common
from bot.wiring.scheduler import calendar_tick
from handlers.callbacks import PlanDone
from harness import ADMIN, Harness, Request, background, last_message, texts
from scenarios import CHAIR, DISTRICT, accept_invite, join
from storage import people
from storage.models import (
    Organization,
    OutboxMessage,
    OutboxStatus,
    Person,
    PlanMark,
    Role,
    RoleGrant,
)
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key
from test_background_faults import announce, run, to
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import staff_joins
from test_personal_data import PHONE, _chair_with_records
from test_plans import STAFF, item_ids, plan_file
from test_plans import setup as plans_setup


async def _revoke(h: Harness, tg_user_id: int, role: Role) -> None:
    """What the admin's «Снять роль» button does (``handlers.manage.role_revoke``)."""
    async with h.session_pool() as session, session.begin():
        grant = await session.scalar(
            select(RoleGrant)
            .join(Person, Person.id == RoleGrant.person_id)
            .where(
                Person.tg_user_id == tg_user_id,
                RoleGrant.role == role,
                RoleGrant.revoked_at.is_(None),
            )
        )
        assert grant is not None
        await people.revoke_grant(session, grant, now=h.clock.now(), actor_id=None)


async def test_a_removed_staff_member_cannot_mark_their_plan_item_done(harness: Harness) -> None:
    """A staff member removed from the district presses the «Выполнено» button of the plan
    item they answered for: «нет прав», and no mark is stored."""
    h = harness
    await plans_setup(h)
    await h.upload(STAFF, plan_file(), "plan.xlsx", caption="/plan")
    items = await item_ids(h)
    await _revoke(h, STAFF, Role.STAFF)
    replies = await h.feed(h.server.callback(STAFF, PlanDone(item_id=items["2"], unit=0).pack()))
    await h.send(STAFF, "Семинар проведён")  # no form was opened: taken for nothing
    async with h.session_pool() as session:
        marks = (await session.scalars(select(PlanMark))).all()
    alert = [r.params.get("text") for r in replies if r.method == "answerCallbackQuery"]
    assert not marks, "a revoked staff member marked the district's plan item done"
    assert common.NO_RIGHTS in alert, f"no refusal: {alert} / {texts(replies)}"


async def test_forget_of_a_former_chair_clears_their_phone_in_the_passport(
    harness: Harness,
) -> None:
    """A chair filled in the passport with her name and phone, was replaced after elections,
    then asked to be erased: neither the successor's /passport nor /audit shows them."""

    h = harness
    org_id = await _chair_with_records(h)  # passport: «Иванова Мария Петровна», PHONE
    reply = texts(await h.send(ADMIN, f"/invite {org_id}"))[0]
    code = reply.split("?start=", 1)[1].split()[0]
    await accept_invite(h, 601, code, first_name="Ольга")
    card = last_message(await h.send(ADMIN, f"/forget {CHAIR}"))
    assert "Персональные данные удалены" in texts(await h.tap(ADMIN, card, ta.BTN_FORGET))[0]

    passport = "\n".join(texts(await h.send(601, "/passport")))
    audit_lines = "\n".join(texts(await h.send(ADMIN, f"/audit {org_id}")))
    assert PHONE not in passport and "Иванова" not in passport, passport
    assert PHONE not in audit_lines, audit_lines


async def test_forget_of_an_author_clears_their_telegram_id_and_writes_them_nothing(
    harness: Harness,
) -> None:
    """A staff member sent an announcement, then was erased: /audit does not show their
    Telegram id, and the announcement's delivery report is not sent to them."""

    h = harness
    await join(h)
    await staff_joins(h)
    await announce(h, "Собрание председателей 30.11 в 10:00")
    card = last_message(await h.send(ADMIN, f"/forget {DISTRICT_STAFF}"))
    assert "Персональные данные удалены" in texts(await h.tap(ADMIN, card, ta.BTN_FORGET))[0]
    async with h.session_pool() as session:
        district = await session.scalar(
            select(Organization.id).where(Organization.name == DISTRICT)
        )
    lines = "\n".join(texts(await h.send(ADMIN, f"/audit {district}")))
    assert "Чат автора" in lines or "объявление" in lines, lines
    # the announcement goes out, then its delivery report is queued to the author's chat
    sent = await run(h, calendar_tick) + await run(h, calendar_tick)
    to_erased = to(DISTRICT_STAFF, sent)
    problems = []
    if str(DISTRICT_STAFF) in lines:
        problems.append(f"/audit still shows the erased person's Telegram id: {lines}")
    if to_erased:
        problems.append(f"the erased person was still written to: {to_erased}")
    assert not problems, "\n".join(problems)


async def test_a_removed_staff_member_is_not_reminded_of_their_plan_item(
    harness: Harness,
) -> None:
    """A week before item 2's deadline (31.12.2026, Светлана's) she is no longer on the
    district's staff: no reminder with the «Выполнено» button is queued to her."""
    h = harness
    await plans_setup(h)
    await h.upload(STAFF, plan_file(), "plan.xlsx", caption="/plan")
    await _revoke(h, STAFF, Role.STAFF)
    h.clock.moment = datetime(2026, 12, 24, 7, 30, tzinfo=UTC)  # Thursday, 10:30 in Moscow
    await calendar_tick(background(h))
    async with h.session_pool() as session:
        keys = (await session.scalars(select(OutboxMessage.key))).all()
    assert not [key for key in keys if key.startswith("plan-remind:") and str(STAFF) in key]


def _menu_of(h: Harness, chat_id: int) -> set[str]:
    """The command menu Telegram shows in ``chat_id``: the latest setMyCommands for it."""
    menus = [
        r
        for r in h.server.requests
        if r.method == "setMyCommands" and (r.params.get("scope") or {}).get("chat_id") == chat_id
    ]
    return {command["command"] for command in menus[-1].params["commands"]}


async def _org_card(h: Harness) -> Request:
    found = last_message(await h.send(ADMIN, "/org МБОУ СОШ № 1"))
    return last_message(await h.tap(ADMIN, found, "МБОУ СОШ № 1"))


async def test_a_chair_whose_role_the_admin_removed_is_told_and_loses_the_chair_menu(
    harness: Harness,
) -> None:
    h = harness
    await join(h)
    assert "report" in _menu_of(h, CHAIR)
    roles = await h.tap(ADMIN, await _org_card(h), "Роли")
    grant = next(r for r in roles if "Снять роль" in str(r.buttons()))

    replies = await h.tap(ADMIN, grant, "Снять роль")

    (told,) = [r for r in replies if r.chat_id == CHAIR and r.method == "sendMessage"]
    assert "снял с вас роль «председатель» в «МБОУ СОШ № 1»" in told.plain_text
    assert told.params["reply_markup"] == {"remove_keyboard": True}
    assert "report" not in _menu_of(h, CHAIR)


async def test_the_chair_of_an_archived_ppo_is_told_and_loses_the_chair_menu(
    harness: Harness,
) -> None:
    h = harness
    await join(h)

    replies = await h.tap(ADMIN, await _org_card(h), "В архив")

    (told,) = [r for r in replies if r.chat_id == CHAIR and r.method == "sendMessage"]
    assert "ППО «МБОУ СОШ № 1» закрыта (перенесена в архив)" in told.plain_text
    assert "report" not in _menu_of(h, CHAIR)


async def test_an_erased_chair_loses_the_chair_menu(harness: Harness) -> None:
    h = harness
    await join(h)
    card = last_message(await h.send(ADMIN, f"/forget {CHAIR}"))

    replies = await h.tap(ADMIN, card, ta.BTN_FORGET)

    assert not [r for r in replies if r.chat_id == CHAIR and r.method == "sendMessage"]
    assert "report" not in _menu_of(h, CHAIR)


async def test_a_removed_staff_member_gets_nothing_of_the_district_still_queued(
    harness: Harness,
) -> None:
    """The district's digest held over the holidays and the escalation of its late ППО wait
    for Светлана when the admin takes her off the district's staff: neither goes out to her;
    what she gets as a chair of a ППО elsewhere would stay."""
    h = harness
    await join(h)
    await staff_joins(h)
    async with h.session_pool() as session, session.begin():
        district = await session.scalar(
            select(Organization.id).where(Organization.name == DISTRICT)
        )
        assert district is not None
        held = {
            outbox_key(KeyPurpose.DIGEST, district, "2027-01-11", DISTRICT_STAFF, "text"),
            outbox_key(KeyPurpose.REMINDER, 5, district, "late3", DISTRICT_STAFF),
        }
        own = outbox_key(KeyPurpose.REMINDER, 5, district + 100, "before3", DISTRICT_STAFF)
        for key in [*held, own]:
            await enqueue(
                session,
                key=key,
                chat_id=DISTRICT_STAFF,
                kind=OutboxKind.TEXT,
                payload={"text": key},
                not_before=datetime(2027, 1, 11, 6, 0, tzinfo=UTC),
                now=h.clock.now(),
            )

    await _revoke(h, DISTRICT_STAFF, Role.STAFF)

    async with h.session_pool() as session:
        waiting = await session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        assert set(waiting.all()) == {own}
        withdrawn = await session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.error == "role ended")
        )
        assert set(withdrawn.all()) == held
