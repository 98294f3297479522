"""Anything a person types reaches Telegram intact.

Messages go out with ``parse_mode=HTML``. One payload holding everything HTML cares about
(``<``, ``>``, ``&``, a tag Telegram knows, one it refuses, an entity typed as text) is pushed
through every field people type or files bring, and every message that shows it back is
checked against the fake Bot API server, which parses HTML as Telegram does: no call is
refused (400) and the text the person sees holds the payload exactly as typed (so nothing is
left unescaped and nothing is escaped twice).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from aiogram.exceptions import TelegramBadRequest

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import admin as admin_texts
from bot.texts import announcements as announcement_texts
from bot.texts import chair as chair_texts
from bot.texts import common as common_texts
from bot.texts import consent as consent_texts
from bot.texts import digest as digest_texts
from bot.texts import district_events as devent_texts
from bot.texts import event_report as event_report_texts
from bot.texts import forms as forms_texts
from bot.texts import importing as importing_texts
from bot.texts import plan_marks as plan_marks_texts
from bot.texts import plans as plans_texts
from bot.texts import reminders as reminder_texts
from bot.texts import staff as staff_texts
from bot.texts.markup import CLIPPED, SafeHtml, as_html, esc
from bot.wiring.scheduler import calendar_tick
from fakes.telegram_server import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    HtmlParseError,
    Request,
    parse_html,
    utf16_len,
)
from handlers.replies import chunks
from harness import ADMIN, Harness, background, last_message
from scenarios import CONSENT_BUTTON, FULL, code_of, invite_links

PAYLOAD = "x<b>&amp;<script>y & z >"

DISTRICT = f"Район {PAYLOAD}"
SCHOOL = f"Школа {PAYLOAD}"  # its chair joins
GARDEN = f"Сад {PAYLOAD}"  # nobody joins: its chair is known by the list only
LISTED_CHAIR = f"Иванова {PAYLOAD}"
CHAIR_NAME = f"Мария {PAYLOAD}"  # the chair's Telegram profile
STAFF_NAME = f"Светлана {PAYLOAD}"

CHAIR, STAFF = 501, 801
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
NEXT_MONDAY = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)  # after 9:00 in Moscow: the digest
AFTER_DEADLINE = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # the request's escalation day

Seen = list[tuple[str, str, list[Request]]]
"""(which message, the value typed, the requests one of which must show it)."""


def sent(requests: list[Request], chat: int) -> list[Request]:
    """What ``chat`` was sent: messages, documents and photos (captions)."""
    return [
        r
        for r in requests
        if r.chat_id == chat and r.method in {"sendMessage", "sendDocument", "sendPhoto"}
    ]


def refused(h: Harness) -> list[str]:
    return [r.summary() for r in h.server.requests if r.error_code == 400]


async def drain(h: Harness) -> list[Request]:
    """One scheduler tick and the outbox sent through the Deliverer."""
    mark = h.server.mark()
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    return h.server.requests[mark:]


@dataclass
class World:
    """A district imported from a file whose cells hold the payload, a chair and a staff
    member joined; what the joining showed."""

    consent: list[Request] = field(default_factory=list)
    welcome: list[Request] = field(default_factory=list)
    staff_welcome: list[Request] = field(default_factory=list)


async def join(
    h: Harness, user: int, link: str, first_name: str
) -> tuple[list[Request], list[Request]]:
    """``/start <code>``, then the consent: (the question, the welcome)."""
    asked = await h.send(user, f"/start {code_of(link)}", first_name=first_name)
    question = next(r for r in asked if CONSENT_BUTTON in str(r.buttons()))
    return asked, await h.tap(user, question, CONSENT_BUTTON)


async def build_world(h: Harness) -> World:
    h.clock.moment = MONDAY
    rows = [(DISTRICT, SCHOOL, 54, ""), (DISTRICT, GARDEN, 20, LISTED_CHAIR)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников", "Председатель"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    world = World()
    world.consent, world.welcome = await join(h, CHAIR, (await invite_links(h))[SCHOOL], CHAIR_NAME)
    staff_link = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    _, world.staff_welcome = await join(h, STAFF, staff_link, STAFF_NAME)
    return world


async def open_card(h: Harness, name: str) -> list[Request]:
    """The admin's /org card of the organization ``name`` (searched by its first word)."""
    found = last_message(await h.send(ADMIN, f"/org {name.split()[0]}"))
    return await h.tap(ADMIN, found, name[:20])


