"""The fake Telegram Bot API server, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from fakes import FakeTelegramServer, SilentLossError, UpdateDroppedError, find_button

TOKEN = "123456:TEST-fake-telegram-token"
USER = 42


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs
        ]
    )


def make_bot(server: FakeTelegramServer) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    return Bot(TOKEN, session=session)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = make_bot(server)
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_send_message_with_keyboard_is_recorded_decoded(
    server: FakeTelegramServer, bot: Bot
) -> None:
    me = await bot.get_me()
    assert (me.id, me.username) == (123456, "ppo_test_bot")

    sent = await bot.send_message(
        USER,
        "<b>Привет</b>, выберите &lt;действие&gt;:",
        parse_mode="HTML",
        reply_markup=keyboard(("📊 Отчёт", "report:1"), ("Отмена", "cancel")),
    )
    assert sent.message_id == 1
    assert sent.chat.id == USER
    assert sent.from_user is not None
    assert sent.from_user.id == server.bot_id
    assert sent.text == "Привет, выберите <действие>:"
    assert sent.entities is not None
    assert (sent.entities[0].type, sent.entities[0].offset, sent.entities[0].length) == (
        "bold",
        0,
        6,
    )
    assert sent.reply_markup is not None
    buttons = [(b.text, b.callback_data) for row in sent.reply_markup.inline_keyboard for b in row]
    assert buttons == [("📊 Отчёт", "report:1"), ("Отмена", "cancel")]

    request = server.requests[-1]
    assert request.method == "sendMessage"
    assert request.token == TOKEN
    assert server.tokens_used == {TOKEN}
    assert request.params["chat_id"] == USER
    assert request.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "📊 Отчёт", "callback_data": "report:1"}],
            [{"text": "Отмена", "callback_data": "cancel"}],
        ]
    }
    assert request.buttons() == [("📊 Отчёт", "report:1"), ("Отмена", "cancel")]
    assert find_button(request, "Отчёт") == "report:1"
    assert request.plain_text == "Привет, выберите <действие>:"
    assert server.messages_to(USER) == [request]
    found = await server.wait_message(USER, contains="выберите <действие>")
    assert found is request

    second = await bot.send_message(USER, "ещё")
    assert second.message_id == 2
    other_chat = await bot.send_message(7, "другой чат")
    assert other_chat.message_id == 1


async def test_get_updates_offset_semantics(server: FakeTelegramServer, bot: Bot) -> None:
    first = server.message(USER, "/start")
    second = server.message(USER, "привет", username="ivan")
    assert (first, second) == (1, 2)

    updates = await bot.get_updates(timeout=0)
    assert [update.update_id for update in updates] == [first, second]
    start = updates[0].message
    assert start is not None
    assert start.text == "/start"
    assert start.chat.id == USER
    assert start.chat.type == "private"
    assert start.entities is not None
    assert start.entities[0].type == "bot_command"
    assert start.entities[0].length == len("/start")
    assert server.confirmed_offset == 0

    # Without an offset nothing is confirmed: the same updates come again.
    again = await bot.get_updates(timeout=0, limit=1)
    assert [update.update_id for update in again] == [first]

    updates = await bot.get_updates(offset=first + 1, timeout=0)
    assert [update.update_id for update in updates] == [second]
    assert server.confirmed_offset == first + 1

    updates = await bot.get_updates(offset=second + 1, timeout=0)
    assert updates == []
    assert server.confirmed_offset == second + 1
    assert server.pending_updates == []

    # Long polling parks until an update arrives, then answers at once.
    poll = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=30))
    await server.wait_polling()
    assert not poll.done()
    third = server.callback(USER, "report:1")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert [update.update_id for update in updates] == [third]
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "report:1"
    assert query.message is not None
    assert query.message.chat.id == USER

    await server.wait_confirmed(second)
    with pytest.raises(TimeoutError, match=f"Update {third} not confirmed"):
        await server.wait_confirmed(third, timeout=0.05)


async def test_send_document_upload_is_retrievable(server: FakeTelegramServer, bot: Bot) -> None:
    payload = b"PK\x03\x04 fake xlsx bytes \x00\xff"
    sent = await bot.send_document(
        USER,
        BufferedInputFile(payload, filename="report.xlsx"),
        caption="Отчёт за <i>март</i>",
        parse_mode="HTML",
        reply_markup=keyboard(("Ещё", "more")),
    )
    assert sent.document is not None
    assert sent.document.file_name == "report.xlsx"
    assert sent.document.file_size == len(payload)
    assert sent.caption == "Отчёт за март"

    assert server.sent_files(USER) == [("report.xlsx", payload)]
    assert server.sent_files(USER + 1) == []
    request = await server.wait_message(USER, contains="Отчёт за март")
    assert request.method == "sendDocument"
    assert list(request.files.values()) == [payload]
    assert list(request.file_names.values()) == ["report.xlsx"]
    # Multipart form fields are decoded like JSON ones.
    assert request.params["chat_id"] == USER
    assert find_button(request, "Ещё") == "more"

    # The bot can fetch back what it uploaded, too.
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert isinstance(downloaded, io.BytesIO)
    assert downloaded.getvalue() == payload


async def test_user_document_is_downloadable(server: FakeTelegramServer, bot: Bot) -> None:
    content = "ФИО;Должность\nИванов И.И.;Инженер\n".encode()
    update_id = server.document(USER, content, "members.csv", caption="/import members")

    (update,) = await bot.get_updates(timeout=0)
    assert update.update_id == update_id
    message = update.message
    assert message is not None
    assert message.text is None
    assert message.caption == "/import members"
    assert message.caption_entities is not None
    assert message.caption_entities[0].type == "bot_command"
    document = message.document
    assert document is not None
    assert (document.file_name, document.mime_type) == ("members.csv", "text/csv")

    file = await bot.get_file(document.file_id)
    assert file.file_size == len(content)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert isinstance(downloaded, io.BytesIO)
    assert downloaded.getvalue() == content
    assert server.requests[-1].method == "downloadFile"

    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file")


async def test_a_received_file_is_resent_by_its_file_id_as_its_own_kind(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """A bot may send on any file it received by ``file_id`` (no upload, no size limit), as
    the kind it is: a photo's id as a document, or a document's as a photo, is refused."""
    server.document(USER, b"%PDF-1.4", "rules.pdf")
    server.photo(USER, b"poster")
    document_update, photo_update = await bot.get_updates(timeout=0)
    assert document_update.message is not None and photo_update.message is not None
    assert document_update.message.document is not None and photo_update.message.photo
    document = document_update.message.document.file_id
    photo = photo_update.message.photo[-1].file_id

    sent = await bot.send_document(USER, document, caption="к объявлению")
    assert sent.document is not None and sent.document.file_name == "rules.pdf"
    assert (await bot.send_photo(USER, photo)).photo
    assert [data for _, data in server.sent_files(USER)] == [b"%PDF-1.4", b"poster"]
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_document(USER, photo)
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_photo(USER, document)


async def test_fail_next_429_is_retry_after(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next("sendMessage", error_code=429, retry_after=1)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "первая попытка")
    assert caught.value.retry_after == 1
    failed = server.requests[-1]
    assert (failed.ok, failed.error_code) == (False, 429)
    assert failed.description == "Too Many Requests: retry after 1"
    assert server.messages_to(USER) == []

    # The fault was used up: the retry goes through and gets message_id 1.
    sent = await bot.send_message(USER, "повтор")
    assert sent.message_id == 1


async def test_forbidden_and_server_errors(server: FakeTelegramServer, bot: Bot) -> None:
    server.block_chat(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "привет")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_document(USER, BufferedInputFile(b"x", filename="x.txt"))
    assert await bot.send_message(7, "другому можно")
    server.unblock_chat(USER)
    assert await bot.send_message(USER, "снова можно")

    server.fail_next("sendMessage", error_code=403, chat_id=8)
    assert await bot.send_message(9, "не тот чат")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(8, "тот чат")

    server.fail_next("*", error_code=502, times=2)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER, "a")
    with pytest.raises(TelegramServerError):
        await bot.send_chat_action(USER, "typing")
    assert await bot.send_chat_action(USER, "typing") is True


async def test_rate_limits_with_injected_clock() -> None:
    now = [1000.0]
    async with FakeTelegramServer(token=TOKEN, clock=lambda: now[0]) as server:
        bot = make_bot(server)
        try:
            server.enforce_limits(per_second_global=3, per_chat_per_second=1)
            await bot.send_message(1, "a")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(1, "b")
            assert caught.value.retry_after == 1
            await bot.send_message(2, "c")
            await bot.send_message(3, "d")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(4, "e")
            assert server.limit_violations == {"per_chat": 1, "global": 1}

            now[0] += 1.0
            await bot.send_message(1, "b")
            assert [r.params["text"] for r in server.messages_to(1)] == ["a", "b"]
        finally:
            await bot.session.close()


async def test_strict_mode_rejects_what_telegram_rejects(
    server: FakeTelegramServer, bot: Bot
) -> None:
    with pytest.raises(TelegramBadRequest, match=r"can't parse entities: Unsupported start tag"):
        await bot.send_message(USER, "Иванов <Иван> Иванович", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard(("long", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "я" * 4097)

    sent = await bot.send_message(USER, "текст", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "текст", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("A", "a"))
        )
    edited = await bot.edit_message_text("текст", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.reply_markup is None  # editing without reply_markup drops the keyboard
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert await bot.delete_message(USER, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)

    with pytest.raises(TimeoutError, match=r"sendMessage chat=42 text='текст'"):
        await server.wait_message(USER, contains="нет такого", timeout=0.05)


TIMES = {
    '<tg-time unix="1647531900" format="wDT">22:45 завтра</tg-time>': "wDT",
    '<tg-time unix="1647531900" format="r">22:45 завтра</tg-time>': "r",
    '<tg-time unix="1647531900" format="">22:45 завтра</tg-time>': None,
    '<b>к <tg-time unix="1647531900">22:45 завтра</tg-time></b>': None,
}
"""The date-time tags of the Bot API's «HTML style», with the format each entity carries."""


