"""Invite links opened at the wrong time: for an archived ППО, by the chair they were meant
for after the role passed on, and a consent question answered after joining."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import chair as tchair
from bot.texts import consent as tcons
from handlers.callbacks import JoinCb
from harness import ADMIN, Harness, texts
from scenarios import CHAIR, accept_invite, code_of, invite_links, setup_district
from storage.models import Organization, Person, RoleGrant

SCHOOL, GARDEN = "МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"


async def _school(h: Harness) -> Organization:
    async with h.session_pool() as session:
        return (
            await session.scalars(select(Organization).where(Organization.name == SCHOOL))
        ).one()


async def test_the_link_of_an_archived_ppo_registers_nobody(harness: Harness) -> None:
    """A school closed after the links went out: its link says the organization is in the
    archive, and nobody becomes the chair of an organization whose reports nobody reads."""
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    async with harness.session_pool() as session, session.begin():
        school = (
            await session.scalars(select(Organization).where(Organization.name == SCHOOL))
        ).one()
        school.archived_at = harness.clock.now()
    assert texts(await harness.send(777, f"/start {code}")) == [tchair.INVITE_ARCHIVED]
    async with harness.session_pool() as session:
        assert (
            await session.scalars(select(Person).where(Person.tg_user_id == 777))
        ).first() is None


async def test_a_replaced_chair_opening_the_old_link_is_told_the_role_passed_on(
    harness: Harness,
) -> None:
    """The chair was replaced (a new link, taken by the new chair); their old link no longer
    says «Ничего делать не нужно» but that the role has passed to another person."""
    await setup_district(harness)
    old_code = code_of((await invite_links(harness))[SCHOOL])
    await accept_invite(harness, CHAIR, old_code, first_name="Мария")
    assert "Ничего делать не нужно" in texts(await harness.send(CHAIR, f"/start {old_code}"))[0]
    reissued = texts(await harness.send(ADMIN, f"/invite {(await _school(harness)).id}"))[0]
    await accept_invite(
        harness, 888, reissued.split("?start=", 1)[1].split()[0], first_name="Ольга"
    )
    [reply] = texts(await harness.send(CHAIR, f"/start {old_code}"))
    assert "передали другому человеку" in reply and "Ничего делать не нужно" not in reply, reply


async def test_declining_on_an_older_question_after_joining_says_so(harness: Harness) -> None:
    """The link opened twice: «Согласен» under the second consent question, then «Не согласен»
    under the first. The person is registered, so the bot says they are connected, never that
    nothing of theirs was stored."""
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    first = (await harness.send(555, f"/start {code}"))[-1]
    second = (await harness.send(555, f"/start {code}"))[-1]
    await harness.tap(555, second, tcons.BTN_AGREE)
    [reply] = texts(await harness.tap(555, first, tcons.BTN_DECLINE))
    assert "не сохранены" not in reply and "Вы уже подключены" in reply, reply
    async with harness.session_pool() as session:
        assert len((await session.scalars(select(RoleGrant))).all()) == 1


async def _school_chair(h: Harness) -> int:
    """The Telegram id of the school's chair now."""
    school = await _school(h)
    async with h.session_pool() as session:
        stmt = (
            select(Person.tg_user_id)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.org_id == school.id, RoleGrant.revoked_at.is_(None))
        )
        return (await session.scalars(stmt)).one()


async def test_a_registered_person_taking_a_chaired_ppo_is_asked_first(harness: Harness) -> None:
    """The garden's chair, registered already, opens the school's new link (forwarded by
    mistake, or to check it): the bot names the school's sitting chair and asks. «Нет»
    changes nothing and leaves the link good; «Да, подключиться» takes the school over."""
    await setup_district(harness)
    links = await invite_links(harness)
    await accept_invite(harness, CHAIR, code_of(links[SCHOOL]), first_name="Мария")
    await accept_invite(harness, 502, code_of(links[GARDEN]), first_name="Ольга")
    reissued = texts(await harness.send(ADMIN, f"/invite {(await _school(harness)).id}"))[0]
    code = reissued.split("?start=", 1)[1].split()[0]
    question = (await harness.send(502, f"/start {code}"))[-1]
    assert "Сейчас председатель — Мария" in (question.plain_text or "")
    assert texts(await harness.tap(502, question, tcons.BTN_NOT_JOIN)) == [tcons.NOT_JOINED]
    assert await _school_chair(harness) == CHAIR
    question = (await harness.send(502, f"/start {code}"))[-1]
    [welcome, *_] = texts(await harness.tap(502, question, tcons.BTN_JOIN))
    assert SCHOOL in welcome, welcome
    assert await _school_chair(harness) == 502


async def test_a_forged_join_tap_never_skips_the_consent_question(harness: Harness) -> None:
    """«Да, подключиться» is shown only to people who agreed before; pressed by anyone else
    (a forged button with a good code) it asks for consent and stores nothing."""
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    forged = JoinCb(code=code, join=True).pack()
    replies = await harness.feed(harness.server.callback(777, forged))
    assert any("персональных данных" in text for text in texts(replies)), texts(replies)
    async with harness.session_pool() as session:
        stranger = await session.scalars(select(Person).where(Person.tg_user_id == 777))
        assert stranger.first() is None