async def org_number(h: Harness, name: str) -> int:
    card = last_message(await open_card(h, name))
    return int((card.plain_text or "").split()[0].removeprefix("#"))


async def submit_report(h: Harness) -> tuple[list[Request], list[Request]]:
    """The chair's monitoring, answered and sent: (the summary, the saved message)."""
    replies = await h.send(CHAIR, "/report")
    for value in FULL:
        replies = await h.send(CHAIR, value)
    return replies, await h.tap(CHAIR, last_message(replies), "Отправить")


# --------------------------------------------------------------------------- the cases


async def org_name(h: Harness, world: World) -> Seen:
    school = await org_number(h, SCHOOL)
    summary, saved = await submit_report(h)
    return [
        ("consent request", SCHOOL, world.consent),
        ("welcome", SCHOOL, world.welcome),
        ("/start again", SCHOOL, await h.send(CHAIR, "/start")),
        ("/report summary", SCHOOL, summary),
        ("/report saved", SCHOOL, saved),
        ("/history", SCHOOL, await h.send(CHAIR, "/history")),
        ("/events", SCHOOL, await h.send(CHAIR, "/events")),
        ("/passport", SCHOOL, await h.send(CHAIR, "/passport")),
        ("/orgs", SCHOOL, await h.send(ADMIN, "/orgs")),
        ("/invites", GARDEN, await h.send(ADMIN, "/invites")),
        ("/status", GARDEN, await h.send(STAFF, "/status")),
        ("/digest", GARDEN, await h.send(STAFF, "/digest")),
        ("/rating", SCHOOL, await h.send(STAFF, "/rating 2026")),
        ("/audit", SCHOOL, await h.send(STAFF, f"/audit {school}")),
    ]


async def district_name(h: Harness, world: World) -> Seen:
    digest = await h.send(STAFF, "/digest")
    files = [r for r in digest if r.method in {"sendPhoto", "sendDocument"}]
    assert len(files) == 2 and all(r.ok and r.plain_text for r in files)  # captions shown
    export = await h.send(STAFF, "/export")
    assert [r.ok and bool(r.plain_text) for r in export if r.method == "sendDocument"] == [True]
    return [
        ("staff welcome", DISTRICT, world.staff_welcome),
        ("/orgs", DISTRICT, await h.send(ADMIN, "/orgs")),
        ("/status", DISTRICT, await h.send(STAFF, "/status")),
        ("/digest", DISTRICT, digest),
        ("/rating", DISTRICT, await h.send(STAFF, "/rating 2026")),
        ("/org card", DISTRICT, await open_card(h, SCHOOL)),
        ("weekly digest through the Deliverer", GARDEN, await _weekly_digest(h)),
    ]


async def _weekly_digest(h: Harness) -> list[Request]:
    h.clock.moment = NEXT_MONDAY
    digest = sent(await drain(h), STAFF)
    assert [r.method for r in digest] == ["sendMessage", "sendPhoto", "sendDocument"]
    return digest


async def listed_chair_name(h: Harness, world: World) -> Seen:
    return [("/orgs", LISTED_CHAIR, await h.send(ADMIN, "/orgs"))]