@pytest.mark.parametrize("html", list(TIMES))
async def test_a_date_time_tag_is_taken_as_telegram_documents_it(
    server: FakeTelegramServer, bot: Bot, html: str
) -> None:
    """``<tg-time unix="…" format="…">`` is a date-time entity over its text: the format
    optional, one of ``r|w?[dD]?[tT]?`` (the fake refused the tag as unsupported)."""
    sent = await bot.send_message(USER, html, parse_mode="HTML")
    [found] = [e for e in sent.entities or [] if e.type == "date_time"]
    assert (sent.text or "")[found.offset : found.offset + found.length] == "22:45 завтра"
    assert (found.unix_time, found.date_time_format) == (1647531900, TIMES[html])


@pytest.mark.parametrize(
    ("attributes", "refusal"),
    [
        ("", 'must have a valid attribute "unix"'),
        ('unix="завтра"', 'must have a valid attribute "unix"'),
        ('unix="-5"', 'must have a valid attribute "unix"'),
        ('unix="1647531900" format="rT"', 'Invalid date-time format "rT"'),
        ('unix="1647531900" format="tD"', 'Invalid date-time format "tD"'),
        ('unix="1647531900" format="x"', 'Invalid date-time format "x"'),
    ],
)
async def test_a_malformed_date_time_tag_is_refused(
    server: FakeTelegramServer, bot: Bot, attributes: str, refusal: str
) -> None:
    """Without a Unix time, or with a format outside ``r|w?[dD]?[tT]?`` (``r`` with others,
    a time before the date), the text cannot be parsed."""
    with pytest.raises(TelegramBadRequest, match=f"can't parse entities: .*{refusal}"):
        await bot.send_message(USER, f"<tg-time {attributes}>завтра</tg-time>", parse_mode="HTML")


