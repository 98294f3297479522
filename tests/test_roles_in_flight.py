"""People whose role changed while their messages or menus were in flight: a curator taken off a
ППО, the ППО archived; the staff of an archived district; staff who chair a ППО too; staff of a
district and of its region."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.texts import curator as curator_texts
from bot.texts import staff as staff_texts
from bot.wiring.scheduler import calendar_tick
from harness import ADMIN, Harness, Request, background, last_message, texts
from scenarios import CHAIR, DISTRICT, accept_invite, code_of, invite_links, join
from storage.models import Organization, OutboxMessage, OutboxStatus
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import at, october, staff_joins, tick_and_send, to
from test_curator import CURATOR, GARDEN, SCHOOL, attach_curator
from test_ended_rights import _menu_of
from test_plans import CHAIR as PLAN_CHAIR
from test_plans import DISTRICT_A, plan_file, plan_rows, sent_to
from test_plans import STAFF as PLAN_STAFF
from test_plans import setup as plan_setup
from test_several_roles import REGION, _archive, _join_region_staff
from test_staff_tools import drain

__all__ = ["october"]  # the fixture, used by name

SUCCESSOR = 703
LATE_HEAD = "ППО, которые вы курируете: не сдали мониторинг"


async def _card(h: Harness, name: str) -> Request:
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    return last_message(await h.tap(ADMIN, found, name))


async def _escalation_queued(h: Harness) -> None:
    """October's monitoring opens (1.10); on 27.10, the day after its deadline, both ППО are
    late and the escalation is queued, not yet sent."""
    await tick_and_send(h)
    h.clock.moment = at(27)
    await calendar_tick(background(h))


def _escalations(requests: list[Request], chat: int) -> list[str]:
    return [r.plain_text or "" for r in to(chat, requests) if LATE_HEAD in (r.plain_text or "")]


async def test_a_curator_taken_off_a_ppo_is_not_escalated_about_it(
    october: None, harness: Harness
) -> None:
    """Ольга curates both ППО; the admin gives «Солнышко» to another curator while the
    escalation waits: hers names only the school, the successor's «Солнышко»."""
    h = harness
    await join(h)
    await attach_curator(h, SCHOOL)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    roles = await h.tap(ADMIN, await _card(h, GARDEN), "Роли")
    curator = next(r for r in roles if "Ольга" in (r.plain_text or ""))
    await h.tap(ADMIN, curator, "Снять роль")
    await attach_curator(h, GARDEN, SUCCESSOR)

    sent = await tick_and_send(h)

    (hers,) = _escalations(sent, CURATOR)
    assert SCHOOL in hers and "Солнышко" not in hers, hers
    (theirs,) = _escalations(sent, SUCCESSOR)
    assert "Солнышко" in theirs and SCHOOL not in theirs, theirs


async def test_a_curator_taken_off_a_ppo_after_the_request_closed_keeps_the_other(
    october: None, harness: Harness
) -> None:
    """Ольга curates both late ППО; her escalation still waits a month on, when October's
    monitoring no longer reminds anyone, and the admin takes «Солнышко» from her then: she
    gets the escalation all the same, naming the school only, once."""
    h = harness
    await join(h)
    await attach_curator(h, SCHOOL)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    h.clock.moment = at(27, month=11)  # past the deadline (26.10) by more than 31 days
    roles = await h.tap(ADMIN, await _card(h, GARDEN), "Роли")
    curator = next(r for r in roles if "Ольга" in (r.plain_text or ""))
    await h.tap(ADMIN, curator, "Снять роль")

    (hers,) = _escalations(await tick_and_send(h), CURATOR)

    assert SCHOOL in hers and "Солнышко" not in hers, hers
    assert _escalations(await tick_and_send(h), CURATOR) == []


async def test_the_curator_of_an_archived_ppo_is_not_escalated_about_it(
    october: None, harness: Harness
) -> None:
    h = harness
    await join(h)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    await h.tap(ADMIN, await _card(h, GARDEN), "В архив")

    sent = await tick_and_send(h)

    assert _escalations(sent, CURATOR) == []