async def chair_name(h: Harness, world: World) -> Seen:
    await h.send(CHAIR, "/pause 15.12.2026")
    status = await h.send(STAFF, "/status")  # the chair is late
    await submit_report(h)
    roles = await h.tap(ADMIN, last_message(await open_card(h, SCHOOL)), "Роли")
    h.server.block_chat(CHAIR)
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    summary = last_message(await h.send(STAFF, "Собрание в пятницу"))
    await h.tap(STAFF, summary, "Отправить")
    await drain(h)
    report = await drain(h)
    return [
        ("welcome", CHAIR_NAME, world.welcome),
        ("/orgs", CHAIR_NAME, await h.send(ADMIN, "/orgs")),
        ("/status", CHAIR_NAME, status),
        ("/paused", CHAIR_NAME, await h.send(STAFF, "/paused")),
        ("roles of the org", CHAIR_NAME, roles),
        ("/audit of the person", CHAIR_NAME, await h.send(ADMIN, f"/audit @{CHAIR}")),
        ("announcement delivery report", CHAIR_NAME, sent(report, STAFF)),
        ("/audit: who", STAFF_NAME, await _district_audit(h)),
    ]


EVENT_KIND = f"Вид {PAYLOAD}"
TOPIC = f"Тема {PAYLOAD}"
PLACE = f"Место {PAYLOAD}"
DESCRIPTION = f"Описание {PAYLOAD}\nвторая строка"


async def _event(h: Harness) -> dict[str, list[Request]]:
    """An event of a kind of its own with every text field holding the payload."""
    question = last_message(await h.send(CHAIR, "/event"))
    await h.tap(CHAIR, question, "Другое")
    await h.send(CHAIR, EVENT_KIND)
    await h.send(CHAIR, TOPIC)
    await h.send(CHAIR, "19.11.2026")
    await h.send(CHAIR, PLACE)
    question = last_message(await h.send(CHAIR, "30"))
    question = last_message(await h.tap(CHAIR, question, "Обучение"))
    await h.tap(CHAIR, question, "Пропустить")
    summary = await h.send(CHAIR, DESCRIPTION)
    saved = await h.tap(CHAIR, last_message(summary), "Отправить")
    listing = await h.send(CHAIR, "/events")
    card = await h.tap(CHAIR, last_message(listing), "1.")
    confirm = await h.tap(CHAIR, last_message(card), "Удалить")
    deleted = await h.tap(CHAIR, last_message(confirm), "Да, удалить")
    audit = await h.send(STAFF, f"/audit {await org_number(h, SCHOOL)}")
    return {
        "summary": summary,
        "saved": saved,
        "/events": listing,
        "card": card,
        "delete question": confirm,
        "deleted": deleted,
        "/audit": audit,
    }


def _shown_in(typed: str, shown: dict[str, list[Request]], *messages: str) -> Seen:
    return [(message, typed, shown[message]) for message in messages]


async def event_kind_other(h: Harness, world: World) -> Seen:
    return _shown_in(EVENT_KIND, await _event(h), "summary", "/events", "card", "/audit")


async def event_topic(h: Harness, world: World) -> Seen:
    shown = await _event(h)
    messages = ("summary", "/events", "card", "delete question", "deleted", "/audit")
    return _shown_in(TOPIC, shown, *messages)


async def event_place(h: Harness, world: World) -> Seen:
    return _shown_in(PLACE, await _event(h), "summary", "card")


async def event_description(h: Harness, world: World) -> Seen:
    return _shown_in(DESCRIPTION, await _event(h), "summary", "card")


INSTITUTION = f"Учреждение {PAYLOAD}"
ADDRESS = f"Адрес {PAYLOAD}"
PASSPORT_CHAIR = f"Иванова {PAYLOAD}"
INFO_PERSON = f"Петров {PAYLOAD}"


async def _passport(h: Harness) -> dict[str, list[Request]]:
    card = last_message(await h.send(CHAIR, "/passport"))
    await h.tap(CHAIR, card, "Заполнить")
    for answer in (INSTITUTION, ADDRESS, PASSPORT_CHAIR, "+7 900 123-45-67", "60", "нет"):
        replies = await h.send(CHAIR, answer)
    question = last_message(await h.tap(CHAIR, last_message(replies), "Нет"))  # youth council
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))  # site
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))  # social network
    question = last_message(await h.tap(CHAIR, question, "Да"))  # stand
    question = last_message(await h.tap(CHAIR, question, "Да"))  # corner
    question = last_message(await h.send(CHAIR, INFO_PERSON))
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))  # public report
    summary = await h.tap(CHAIR, question, "Пропустить")  # the members' register
    await h.tap(CHAIR, last_message(summary), "Отправить")
    return {
        "summary": summary,
        "/passport": await h.send(CHAIR, "/passport"),
        "/audit": await h.send(STAFF, f"/audit {await org_number(h, SCHOOL)}"),
    }


