"""«Как в прошлый раз»: a returning chair whose figures barely changed files the membership
form in at most five interactions, counted through the dispatcher from /report to «Отправить»;
members are derived (last time's + принято − выбыло), shown and editable."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import membership as tm
from harness import Harness, Request, last_message, texts
from scenarios import CHAIR, FULL, answer_all, join
from storage.models import MembershipReport

QUICK = "⚡ Остальное как в прошлый раз"


class Chair:
    """The chair's side of a conversation, counting every message and tap."""

    def __init__(self, h: Harness) -> None:
        self.h, self.interactions = h, 0

    async def send(self, text: str) -> Request:
        self.interactions += 1
        return last_message(await self.h.send(CHAIR, text))

    async def tap(self, source: Request, button: str) -> Request:
        self.interactions += 1
        return last_message(await self.h.tap(CHAIR, source, button))


async def reported_last_month(h: Harness, values: list[str] = FULL) -> None:
    await join(h)
    h.clock.advance(days=-40)  # type: ignore[attr-defined]
    await h.tap(CHAIR, last_message(await answer_all(h, values)), "Отправить")
    h.clock.advance(days=40)  # type: ignore[attr-defined]


async def latest(h: Harness) -> MembershipReport:
    async with h.session_pool() as session:
        stmt = select(MembershipReport).order_by(MembershipReport.period.desc())
        return (await session.scalars(stmt)).first()  # type: ignore[return-value]


def figures(report: MembershipReport) -> tuple[int | None, ...]:
    return (
        report.workers,
        report.members,
        report.youth_workers,
        report.youth_members,
        report.managers,
        report.managers_members,
        report.joined,
        report.left,
        report.retired,
    )


async def test_barely_changed_figures_take_five_interactions(harness: Harness) -> None:
    await reported_last_month(harness)
    chair = Chair(harness)
    question = await chair.send("/report")
    text = question.plain_text or ""
    labels = [label for label, _ in question.buttons()]
    assert "Сколько работников" in text and "спрошу только, сколько принято и выбыло" in text
    assert labels[:2] == ["↩️ 54 (как в прошлый раз)", QUICK]

    joined = await chair.tap(question, QUICK)
    assert "Вопрос 1 из 2" in (joined.plain_text or "") and "принято" in (joined.plain_text or "")
    left = await chair.send("2")
    assert "Вопрос 2 из 2" in (left.plain_text or "") and "выбыло" in (left.plain_text or "")
    summary = await chair.send("1")
    text = summary.plain_text or ""
    assert "Работников: 54" in text and "Членов профсоюза: 41" in text
    assert "посчитано: 40 + 2 − 1" in text
    assert "Работников до 35 лет: 12" in text and "Пенсионеров на учёте: 5" in text
    assert "Не сходится" not in text
    saved = await chair.tap(summary, "Отправить")
    assert "Отчёт сохранён" in (saved.plain_text or "")
    assert chair.interactions <= 5
    assert figures(await latest(harness)) == (54, 41, 12, 8, 3, 2, 2, 1, 5)


async def test_changed_workers_are_typed_and_the_rest_follows(harness: Harness) -> None:
    await reported_last_month(harness)
    chair = Chair(harness)
    question = await chair.send("/report")
    members = await chair.send("56")
    assert "40 (как в прошлый раз)" in str(members.buttons())
    joined = await chair.tap(members, QUICK)
    await chair.send("3")
    summary = await chair.send("0")
    assert "Работников: 56" in (summary.plain_text or "")
    await chair.tap(summary, "Отправить")
    assert chair.interactions == 6 and question is not joined
    assert figures(await latest(harness)) == (56, 43, 12, 8, 3, 2, 3, 0, 5)


async def test_back_undoes_the_shortcut(harness: Harness) -> None:
    await reported_last_month(harness)
    question = last_message(await harness.send(CHAIR, "/report"))
    joined = last_message(await harness.tap(CHAIR, question, QUICK))
    back = last_message(await harness.tap(CHAIR, joined, "Назад"))
    assert "Сколько работников" in (back.plain_text or "")
    assert QUICK in str(back.buttons())  # offered again
    members = last_message(await harness.tap(CHAIR, back, "как в прошлый раз"))
    assert "Вопрос 2 из 9" in (members.plain_text or "")  # the full walk again