async def test_strict_mode_refuses_the_sizes_telegram_refuses(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """At most 100 buttons under a message, 2 to 10 items in an album, 50 MB in an upload."""
    buttons = [(f"ППО {n}", f"o:{n}") for n in range(101)]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "Выберите:", reply_markup=keyboard(*buttons))
    assert await bot.send_message(USER, "Выберите:", reply_markup=keyboard(*buttons[:100]))

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
    for size in (1, 11):
        album = [InputMediaPhoto(media=BufferedInputFile(png, f"{n}.png")) for n in range(size)]
        with pytest.raises(TelegramBadRequest, match="wrong number of media"):
            await bot.send_media_group(USER, album)

    over = BufferedInputFile(b"\0" * (50 * 1024 * 1024 + 1), "backup.sqlite3")
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(USER, over)


async def test_dispatcher_round_trip(server: FakeTelegramServer, bot: Bot) -> None:
    router = Router()

    @router.message(Command("start"))
    async def start(message: Message) -> None:
        await message.answer("Добро пожаловать!", reply_markup=keyboard(("Отчёт", "report")))

    @router.callback_query(F.data == "report")
    async def report(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Отчёт готов")
        await query.answer("Готово")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False)
    )
    try:
        mark = server.mark()
        update_id = server.message(USER, "/start")
        await server.wait_confirmed(update_id)
        welcome = await server.wait_message(USER, contains="Добро пожаловать", after=mark)

        press = server.press_button(welcome, "Отчёт")
        await server.wait_confirmed(press)
        edited = await server.wait_message(USER, contains="Отчёт готов", after=mark)
        assert edited.method == "editMessageText"
        assert edited.params["message_id"] == welcome.message_id
        (answer,) = server.callback_answers.values()
        assert answer["text"] == "Готово"
        assert [m.get("text") for m in server.chat_messages(USER)] == ["/start", "Отчёт готов"]

        # No handler for edited messages: aiogram does not ask for them, so they are dropped.
        dropped = server.add_update(
            {
                "edited_message": {
                    **server.chat_messages(USER)[0],
                    "edit_date": 1,
                }
            }
        )
        with pytest.raises(UpdateDroppedError, match="edited_message"):
            await server.wait_confirmed(dropped)
    finally:
        await dp.stop_polling()
        await polling