async def passport_institution(h: Harness, world: World) -> Seen:
    return _shown_in(INSTITUTION, await _passport(h), "summary", "/passport", "/audit")


async def passport_address(h: Harness, world: World) -> Seen:
    return _shown_in(ADDRESS, await _passport(h), "summary", "/passport")


async def passport_chair(h: Harness, world: World) -> Seen:
    return _shown_in(PASSPORT_CHAIR, await _passport(h), "summary", "/passport")


async def passport_info_person(h: Harness, world: World) -> Seen:
    return _shown_in(INFO_PERSON, await _passport(h), "summary", "/passport")


ANNOUNCEMENT = f"Собрание <в 15:00> & «Итоги»\n{PAYLOAD}\n\nДо встречи!"


async def announcement_text(h: Harness, world: World) -> Seen:
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    summary = await h.send(STAFF, ANNOUNCEMENT)
    queued = await h.tap(STAFF, last_message(summary), "Отправить")
    assert "поставлено в очередь" in (last_message(queued).plain_text or "")
    delivered = sent(await drain(h), CHAIR)
    assert [r.ok for r in delivered] == [True]
    report = sent(await drain(h), STAFF)
    assert "Доставлено: 1" in (last_message(report).plain_text or "")
    return [
        ("summary", ANNOUNCEMENT, summary),
        ("delivered to the chair", ANNOUNCEMENT, delivered),
        ("delivered: the district in the header", DISTRICT, delivered),
        ("/audit", PAYLOAD, await _district_audit(h)),
    ]


async def _district_audit(h: Harness) -> list[Request]:
    return await h.send(ADMIN, f"/audit {await org_number(h, DISTRICT)}")


REQUEST_TITLE = f"Запрос {PAYLOAD}"


async def request_title(h: Harness, world: World) -> Seen:
    question = last_message(await h.send(STAFF, "/request"))
    await h.tap(STAFF, question, "Паспорт ППО")
    await h.send(STAFF, "30.11.2026")
    summary = await h.send(STAFF, REQUEST_TITLE)
    opened = await h.tap(STAFF, last_message(summary), "Отправить")
    reminders = sent(await drain(h), CHAIR)
    h.clock.moment = AFTER_DEADLINE
    late = await drain(h)
    return [
        ("summary", REQUEST_TITLE, summary),
        ("opened", REQUEST_TITLE, opened),
        ("reminder to the chair", REQUEST_TITLE, reminders),
        ("reminder: the org in the header", SCHOOL, reminders),
        ("reminder after the deadline", REQUEST_TITLE, sent(late, CHAIR)),
        ("late list for staff", REQUEST_TITLE, sent(late, STAFF)),
        ("late list: the org", SCHOOL, sent(late, STAFF)),
        ("late list: the chair", CHAIR_NAME, sent(late, STAFF)),
        ("/audit", REQUEST_TITLE, await _district_audit(h)),
    ]


RETURN_COMMENT = f"Проверьте {PAYLOAD}"


async def return_comment(h: Harness, world: World) -> Seen:
    await submit_report(h)
    choice = last_message(await h.send(STAFF, "/return школа"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL[:20]))
    await h.tap(STAFF, card, "Вернуть")
    summary = await h.send(STAFF, RETURN_COMMENT)
    await h.tap(STAFF, last_message(summary), "Отправить")
    notice = sent(await drain(h), CHAIR)
    form = await h.tap(CHAIR, last_message(notice), "Мониторинг")
    return [
        ("summary", RETURN_COMMENT, summary),
        ("notice to the chair", RETURN_COMMENT, notice),
        ("the chair's form summary", RETURN_COMMENT, form),
        ("/audit", RETURN_COMMENT, await h.send(STAFF, f"/audit {await org_number(h, SCHOOL)}")),
    ]