async def _digest_waiting(h: Harness) -> str:
    """The district's digest queued for Светлана, not yet sent; its key."""
    async with h.session_pool() as session, session.begin():
        district = await session.scalar(
            select(Organization.id).where(Organization.name == DISTRICT)
        )
        assert district is not None
        digest = outbox_key(KeyPurpose.DIGEST, district, "2026-10-05", DISTRICT_STAFF, "text")
        await enqueue(
            session,
            key=digest,
            chat_id=DISTRICT_STAFF,
            kind=OutboxKind.TEXT,
            payload={"text": "📊 Сводка"},
            not_before=h.clock.now(),
            now=h.clock.now(),
        )
    return digest


async def _status_of(h: Harness, key: str) -> OutboxStatus | None:
    async with h.session_pool() as session:
        return await session.scalar(select(OutboxMessage.status).where(OutboxMessage.key == key))


async def test_staff_of_an_archived_district_are_told_and_lose_the_staff_commands(
    harness: Harness,
) -> None:
    """The admin archives Светлана's district while its digest waits for her: she is told the
    district is closed, the digest does not go out, and /digest and its menu are hers no more."""
    h = harness
    await join(h)
    await staff_joins(h)
    digest = await _digest_waiting(h)

    replies = await h.tap(ADMIN, await _card(h, DISTRICT), "В архив")

    (told,) = [r for r in replies if r.chat_id == DISTRICT_STAFF and r.method == "sendMessage"]
    assert "закрыта (перенесена в архив)" in told.plain_text
    assert "digest" not in _menu_of(h, DISTRICT_STAFF)
    closed = staff_texts.your_scope_archived(DISTRICT)
    assert texts(await h.send(DISTRICT_STAFF, "/digest")) == [closed]
    assert await _status_of(h, digest) == OutboxStatus.FAILED


async def test_staff_who_chair_a_ppo_do_not_get_their_own_announcement(harness: Harness) -> None:
    """Светлана, on the district's staff, also chairs «Солнышко»: her announcement to every
    chair goes to Мария only, and the preview, the confirmation and the report count one."""
    h = harness
    await join(h)
    await staff_joins(h)
    await accept_invite(h, DISTRICT_STAFF, code_of((await invite_links(h))[GARDEN]))
    question = last_message(await h.send(DISTRICT_STAFF, "/announce"))
    await h.tap(DISTRICT_STAFF, question, "Всем председателям")
    summary = last_message(await h.send(DISTRICT_STAFF, "Семинар председателей 30.11 в 10:00"))
    done = texts(await h.tap(DISTRICT_STAFF, summary, "Отправить"))

    sent = await drain(h)
    report = [r.plain_text or "" for r in await drain(h) if r.chat_id == DISTRICT_STAFF]

    got = {r.chat_id for r in sent if "Семинар председателей" in (r.plain_text or "")}
    assert got == {CHAIR}, got
    assert "получателей: 1" in (summary.plain_text or ""), summary.plain_text
    assert "получателей — 1" in done[0], done
    assert len(report) == 1 and "Доставлено: 1" in report[0], report


async def test_staff_of_a_district_and_its_region_tell_the_two_digests_apart(
    october: None, harness: Harness
) -> None:
    """Светлана is on the staff of the district and of the region: Monday's digests of both
    come at once, the texts first, then the charts, then the tables; each attachment names
    its scope, as each text's heading does."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _join_region_staff(h, DISTRICT_STAFF)
    h.clock.moment = at(19)  # Monday: the weekly digest

    sent = to(DISTRICT_STAFF, await tick_and_send(h))

    for method in ("sendMessage", "sendPhoto", "sendDocument"):
        headings = [
            (r.plain_text or str(r.params.get("caption"))).splitlines()[0]
            for r in sent
            if r.method == method
        ]
        named = sorted((DISTRICT in heading, REGION in heading) for heading in headings)
        assert named == [(False, True), (True, False)], (method, headings)


async def test_a_late_plan_item_waiting_for_the_staff_of_an_archived_district_is_withdrawn(
    harness: Harness,
) -> None:
    """Светлана's plan item 1 is late: its escalation is queued for her, then the admin
    archives her district before it goes out. It does not go out."""
    h = harness
    await plan_setup(h)
    await h.upload(PLAN_STAFF, plan_file(), "План.xlsx", caption="/plan")
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)  # the day after item 1's deadline
    bg = background(h)
    await calendar_tick(bg)
    assert [k for k in await plan_rows(h) if k.startswith("plan-late:")], "nothing was queued"

    await _archive(h, DISTRICT_A)
    mark = h.server.mark()
    await bg.deliverer.drain()

    late = [
        r
        for r in to(PLAN_STAFF, h.server.requests[mark:])
        if "Просрочен пункт плана" in (r.plain_text or "")
    ]
    assert late == [], [r.plain_text for r in late]


async def test_archiving_a_region_closes_its_districts_and_their_ppo_too(harness: Harness) -> None:
    """The admin archives the region: Мария, chairing a school of a district in it, and
    Светлана, on the staff of the district and of the region, are each told once and lose
    their commands; the district's digest waiting for Светлана does not go out; the curator
    of the district's kindergarten has no card of it."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _join_region_staff(h, DISTRICT_STAFF)
    await attach_curator(h, GARDEN)
    digest = await _digest_waiting(h)

    replies = await h.tap(ADMIN, await _card(h, REGION), "В архив")

    told = {r.chat_id: r.plain_text or "" for r in replies if r.method == "sendMessage"}
    assert [r.chat_id for r in replies if r.method == "sendMessage"].count(DISTRICT_STAFF) == 1
    assert DISTRICT in told[DISTRICT_STAFF] and REGION in told[DISTRICT_STAFF], told
    assert staff_texts.your_ppo_archived(SCHOOL) == told[CHAIR]
    assert "pause" not in _menu_of(h, CHAIR) and "digest" not in _menu_of(h, DISTRICT_STAFF)
    (closed,) = texts(await h.send(DISTRICT_STAFF, "/digest"))
    assert "закрыта (перенесена в архив)" in closed, closed
    assert texts(await h.send(CURATOR, "/curated")) == [curator_texts.NONE_ACTIVE]
    assert await _status_of(h, digest) == OutboxStatus.FAILED


