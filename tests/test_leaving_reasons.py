"""Why members left: the membership form's summary asks the split of «выбыло» by the four
reasons when someone left; it must add up, «не знаю» leaves it empty; it is stored in four
columns, shown in /history, and comes back in a returned report's pre-filled form."""

from __future__ import annotations

from sqlalchemy import select

from bot.wiring.scheduler import calendar_tick
from harness import Harness, background, last_message, texts
from scenarios import CHAIR, DISTRICT, accept_invite, answer_all, code_of, invite_links, join
from storage.models import MembershipReport

STAFF = 801
LEFT_THREE = ["54", "40", "12", "8", "3", "2", "4", "3", "5"]  # joined 4, left 3
QUESTION = "Почему выбыли?"


async def stored_split(h: Harness) -> list[tuple[int | None, ...]]:
    async with h.session_pool() as session:
        rows = (
            await session.scalars(select(MembershipReport).order_by(MembershipReport.revision))
        ).all()
    return [(r.left, r.left_own_will, r.left_dismissed, r.left_retired, r.left_other) for r in rows]


async def test_the_summary_asks_the_split_and_it_must_add_up(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await answer_all(harness, LEFT_THREE))
    text = summary.plain_text or ""
    assert QUESTION in text and "2 1 0 0" in text
    assert "Причины выбытия: —" in text
    labels = [label for label, _ in summary.buttons()]
    assert labels[0] == "🤷 Не знаю" and any("Отправить" in label for label in labels)

    wrong = last_message(await harness.send(CHAIR, "2 2")).plain_text or ""
    assert "По причинам получилось 4 чел., а выбыло 3. Числа должны давать в сумме 3." in wrong
    assert QUESTION in wrong  # asked again, under the summary
    wrong = last_message(await harness.send(CHAIR, "два и один")).plain_text or ""
    assert "Нужно 4 целых числа через пробел" in wrong
    wrong = last_message(await harness.send(CHAIR, "1 1 0 0 1")).plain_text or ""
    assert "не больше 4 чисел, а здесь 5" in wrong

    summary = last_message(await harness.send(CHAIR, "2, 1"))  # trailing zeros left off
    text = summary.plain_text or ""
    assert "Причины выбытия: по собственному желанию — 2, увольнение — 1" in text
    assert QUESTION not in text
    assert not any("Не знаю" in label for label, _ in summary.buttons())
    await harness.tap(CHAIR, summary, "Отправить")
    assert await stored_split(harness) == [(3, 2, 1, 0, 0)]

    history = texts(await harness.send(CHAIR, "/history"))[0]
    assert "выбыло 3: по собственному желанию — 2, увольнение — 1" in history


async def test_dont_know_leaves_the_split_empty(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await answer_all(harness, LEFT_THREE))
    summary = last_message(await harness.tap(CHAIR, summary, "Не знаю"))
    text = summary.plain_text or ""
    assert QUESTION not in text and "Причины выбытия: —" in text
    await harness.tap(CHAIR, summary, "Отправить")

    summary = last_message(await answer_all(harness, LEFT_THREE))
    summary = last_message(await harness.send(CHAIR, "не знаю"))
    assert QUESTION not in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    # sending without answering is «не знаю» too
    await harness.tap(CHAIR, last_message(await answer_all(harness, LEFT_THREE)), "Отправить")
    assert await stored_split(harness) == [(3, None, None, None, None)] * 3
    history = texts(await harness.send(CHAIR, "/history"))[0]
    assert "выбыло" not in history


async def test_nobody_left_nothing_is_asked(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await answer_all(harness, [*LEFT_THREE[:7], "0", "5"]))
    text = summary.plain_text or ""
    assert QUESTION not in text and "Причины выбытия" not in text
    assert not any("Не знаю" in label for label, _ in summary.buttons())
    assert "не сходится" not in texts(await harness.send(CHAIR, "1 0 0 0"))[0].casefold()
    await harness.tap(CHAIR, last_message(harness.server.requests), "Отправить")
    assert await stored_split(harness) == [(0, None, None, None, None)]


async def test_changing_left_asks_the_split_again(harness: Harness) -> None:
    await join(harness)
    await answer_all(harness, LEFT_THREE)
    summary = last_message(await harness.send(CHAIR, "3"))
    assert "Причины выбытия: по собственному желанию — 3" in (summary.plain_text or "")

    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    assert "Причины выбытия" in str(menu.buttons())
    await harness.tap(CHAIR, menu, "Выбыло из профсоюза")
    summary = last_message(await harness.send(CHAIR, "3"))  # the same number: the split stays
    assert "по собственному желанию — 3" in (summary.plain_text or "")
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Выбыло из профсоюза")
    summary = last_message(await harness.send(CHAIR, "2"))
    text = summary.plain_text or ""
    assert "Причины выбытия: —" in text and QUESTION in text

    # the split can be changed as a question of its own too; «Не знаю» skips it there
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    question = last_message(await harness.tap(CHAIR, menu, "Причины выбытия"))
    assert "🤷 Не знаю" in str(question.buttons())
    summary = last_message(await harness.send(CHAIR, "0 0 1 1"))
    assert "выход на пенсию — 1, другое — 1" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    assert await stored_split(harness) == [(2, 0, 0, 1, 1)]


async def test_a_returned_report_comes_back_with_its_split(harness: Harness) -> None:
    await join(harness)
    staff = (await invite_links(harness, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(harness, STAFF, code_of(staff), first_name="Светлана")
    await answer_all(harness, LEFT_THREE)
    await harness.tap(CHAIR, last_message(await harness.send(CHAIR, "1 1 1")), "Отправить")

    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    card_text = card.plain_text or ""
    assert "Причины выбытия: по собственному желанию — 1, увольнение — 1, выход на пенсию — 1" in (
        card_text
    )
    await harness.tap(STAFF, card, "Вернуть")
    summary = last_message(await harness.send(STAFF, "Уточните причины выбытия"))
    await harness.tap(STAFF, summary, "Отправить")
    bg = background(harness)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    notice = [
        r
        for r in harness.server.requests
        if r.chat_id == CHAIR and "Уточните" in (r.plain_text or "")
    ]
    summary = last_message(await harness.tap(CHAIR, notice[-1], "Мониторинг"))
    assert "по собственному желанию — 1, увольнение — 1, выход на пенсию — 1" in (
        summary.plain_text or ""
    )
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Причины выбытия")
    summary = last_message(await harness.send(CHAIR, "2 0 0 1"))
    await harness.tap(CHAIR, summary, "Отправить")
    assert await stored_split(harness) == [(3, 1, 1, 1, 0), (3, 2, 0, 0, 1)]