NEW_NAME = f"Лицей {PAYLOAD}"


async def rename_input(h: Harness, world: World) -> Seen:
    school = await org_number(h, SCHOOL)
    await h.tap(ADMIN, last_message(await open_card(h, SCHOOL)), "Переименовать")
    summary = await h.send(ADMIN, NEW_NAME)
    done = await h.tap(ADMIN, last_message(summary), "Отправить")
    return [
        ("summary", NEW_NAME, summary),
        ("renamed", NEW_NAME, done),
        ("renamed: the old name", SCHOOL, done),
        ("/org card", NEW_NAME, await open_card(h, NEW_NAME)),
        ("/orgs", NEW_NAME, await h.send(ADMIN, "/orgs")),
        ("/audit", NEW_NAME, await h.send(ADMIN, f"/audit {school}")),
        ("taken name", NEW_NAME, await _rename_garden_to(h, NEW_NAME)),
    ]


async def _rename_garden_to(h: Harness, name: str) -> list[Request]:
    await h.tap(ADMIN, last_message(await open_card(h, GARDEN)), "Переименовать")
    summary = await h.send(ADMIN, name)
    refusal = await h.tap(ADMIN, last_message(summary), "Отправить")
    assert "уже занято" in (last_message(refusal).plain_text or "")
    return refusal


async def pause_input(h: Harness, world: World) -> Seen:
    replies = await h.send(CHAIR, f"/pause {PAYLOAD}")
    assert "Не понял дату" in (last_message(replies).plain_text or "")
    return []  # not shown back: the point is a clear answer, not a refused one


def _import(rows: list[tuple[object, ...]], headers: tuple[str, ...]) -> bytes:
    return build_table_xlsx("ППО", headers, rows)


async def import_row_cells(h: Harness, world: World) -> Seen:
    headers = ("Район", "Организация", "Работников", "Часовой пояс")
    data = _import([(DISTRICT, "Гимназия", PAYLOAD, PAYLOAD)], headers)
    replies = await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    text = "\n".join(r.plain_text or "" for r in replies)
    assert text.count(f"«{PAYLOAD}»") == 2, text  # the workers cell and the time zone cell
    return [("row errors", f"«{PAYLOAD}»", replies)]


async def import_header_cells(h: Harness, world: World) -> Seen:
    data = _import([("Гимназия", 1)], (PAYLOAD, "Школа"))
    return [("missing columns", PAYLOAD, await h.upload(ADMIN, data, "list.xlsx"))]


async def import_file_name(h: Harness, world: World) -> Seen:
    name = f"{PAYLOAD}.txt"
    return [("unknown format", name, await h.upload(ADMIN, b"hello", name, caption="/import"))]