async def test_derived_members_can_be_changed_and_follow_until_then(harness: Harness) -> None:
    await reported_last_month(harness)
    await harness.send(CHAIR, "/report")
    await harness.tap(CHAIR, last_message(harness.server.requests), QUICK)
    await harness.send(CHAIR, "2")
    summary = last_message(await harness.send(CHAIR, "0"))
    assert "Членов профсоюза: 42" in (summary.plain_text or "")

    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Принято в профсоюз")
    summary = last_message(await harness.send(CHAIR, "5"))
    assert "Членов профсоюза: 45" in (summary.plain_text or "")  # followed принято

    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Членов профсоюза")
    summary = last_message(await harness.send(CHAIR, "44"))
    assert "посчитано" not in (summary.plain_text or "")
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Принято в профсоюз")
    summary = last_message(await harness.send(CHAIR, "6"))
    assert "Членов профсоюза: 44" in (summary.plain_text or "")  # the chair's number stays
    await harness.tap(CHAIR, summary, "Подтверждаю")
    assert figures(await latest(harness))[:2] == (54, 44)


async def test_a_derivation_breaking_a_rule_is_asked(harness: Harness) -> None:
    await reported_last_month(harness, ["54", "54", *FULL[2:]])
    await harness.send(CHAIR, "/report")
    await harness.tap(CHAIR, last_message(harness.server.requests), QUICK)
    await harness.send(CHAIR, "2")
    question = last_message(await harness.send(CHAIR, "0"))  # 54 + 2 > 54 workers
    assert "Сколько из них членов профсоюза" in (question.plain_text or "")
    summary = last_message(await harness.send(CHAIR, "54"))
    assert "Членов профсоюза: 54" in (summary.plain_text or "")
    assert "Не сходится: было 54 + принято − выбыло = 56" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Подтверждаю")
    assert figures(await latest(harness))[:2] == (54, 54)


async def test_no_shortcut_without_a_previous_report(harness: Harness) -> None:
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/report"))
    labels = [label for label, _ in question.buttons()]
    assert "↩️ 54 (как в прошлый раз)" in labels  # workers known from the organization list
    assert QUICK not in labels and "⚡" not in (question.plain_text or "")
    assert "Вопрос 1 из 9" in texts([question])[0]


async def test_no_shortcut_on_a_first_report_at_the_optional_questions(harness: Harness) -> None:
    """Past the members question every question of the block is optional: with no report
    before, «как в прошлый раз» would blank them all, so it is not offered there either."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    youth = last_message(await harness.send(CHAIR, "40"))
    assert "До 35 лет" in (youth.plain_text or "") or "до 35" in (youth.plain_text or "")
    assert QUICK not in [label for label, _ in youth.buttons()]


async def test_last_times_value_that_no_longer_fits_is_asked_not_lost(harness: Harness) -> None:
    """Workers fell from 54 to 11: last time's 12 under 35 breaks «не больше работников», so
    after the shortcut that question is asked, not silently left empty."""
    await reported_last_month(harness)
    await harness.send(CHAIR, "/report")
    members = last_message(await harness.send(CHAIR, "11"))
    await harness.tap(CHAIR, members, QUICK)
    await harness.send(CHAIR, "0")
    asked = last_message(await harness.send(CHAIR, "0"))  # 40 + 0 − 0 > 11: members asked
    assert "Сколько из них членов профсоюза" in (asked.plain_text or "")
    youth = last_message(await harness.send(CHAIR, "10"))
    assert "до 35 лет" in (youth.plain_text or "")
    young_members = last_message(await harness.send(CHAIR, "5"))
    assert tm.Q_YOUTH_MEMBERS in (young_members.plain_text or "")
    summary = last_message(await harness.send(CHAIR, "4"))
    assert "Работников до 35 лет: 5" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Подтверждаю")
    assert figures(await latest(harness))[:4] == (11, 10, 5, 4)


async def test_an_answer_dropped_by_an_edit_is_asked_again(harness: Harness) -> None:
    """Youth skipped, then set from the summary: its members question (dropped with it) is
    asked before the summary comes back, not left as «—»."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    replies = await harness.send(CHAIR, "40")
    for _ in range(5):
        replies = await harness.tap(CHAIR, last_message(replies), "Пропустить")
    menu = last_message(await harness.tap(CHAIR, last_message(replies), "Исправить"))
    await harness.tap(CHAIR, menu, "Работников до 35 лет")
    asked = last_message(await harness.send(CHAIR, "12"))
    assert (asked.plain_text or "").endswith(tm.Q_YOUTH_MEMBERS + "\nМожно пропустить.")
