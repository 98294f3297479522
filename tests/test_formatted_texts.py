"""Staff's long texts to chairs (an announcement, a returned report's comment) keep the
formatting typed in Telegram, end to end.

A district specialist formats an announcement in the app: bold, italic, a hidden link
(«подробнее здесь» pointing to a URL). The bot takes the message as HTML (aiogram's
``Message.html_text``) and sends it as it is; the fake Bot API server parses it as Telegram
does, so a refused call, a lost link or text escaped twice shows here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.domain.announcements import send_missed
from bot.texts import markup
from bot.texts import staff as staff_texts
from bot.texts.markup import CLIPPED, esc
from fakes.telegram_server import Request, parse_html, utf16_len
from harness import Harness, last_message
from scenarios import CHAIR, DISTRICT
from storage import audit
from storage.models import FormDraft, Organization
from test_staff_tools import SECOND_CHAIR, STAFF, district_with_staff, drain, submit

URL = "https://profsoyuz.example/seminar?day=30&room=2"
TEXT = "Собрание <в 15:00> & итоги года\n• повестка: <проект> & «план»\nподробнее здесь"
FORMATTING = {
    ("bold", "Собрание", None),
    ("italic", "итоги года", None),
    ("text_link", "подробнее здесь", URL),
}


def entity(kind: str, text: str, piece: str, url: str | None = None) -> dict[str, Any]:
    """A formatting entity over ``piece`` of ``text``, as the Telegram app sends it."""
    found = {"type": kind, "offset": utf16_len(text[: text.index(piece)]), "length": len(piece)}
    return found if url is None else {**found, "url": url}


ENTITIES = [entity(kind, TEXT, piece, url) for kind, piece, url in FORMATTING]


def formatting(request: Request) -> set[tuple[str, str, str | None]]:
    """What a sent message shows formatted: (kind, the text it covers, its link)."""
    return shown_formatted(request.params["text"])


def shown_formatted(html: object) -> set[tuple[str, str, str | None]]:
    """What a sent text or caption shows formatted: (kind, the text it covers, its link)."""
    plain, entities = parse_html(str(html))
    units = plain.encode("utf-16-le")
    return {
        (
            e["type"],
            units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"),
            e.get("url"),
        )
        for e in entities
    }


def refused(h: Harness) -> list[str]:
    return [r.summary() for r in h.server.requests if r.error_code == 400]


async def preview(h: Harness, text: str, **kwargs: Any) -> Request:
    """The summary of an announcement to every chair with ``text``."""
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    return last_message(await h.send(STAFF, text, **kwargs))


async def test_a_formatted_announcement_reaches_every_chair_exactly(harness: Harness) -> None:
    await district_with_staff(harness)
    summary = await preview(harness, TEXT, entities=ENTITIES)
    assert TEXT in (summary.plain_text or "") and formatting(summary) >= FORMATTING
    await harness.tap(STAFF, summary, "Отправить")
    delivered = [r for r in await drain(harness) if r.chat_id in {CHAIR, SECOND_CHAIR}]
    assert sorted(r.chat_id for r in delivered) == [CHAIR, SECOND_CHAIR]
    for message in delivered:
        assert message.ok and (message.plain_text or "").endswith(f"\n\n{TEXT}")
        assert formatting(message) >= FORMATTING, message.params["text"]
    assert refused(harness) == []


async def test_a_link_address_reaches_chairs_as_it_was_typed(harness: Harness) -> None:
    """aiogram puts a link's address into ``href`` unescaped: «&copy=1» in a query would be
    read back as «©=1» and «&lt=2» as «<=2», a changed link for every chair."""
    address = "https://profsoyuz.example/doc?id=5&copy=1&lt=2&quot=3"
    text = "Положение о конкурсе: скачать"
    link = [entity("text_link", text, "скачать", address)]
    await district_with_staff(harness)
    summary = await preview(harness, text, entities=link)
    assert ("text_link", "скачать", address) in formatting(summary)
    await harness.tap(STAFF, summary, "Отправить")
    [delivered] = [r for r in await drain(harness) if r.chat_id == CHAIR]
    assert [f for f in formatting(delivered) if f[0] == "text_link"] == [
        ("text_link", "скачать", address)
    ]
    assert refused(harness) == []


async def test_an_announcement_without_formatting_goes_out_as_before(harness: Harness) -> None:
    plain = "Собрание <в 15:00> & «Итоги» &amp; <b>не жирный</b>"
    await district_with_staff(harness)
    await harness.tap(STAFF, await preview(harness, plain), "Отправить")
    [delivered] = [r for r in await drain(harness) if r.chat_id == CHAIR]
    assert delivered.params["text"] == f"📢 <b>Объявление</b> — {esc(DISTRICT)}\n\n{esc(plain)}"
    assert refused(harness) == []


async def test_the_bounds_count_the_text_read_not_the_tags(harness: Harness) -> None:
    await district_with_staff(harness)
    longest = "Ж" * 1985 + "подробнее здесь"
    links = [entity("bold", longest, longest), entity("text_link", longest, "подробнее", URL)]
    summary = await preview(harness, longest, entities=links)
    assert "Слишком длинно" not in (summary.plain_text or "") and longest in summary.plain_text
    await harness.send(STAFF, "/cancel")
    too_long = await preview(harness, longest + "!", entities=links)
    assert "Слишком длинно: 2001 символ" in (too_long.plain_text or "")


async def test_an_announcement_recorded_before_formatting_was_kept_reads_as_typed(
    harness: Harness,
) -> None:
    """A chair joining after an announcement gets it: one recorded as plain text before
    formatting was kept is escaped, one recorded as HTML goes as it is."""
    old, new = "Семинар <в 10:00> & итоги", "<b>Отчёты</b> до 25.11 &amp; не позже"
    await district_with_staff(harness)
    now = harness.clock.now()
    async with harness.session_pool() as session, session.begin():
        district = (
            await session.scalars(select(Organization).where(Organization.name == DISTRICT))
        ).one()
        school = (
            await session.scalars(select(Organization).where(Organization.name == "МБОУ СОШ № 1"))
        ).one()
        for after in ({"text": old}, {"html": new}):
            audit.record(
                session,
                at=now,
                actor_id=None,
                action="announce",
                org_id=district.id,
                after={**after, "only_late": False, "chat": STAFF, "recipients": 2},
            )
        await session.flush()
        assert await send_missed(session, chat_id=CHAIR, org=school, now=now, default_tz="UTC")
    shown = [r for r in await drain(harness) if r.chat_id == CHAIR]
    assert [r.ok for r in shown] == [True, True]
    assert any((r.plain_text or "").endswith(f"\n\n{old}") for r in shown)
    formatted = next(r for r in shown if "Отчёты" in (r.plain_text or ""))
    assert (formatted.plain_text or "").endswith("\n\nОтчёты до 25.11 & не позже")
    assert ("bold", "Отчёты", None) in formatting(formatted)
    assert refused(harness) == []


def test_a_long_formatted_text_is_cut_between_characters_with_its_tags_closed() -> None:
    for html in (
        markup.SafeHtml(f'<b>{"😀" * 3000}</b> <a href="{URL}">подробнее здесь</a>'),
        markup.SafeHtml(f"<i>{'&lt;&amp;' * 3000}</i>"),
        markup.as_html("<b>&amp;" * 1000),
    ):
        plain, _ = parse_html(markup.clip_html(html, 1000))
        assert utf16_len(plain) <= 1000 and plain.endswith(CLIPPED)
        assert parse_html(html)[0].startswith(plain.removesuffix(CLIPPED))


COMMENT = "Проверьте <число членов> & «итоги»: форма здесь"
COMMENT_FORMATTING = {("bold", "Проверьте", None), ("text_link", "форма здесь", URL)}


async def test_a_formatted_return_comment_reaches_the_chair_exactly(harness: Harness) -> None:
    """Staff send a report back with a comment holding a hidden link: the staff's summary,
    the chair's notice and the chair's correction form all show it with its link."""
    await district_with_staff(harness)
    await submit(harness)
    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    await harness.tap(STAFF, card, "Вернуть")
    links = [entity("bold", COMMENT, "Проверьте"), entity("text_link", COMMENT, "форма здесь", URL)]
    summary = last_message(await harness.send(STAFF, COMMENT, entities=links))
    assert COMMENT in (summary.plain_text or "") and formatting(summary) >= COMMENT_FORMATTING
    await harness.tap(STAFF, summary, "Отправить")
    [notice] = [r for r in await drain(harness) if r.chat_id == CHAIR]
    assert notice.ok and f"Комментарий: {COMMENT}\n" in (notice.plain_text or "")
    assert formatting(notice) >= COMMENT_FORMATTING
    correction = last_message(await harness.tap(CHAIR, notice, "Мониторинг"))
    assert f"Возвращён на исправление: {COMMENT}" in (correction.plain_text or "")
    assert formatting(correction) >= COMMENT_FORMATTING
    assert refused(harness) == []


async def test_a_return_drafted_before_formatting_was_kept_asks_its_comment_again(
    harness: Harness,
) -> None:
    """A return written before the upgrade holds its comment as plain text: it is not taken
    for HTML (a «<» would make Telegram refuse the chair's notice), the comment is asked again."""
    await district_with_staff(harness)
    await submit(harness)
    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    await harness.tap(STAFF, card, "Вернуть")
    summary = last_message(await harness.send(STAFF, "Проверьте число членов"))
    async with harness.session_pool() as session, session.begin():
        draft = (await session.scalars(select(FormDraft))).one()
        draft.answers = {"comment": "Проверьте <число членов> & итоги"}
    asked = last_message(await harness.tap(STAFF, summary, "Отправить"))
    assert staff_texts.Q_COMMENT in (asked.plain_text or "")
    assert [r for r in await drain(harness) if r.chat_id == CHAIR] == []
    assert refused(harness) == []