CASES: dict[str, Callable[[Harness, World], Awaitable[Seen]]] = {
    "org name (import cell)": org_name,
    "district name (import cell)": district_name,
    "listed chair name (import cell)": listed_chair_name,
    "chair name (Telegram profile)": chair_name,
    "event kind «другое»": event_kind_other,
    "event topic": event_topic,
    "event place": event_place,
    "event description": event_description,
    "passport institution": passport_institution,
    "passport address": passport_address,
    "passport chair": passport_chair,
    "passport info person": passport_info_person,
    "announcement text": announcement_text,
    "request title": request_title,
    "return comment": return_comment,
    "rename input": rename_input,
    "pause input": pause_input,
    "import: row cells in errors": import_row_cells,
    "import: header cells": import_header_cells,
    "import: file name": import_file_name,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_typed_text_is_shown_back_exactly(harness: Harness, case: str) -> None:
    world = await build_world(harness)
    seen = await CASES[case](harness, world)
    assert refused(harness) == []
    for message, typed, requests in seen:
        shown = [r.plain_text or "" for r in requests if r.ok and r.plain_text]
        assert any(typed in text for text in shown), f"{message}: {typed!r} not in {shown}"


# --------------------------------------------------------------------------- long texts


async def test_too_long_texts_get_the_form_message(harness: Harness) -> None:
    await build_world(harness)
    question = last_message(await harness.send(STAFF, "/announce"))
    await harness.tap(STAFF, question, "Всем председателям")
    answer = last_message(await harness.send(STAFF, "<&>" * 1334))
    assert "Слишком длинно: 4002 символа" in (answer.plain_text or "")
    await harness.send(STAFF, "/cancel")
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Собрание")
    for answer_text in (TOPIC, "19.11.2026", PLACE, "30"):
        replies = await harness.send(CHAIR, answer_text)
    question = last_message(await harness.tap(CHAIR, last_message(replies), "Обучение"))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    answer = last_message(await harness.send(CHAIR, "&amp;" * 800))
    assert "Слишком длинно: 4000 символов" in (answer.plain_text or "")
    assert refused(harness) == []


async def test_longest_announcement_of_emoji_arrives_whole(harness: Harness) -> None:
    """2000 characters (the form's limit) of emoji are 4000 UTF-16 units, Telegram's measure."""
    text = "😀" * 1990 + "<&>&amp;"
    await build_world(harness)
    question = last_message(await harness.send(STAFF, "/announce"))
    await harness.tap(STAFF, question, "Всем председателям")
    summary = last_message(await harness.send(STAFF, text))
    assert summary.ok and CLIPPED.strip() in (summary.plain_text or "")  # the preview is cut
    await harness.tap(STAFF, summary, "Отправить")
    [delivered] = sent(await drain(harness), CHAIR)
    assert delivered.ok and (delivered.plain_text or "").endswith(f"\n\n{text}")
    assert refused(harness) == []


def test_an_announcement_too_long_for_one_message_is_cut_with_a_note() -> None:
    scope = "Ж" * 300  # the longest name an imported organization may have
    for text in ("😀" * 2000, "&" * 4000, "<b>" * 1500):
        for html in (
            announcement_texts.message(scope, as_html(text)),
            announcement_texts.preview(scope, "Всем", 3, as_html(text), "Проверьте и нажмите"),
        ):
            plain, _ = parse_html(html)
            assert utf16_len(plain) <= MAX_TEXT_LENGTH
            kept = plain.split("\n\n")[1].removesuffix(CLIPPED)
            assert CLIPPED in plain and text.startswith(kept) and len(kept) > 1000


@pytest.mark.parametrize(("pieces", "formatted"), [(100, False), (10, True)])
def test_the_previews_caption_is_escaped_and_fits_one_message(pieces: int, formatted: bool) -> None:
    """A caption of «<» and «&» written in many pieces, beside the longest text: shown
    escaped, formatted while its pieces fit the preview, else plain; the preview stays one
    message that Telegram shows whole (its title's bold, and the caption's pieces if shown)."""
    written = "<x> & " * 100
    caption = SafeHtml(as_html(written).replace("&lt;x&gt;", "<b>&lt;x&gt;</b>", pieces))
    for text in ("😀" * 2000, "&" * 2000):
        html = announcement_texts.preview(
            "Ж" * 300, "Всем", 3, as_html(text), "Проверьте", "фото", caption=caption
        )
        plain, entities = parse_html(html)
        assert utf16_len(plain) <= MAX_TEXT_LENGTH and written.strip() in plain
        assert len(entities) == 1 + (pieces if formatted else 0)


def test_long_lists_are_split_by_telegrams_measure() -> None:
    """/orgs, /audit, import errors: lines of emoji-heavy names count twice per emoji."""
    lines = [esc(f"{'😀' * 1500} {PAYLOAD}")] * 6
    parts = chunks(lines)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, no line cut
    for part in parts:
        plain, _ = parse_html(part)
        assert utf16_len(plain) <= MAX_TEXT_LENGTH
        assert plain.split("\n")[0] == f"{'😀' * 1500} {PAYLOAD}"


def test_the_one_helper_escapes_once() -> None:
    assert esc(PAYLOAD) == "x&lt;b&gt;&amp;amp;&lt;script&gt;y &amp; z &gt;"
    assert parse_html(esc(PAYLOAD)) == (PAYLOAD, [])
    assert esc('"ООО «Ромашка»" & Co') == '"ООО «Ромашка»" &amp; Co'


# --------------------------------------------------------------------------- the fake's HTML


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("a & b", "a & b"),  # a bare «&» that starts no reference is shown as it is
        ("a &amp; b", "a & b"),
        ("&amp", "&"),  # Telegram does not require the «;»
        ("&ampx", "&ampx"),
        ("&AMP;", "&AMP;"),  # names are case-sensitive, and only four are known
        ("&nbsp;", "&nbsp;"),
        ("&lt;&gt;&quot;", '<>"'),
        ("&#60;&#x3c;", "<<"),
        ("&#X3c;", "&#X3c;"),
        ("&#0;", "&#0;"),
        ("&#1114112;", "&#1114112;"),
        ("a > b", "a > b"),
        ("<b>x</b> <i>y</i>", "x y"),
    ],
)
def test_fake_decodes_html_as_telegram_does(html: str, plain: str) -> None:
    assert parse_html(html)[0] == plain


