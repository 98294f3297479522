"""The half-year review is built once per scope and recipient: for the 14 days after its
moment (1 January, 1 July) every minute's pass used to load each scope's whole plan progress
(items, marks, ППО, the audit's reads) only to find its outbox rows already queued. Now a pass
reads the review's keys first and builds it only for a recipient still without it: a staff
member who joined on 5 July still gets it then, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from harness import ADMIN, Harness, background, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import Organization
from test_plan_moved_tick import statements_of_a_pass
from test_plan_stages import tick_at
from test_plans import HEADERS, sent_to

DISTRICTS = (
    "Кировская районная организация",
    "Ленинская районная организация",
    "Советская районная организация",
)
STAFF = (801, 802, 803)
LATE_STAFF = 804  # joins the first district's staff on 5 July
ITEMS = 40
JULY_1 = datetime(2027, 7, 1, 7, 30, tzinfo=UTC)  # Thursday, 10:30 in Moscow
JULY_5 = datetime(2027, 7, 5, 7, 30, tzinfo=UTC)
REVIEW = "Полугодовое рассмотрение плана мероприятий"


async def districts_with_plans(h: Harness) -> None:
    """Three districts of two ППО each, each with a plan of 40 items for every ППО loaded on
    11 January and due by April (no reminder or escalation is due in July)."""
    rows = [(d, f"МБОУ СОШ № {i * 2 + n}", 30) for i, d in enumerate(DISTRICTS) for n in (1, 2)]
    await h.upload(
        ADMIN,
        build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows),
        "list.xlsx",
        caption="/import",
    )
    staff = await invite_links(h, whom="сотрудник аппарата")
    for district, user in zip(DISTRICTS, STAFF, strict=True):
        await accept_invite(h, user, code_of(staff[district]), first_name="Светлана")
    h.clock.moment = datetime(2027, 1, 11, 7, 30, tzinfo=UTC)
    months = ("28.02.2027", "31.03.2027", "30.04.2027")
    plan = [(str(n), f"Мероприятие {n}", months[n % 3], "все ППО") for n in range(1, ITEMS + 1)]
    for user in STAFF:
        await h.upload(user, build_table_xlsx("План", HEADERS, plan), "plan.xlsx", caption="/plan")


async def _three_districts_with_plans(h: Harness) -> None:
    """``districts_with_plans``; 1 July's pass queues each district's review."""
    await districts_with_plans(h)
    mark = await tick_at(h, background(h), JULY_1)
    for user in STAFF:
        assert len(sent_to(h, user, mark, REVIEW)) == 1


def _plan_reads(ran: list[str]) -> list[str]:
    """What building a review reads and the pass's own items query does not: the plans'
    items by plan, their marks, the items' handovers in the audit."""
    return [
        sql
        for sql in ran
        if "plan_marks" in sql
        or "plan_items.plan_id IN" in sql
        or sql.startswith('SELECT audit_log."before"')
    ]


async def test_a_pass_after_the_review_was_queued_builds_none(sqlite_harness: Harness) -> None:
    """5 July: every district's review went out on 1 July. The pass reads each scope, its
    plans, its staff and its queued review keys: 22 statements (4 of the pass, 6 a scope);
    before, 43, with each scope's items, marks, ППО and audit read to build a review it then
    found queued."""
    h = sqlite_harness
    await _three_districts_with_plans(h)
    ran = await statements_of_a_pass(h, JULY_5)
    assert _plan_reads(ran) == []
    assert len(ran) == 4 + 6 * len(DISTRICTS)


async def test_a_staff_member_who_joins_in_the_window_gets_the_review_once(
    sqlite_harness: Harness,
) -> None:
    """One who joins a district's staff on 5 July gets its review with the next pass, the
    others nothing twice; the pass after that builds none."""
    h = sqlite_harness
    await _three_districts_with_plans(h)
    h.clock.moment = JULY_5
    async with h.session_pool() as session:
        district = await session.scalar(
            select(Organization.id).where(Organization.name == DISTRICTS[0])
        )
    reply = " ".join(texts(await h.send(ADMIN, f"/invite {district}")))
    link = next(word for word in reply.split() if "?start=" in word)
    await accept_invite(h, LATE_STAFF, code_of(link), first_name="Анна")
    bg = background(h)
    mark = await tick_at(h, bg, JULY_5)
    [review] = sent_to(h, LATE_STAFF, mark, REVIEW)
    assert "Пунктов: 40 · выполнено: 0 · просрочено: 40" in review.plain_text
    assert h.server.sent_files(LATE_STAFF)[-1][0] == "План мероприятий 05.07.2027.xlsx"
    for user in STAFF:
        assert sent_to(h, user, mark, REVIEW) == []
    ran = await statements_of_a_pass(h, datetime(2027, 7, 5, 7, 31, tzinfo=UTC))
    assert _plan_reads(ran) == []
    mark = await tick_at(h, bg, datetime(2027, 7, 6, 7, 30, tzinfo=UTC))
    assert sent_to(h, LATE_STAFF, mark, REVIEW) == []