async def test_a_callback_query_is_answered_once_with_at_most_200_characters(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """Telegram refuses a toast or alert over 200 characters whole (counted here as a message's
    text is, an emoji twice) and any answer after the first: the spinner stays, nothing shown."""
    first, second = (
        server.get_update(server.callback(USER, data))["callback_query"]["id"] for data in "ab"
    )
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(first, text="я" * 201, show_alert=True)
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(first, text="👍" * 101)
    assert first not in server.callback_answers
    assert await bot.answer_callback_query(first, text="я" * 200, show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(first, text="Ещё раз")
    assert server.callback_answers[first]["text"] == "я" * 200
    assert await bot.answer_callback_query(second)
    assert set(server.callback_answers) == {first, second}


async def test_commands_and_files_are_refused_past_telegrams_bounds(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """At most 100 commands in a menu, a description of 1 to 256 characters, no empty file."""
    commands = [BotCommand(command=f"c{n}", description=f"Команда {n}") for n in range(101)]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands[:100])
    long = [BotCommand(command="plan", description="я" * 257)]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands(long)
    assert await bot.set_my_commands([BotCommand(command="plan", description="я" * 256)])

    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(USER, BufferedInputFile(b"", "empty.xlsx"))
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_photo(USER, BufferedInputFile(b"", "chart.png"))
    assert await bot.send_document(USER, BufferedInputFile(b"x", "one.txt"))


async def test_keyboards_are_refused_as_telegram_refuses_them(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """An empty callback_data is no action; callback_data is counted in bytes (64 at most); a
    url must be an HTTP(S) or tg:// link with a host that has a dot."""
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(USER, "x", reply_markup=keyboard(("Пусто", "")))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard(("Длинно", "я" * 33)))
    assert await bot.send_message(USER, "x", reply_markup=keyboard(("Впритык", "я" * 32)))

    refused = {
        "not-a-url": "Wrong HTTP URL",
        "http://localhost:8080/x": "Wrong HTTP URL",
        "ftp://example.com": "Unsupported URL protocol",
        "https://": "URL host is empty",
        "tg://resolve?domain=a b": None,
        "tg://re solve": "Unallowed characters in URL host",
    }
    for url, reason in refused.items():
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="↗", url=url)]])
        if reason is None:
            assert await bot.send_message(USER, "x", reply_markup=markup)
            continue
        expected = f"inline keyboard button URL '{url}' is invalid: {reason}"
        with pytest.raises(TelegramBadRequest, match=re.escape(expected)):
            await bot.send_message(USER, "x", reply_markup=markup)
    link = InlineKeyboardButton(text="Сайт", url="https://example.com/a?b=1")
    assert await bot.send_message(
        USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[link]])
    )