@pytest.mark.parametrize(
    "html",
    [
        "Собрание <в 15:00> & «Итоги»",
        "x<b>&amp;<script>y & z >",
        "a < b",
        "a <",
        "<b>bold",
        "<b>bold</i>",
        "bold</b>",
        '<span class="x">no</span>',
    ],
)
def test_fake_refuses_what_telegram_refuses(html: str) -> None:
    with pytest.raises(HtmlParseError):
        parse_html(html)


async def test_fake_measures_length_after_entities(harness: Harness) -> None:
    """Telegram's limits hold for the text people see, in UTF-16 units."""
    bot = harness.bot
    harness.server.start_chat(CHAIR)
    await bot.send_message(CHAIR, "&amp;" * MAX_TEXT_LENGTH)
    for too_long in ("&amp;" * (MAX_TEXT_LENGTH + 1), "😀" * (MAX_TEXT_LENGTH // 2) + "."):
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(CHAIR, too_long)
    photo = harness.server.register_file(b"\xff\xd8\xff\xe0photo", kind="photos")
    await bot.send_photo(CHAIR, photo.file_id, caption="&lt;" * MAX_CAPTION_LENGTH)
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(CHAIR, photo.file_id, caption="&lt;" * (MAX_CAPTION_LENGTH + 1))


@pytest.mark.parametrize(
    "render",
    [
        lambda raw: forms_texts.resuming("Паспорт", raw),
        lambda raw: forms_texts.resuming_instead("Паспорт", raw, raw),
        lambda raw: admin_texts.region_named(raw, raw),
        lambda raw: admin_texts.imported_into_archive([raw, raw]),
        lambda raw: staff_texts.report_resent(raw),
        lambda raw: chair_texts.role_passed_on("председатель ППО", raw),
        lambda raw: admin_texts.archived_line(7, raw),
        lambda raw: consent_texts.join_question(raw, "председатель ППО", raw),
        lambda raw: admin_texts.district_line(7, raw, 3, 1, archived=True),
        lambda raw: admin_texts.invite_archived(7, raw),
        lambda raw: plans_texts.scope_line(raw),
        lambda raw: staff_texts.tz_set(raw, "Europe/Kaliningrad", 2),
        lambda raw: event_report_texts.event_line(datetime(2026, 11, 10), raw, raw, raw, 30, None),
        lambda raw: importing_texts.unread_sheets([raw, raw]),
        lambda raw: staff_texts.returned_untold(raw),
        lambda raw: staff_texts.return_overtaken(raw),
        lambda raw: staff_texts.your_role_ended(raw, "chair"),
        lambda raw: staff_texts.your_ppo_archived(raw),
        lambda raw: devent_texts.came_not_understood([raw, raw]),
        lambda raw: admin_texts.already_in(raw, raw),
        lambda raw: common_texts.for_another_bot(raw, raw),
        lambda raw: announcement_texts.sent_before_you(raw, as_html(raw), "22.11.2026"),
        lambda raw: admin_texts.imported_known_as([(raw, raw, raw)]),
        lambda raw: reminder_texts.chair_correction(
            raw, period=datetime(2026, 11, 1).date(), deadline=datetime(2026, 11, 25).date()
        ),
        lambda raw: staff_texts.your_scope_archived(raw),
        lambda raw: digest_texts.chart_caption(raw),
        lambda raw: digest_texts.table_caption(raw),
        lambda raw: importing_texts.not_a_value("Организация", raw),
        lambda raw: plan_marks_texts.reminder(raw, raw, raw, (date(2027, 3, 31), (1, 2)), 7),
        lambda raw: plan_marks_texts.escalation(raw, raw, (date(2027, 3, 31), (1, 2)), []),
        lambda raw: plan_marks_texts.reminder(
            raw, raw, raw, (date(2027, 3, 31), None), -34, got=date(2027, 5, 4)
        ),
        lambda raw: plan_marks_texts.escalation(
            raw, raw, (date(2027, 3, 31), None), [], date(2027, 5, 4)
        ),
        lambda raw: plan_marks_texts.done_summary(raw, raw, raw, raw, (date(2027, 3, 31), (1, 2))),
        lambda raw: plan_marks_texts.stage_saved(
            raw, date(2027, 3, 31), None, date(2027, 6, 30), late=True
        ),
        lambda raw: plan_marks_texts.done_saved(raw, date(2027, 3, 31)),
        lambda raw: plans_texts.item_status(
            7,
            "1",
            "Семинар",
            plans_texts.STATE_OVERDUE,
            date(2027, 3, 31),
            None,
            "Ольга",
            (1, 2, ["Школа"]),
            [(raw, [date(2027, 3, 31)])],
        ),
        lambda raw: plans_texts.item_status(
            7,
            "1",
            "Семинар",
            plans_texts.STATE_UPCOMING,
            date(2027, 6, 30),
            (2, 2),
            "Ольга",
            None,
            [],
            [(date(2027, 3, 31), date(2027, 3, 12), raw)],
        ),
        lambda raw: announcement_texts.attachment_caption(raw, as_html(raw)),
        lambda raw: announcement_texts.caption_outgrown(raw, 900, 800),
    ],
    ids=[
        "resuming",
        "resuming_instead",
        "region_named",
        "imported_into_archive",
        "report_resent",
        "role_passed_on",
        "archived_line",
        "join_question",
        "district_line",
        "invite_archived",
        "plan_scope_line",
        "tz_set",
        "district_event_line",
        "unread_sheets",
        "returned_untold",
        "return_overtaken",
        "your_role_ended",
        "your_ppo_archived",
        "came_not_understood",
        "already_in",
        "for_another_bot",
        "sent_before_you",
        "imported_known_as",
        "chair_correction",
        "your_scope_archived",
        "chart_caption",
        "table_caption",
        "not_a_value",
        "plan_stage_reminder",
        "plan_stage_escalation",
        "plan_reminder_got_late",
        "plan_escalation_got_late",
        "plan_stage_done_summary",
        "plan_stage_saved",
        "plan_done_saved_late",
        "plan_item_late_marks",
        "plan_item_done_before",
        "announcement_attachment_caption",
        "announcement_caption_outgrown",
    ],
)
def test_texts_naming_organizations_escape_them(render: Callable[[str], str]) -> None:
    """Texts whose flows name organizations only with plain names in their own tests: the
    payload in every name they take parses as Telegram parses it and reads as typed."""
    shown, _ = parse_html(render(PAYLOAD))
    assert PAYLOAD in shown