async def test_nothing_of_an_archived_region_reaches_the_people_of_its_districts(
    october: None, harness: Harness
) -> None:
    """October's monitoring opens, then the region is archived: on Monday 19.10, a week before
    the deadline, the district's chair is not reminded and its staff get no digest."""
    h = harness
    await join(h)
    await staff_joins(h)
    await tick_and_send(h)
    await h.tap(ADMIN, await _card(h, REGION), "В архив")
    h.clock.moment = at(19)

    sent = await tick_and_send(h)

    assert to(CHAIR, sent) == [] and to(DISTRICT_STAFF, sent) == [], [r.plain_text for r in sent]


async def test_a_plan_of_a_district_of_an_archived_region_reminds_and_reviews_nobody(
    harness: Harness,
) -> None:
    """Светлана's district has a plan; the region is archived: a week before item 1's deadline
    its chairs are not reminded, and January brings her no half-year review."""
    h = harness
    await plan_setup(h)
    await h.upload(PLAN_STAFF, plan_file(), "План.xlsx", caption="/plan")
    await _archive(h, REGION)
    bg = background(h)
    mark = h.server.mark()
    for moment in (
        datetime(2026, 12, 3, 7, 30, tzinfo=UTC),
        datetime(2027, 1, 11, 7, 30, tzinfo=UTC),
    ):
        h.clock.moment = moment
        await calendar_tick(bg)
        await bg.deliverer.drain()

    assert sent_to(h, PLAN_CHAIR, mark, "Актуализация паспортов") == []
    assert sent_to(h, PLAN_STAFF, mark, "Полугодовое рассмотрение") == []


async def test_restoring_a_region_gives_its_people_their_roles_back_and_tells_them(
    harness: Harness,
) -> None:
    """The region archived by mistake is restored: Мария gets her chair keyboard and commands
    back, Светлана (on the district's staff and the region's) her staff commands, each told
    once that it is open again."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _join_region_staff(h, DISTRICT_STAFF)
    await h.tap(ADMIN, await _card(h, REGION), "В архив")

    replies = await h.tap(ADMIN, await _card(h, REGION), staff_texts.BTN_RESTORE)

    told = [r for r in replies if r.method == "sendMessage" and r.chat_id != ADMIN]
    assert sorted(r.chat_id for r in told) == [CHAIR, DISTRICT_STAFF], told
    chair, staff = sorted(told, key=lambda r: r.chat_id)
    assert chair.plain_text == staff_texts.your_ppo_restored(SCHOOL)
    assert "keyboard" in chair.params["reply_markup"], chair.params
    assert "снова открыта" in (staff.plain_text or "")
    assert DISTRICT in (staff.plain_text or "") and REGION in (staff.plain_text or "")
    assert "pause" in _menu_of(h, CHAIR) and "digest" in _menu_of(h, DISTRICT_STAFF)
