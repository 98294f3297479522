"""A plan item given to another keeps its history: a stage done by whoever answered for it
alone (a staff member, or the one ППО it was given to) stays done when it passes on, shown in
/plan and the review's .xlsx with who did it and when, counted, and not asked of the next;
they owe the stages from the day they got it. For «все ППО» every ППО answers for itself: a
mark of one is never another's."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import plan_marks as tpm
from handlers.callbacks import PlanDone, PlanStageDone
from harness import ADMIN, Harness, background, texts
from scenarios import accept_invite
from test_plan_got_late_window import nothing_sent_at
from test_plan_stages import done_by_button, tick_at
from test_plans import (
    CHAIR,
    CHAIR2,
    DISTRICT_A,
    GARDEN,
    HEADERS,
    SCHOOL,
    STAFF,
    item_ids,
    setup,
)
from test_plans_given_later import MAY_4

STAFF2 = 803
MARCH_12 = datetime(2027, 3, 12, 7, 30, tzinfo=UTC)
JUNE = date(2027, 6, 30)


async def _item_from_march(h: Harness, responsible: str) -> int:
    """«март, июнь 2027» for ``responsible`` loaded on 1 March; its id."""
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    rows = [("1", "Мониторинг профсоюзного членства", "март, июнь 2027", responsible)]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    return (await item_ids(h))["1"]


async def _review_cells(h: Harness) -> list[tuple[object, ...]]:
    """The rows of the half-year review's .xlsx, as 1 July's pass sends it."""
    await tick_at(h, background(h), datetime(2027, 7, 1, 7, 30, tzinfo=UTC))
    name, data = h.server.sent_files(STAFF)[-1]
    assert name.endswith(".xlsx")
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]


async def test_a_staff_members_march_stays_done_when_the_item_passes_on(
    harness: Harness,
) -> None:
    """Светлана marks March on 12 March; on 4 May the item is Анна's: /plan shows March done
    by Светлана, counts it, and is at June; the review's .xlsx shows the same."""
    h = harness
    ids = await setup(h)
    reply = texts(await h.send(ADMIN, f"/invite {ids[DISTRICT_A]}"))[0]
    await accept_invite(h, STAFF2, reply.split("?start=", 1)[1].split()[0], first_name="Анна")
    item = await _item_from_march(h, "Светлана")
    h.clock.moment = MARCH_12
    done = await done_by_button(h, STAFF, PlanDone(item_id=item, unit=0).pack())
    assert "срок 31.03.2027 отмечен выполненным" in done

    h.clock.moment = MAY_4
    [changed] = texts(await h.send(STAFF, f"/planedit {item} ответственный Анна"))
    assert "ответственный — теперь Анна" in changed
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress
    assert "\n   31.03.2027 — выполнено 12.03.2027 (Светлана)" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 1 из 2" in progress

    [row] = await _review_cells(h)
    assert row[5:] == (
        "Анна",
        "просрочен",
        datetime(2027, 3, 12),
        "Сведения сданы (Светлана)",
        "1 из 2; 31.03.2027 — выполнено 12.03.2027 (Светлана)",
    )


async def test_stages_a_ppo_did_stay_done_and_are_not_asked_of_the_next(
    harness: Harness,
) -> None:
    """The school marks March, and June ahead of its day; given to the garden on 4 May: the
    item is done in /plan with both stages shown as the school's, the garden is not reminded
    of June nor escalated, and its June button says June is done."""
    h = harness
    ids = await setup(h)
    item = await _item_from_march(h, SCHOOL)
    h.clock.moment = MARCH_12
    await done_by_button(h, CHAIR, PlanDone(item_id=item, unit=ids[SCHOOL]).pack())
    early = PlanStageDone(item_id=item, unit=ids[SCHOOL], due=JUNE).pack()
    assert "срок 30.06.2027 отмечен выполненным" in await done_by_button(h, CHAIR, early)

    h.clock.moment = MAY_4
    await h.send(STAFF, f"/planedit {item} ответственный {GARDEN}")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "✅ 1. Мониторинг профсоюзного членства — последний срок: до 30.06.2027" in progress
    assert f"31.03.2027 — выполнено 12.03.2027 ({SCHOOL})" in progress
    assert f"30.06.2027 — выполнено 12.03.2027 ({SCHOOL})" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 2 из 2" in progress

    bg = background(h)
    later = (datetime(2027, 6, 23, 7, 30, tzinfo=UTC), datetime(2027, 7, 1, 7, 30, tzinfo=UTC))
    await nothing_sent_at(h, bg, later, "Мониторинг профсоюзного членства")
    button = PlanStageDone(item_id=item, unit=ids[GARDEN], due=JUNE).pack()
    answers = await h.feed(h.server.callback(CHAIR2, button))
    alert = next(r for r in answers if r.method == "answerCallbackQuery")
    assert alert.params.get("text") == tpm.stage_already_done(JUNE)


async def test_every_ppo_answers_for_itself_when_the_item_is_widened_or_narrowed(
    harness: Harness,
) -> None:
    """The school's March mark stays its own when the item is widened to «все ППО» on 4 May
    (the garden owes June only); narrowed to the garden then, the school's March, done when
    it held the item alone, is the item's. The garden's March mark made as one of «все ППО»
    is not the school's when the item is narrowed to the school: it still owes March."""
    h = harness
    ids = await setup(h)
    item = await _item_from_march(h, SCHOOL)
    h.clock.moment = MARCH_12
    await done_by_button(h, CHAIR, PlanDone(item_id=item, unit=ids[SCHOOL]).pack())

    h.clock.moment = MAY_4
    await h.send(STAFF, f"/planedit {item} ответственный все ППО")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 1 из 3" in progress
    assert "выполнено 12.03.2027" not in progress
    await h.send(STAFF, f"/planedit {item} ответственный {GARDEN}")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert f"31.03.2027 — выполнено 12.03.2027 ({SCHOOL})" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 1 из 2" in progress


async def test_a_mark_made_as_one_of_every_ppo_is_not_the_next_ones(harness: Harness) -> None:
    """«все ППО» from 1 March; the garden marks March; narrowed to the school in May: the
    school answered for the item from March and still owes it, late."""
    h = harness
    ids = await setup(h)
    item = await _item_from_march(h, "все ППО")
    h.clock.moment = MARCH_12
    await done_by_button(h, CHAIR2, PlanDone(item_id=item, unit=ids[GARDEN]).pack())
    h.clock.moment = MAY_4
    await h.send(STAFF, f"/planedit {item} ответственный {SCHOOL}")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Мониторинг профсоюзного членства — ближайший срок: до 31.03.2027" in progress
    assert "выполнено 12.03.2027" not in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 0 из 2" in progress