async def test_malformed_keyboards_are_refused_with_telegrams_descriptions(
    server: FakeTelegramServer,
) -> None:
    """What aiogram's models never send, posted raw: a button without text, of a wrong type."""
    cases = [
        ({"inline_keyboard": [[{"callback_data": "a"}]]}, "inline keyboard button: Can't find"),
        ({"inline_keyboard": [["a"]]}, "InlineKeyboardButton must be an Object"),
        ({"keyboard": [[{"request_contact": True}]]}, 'keyboard button: Can\'t find field "text"'),
        ({"keyboard": [[1]]}, "KeyboardButton must be a String or an Object"),
        ({"keyboard": "a"}, "ReplyKeyboardMarkup must be an Array of Arrays"),
    ]
    async with aiohttp.ClientSession() as http:
        for markup, description in cases:
            body = {"chat_id": USER, "text": "x", "reply_markup": markup}
            async with http.post(f"{server.base_url}/bot{TOKEN}/sendMessage", json=body) as answer:
                assert answer.status == 400
                assert description in (await answer.json())["description"]
    assert server.chat_messages(USER) == []


async def test_empty_button_texts_and_entities_past_100_are_dropped_and_noted(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """Telegram sends the message without a button whose text is empty (a keyboard left empty
    is none) and without the formatting past the 100th entity; the fake does the same and
    notes each loss, and leaving it after a clean run fails."""
    sent = await bot.send_message(USER, "x", reply_markup=keyboard(("", "a"), ("Б", "b")))
    assert sent.reply_markup is not None
    assert [b.text for row in sent.reply_markup.inline_keyboard for b in row] == ["Б"]
    menu = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="")]])
    assert await bot.send_message(USER, "Меню", reply_markup=menu)

    many = await bot.send_message(
        USER, " ".join(f"<b>{n}</b>" for n in range(101)), parse_mode="HTML"
    )
    assert many.entities is not None and len(many.entities) == 100
    assert many.text is not None and many.entities[-1].offset == many.text.index(" 99") + 1
    assert await bot.send_message(
        USER, " ".join(f"<b>{n}</b>" for n in range(100)), parse_mode="HTML"
    )

    bolds = [{"type": "bold", "offset": n, "length": 1} for n in range(101)]
    with pytest.raises(ValueError, match="at most 100 entities"):
        server.message(USER, "ж" * 101, entities=bolds)  # a person's message keeps no more
    assert server.silently_dropped == [
        "sendMessage chat=42: button 1 of row 1 has empty text: not shown",
        "sendMessage chat=42: button 1 of row 1 has empty text: not shown",
        "sendMessage chat=42: every button has empty text: the keyboard is not shown",
        "sendMessage chat=42: 101 formatting entities: the 1 past the 100th are dropped, "
        "their text shown plain",
    ]
    server.silently_dropped.clear()
    with pytest.raises(SilentLossError, match="chat=1: lost"):
        async with FakeTelegramServer(token=TOKEN) as other:
            other.silently_dropped.append("sendMessage chat=1: lost")


async def test_a_message_sent_48_hours_ago_can_no_longer_be_deleted(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """Telegram deletes a message within 48 hours of its sending; editing has no such limit."""
    old = await bot.send_message(USER, "старое")
    young = await bot.send_message(USER, "новое")
    server.age_messages(47 * 3600, chat_id=USER)
    server.age_messages(3600, chat_id=USER + 1)  # another chat: not this one's messages
    assert await bot.delete_message(USER, young.message_id)
    server.age_messages(3600)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(USER, old.message_id)
    assert await bot.edit_message_text("правка", chat_id=USER, message_id=old.message_id)
    assert await bot.delete_messages(USER, [old.message_id])  # skipped, as Telegram skips it
    assert [m["text"] for m in server.chat_messages(USER)] == ["правка"]
