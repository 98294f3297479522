"""In a group or a channel the bot acts on nothing: every command gets one short notice that
it works in private messages, a button an alert, anything else silence; the database stays
as it was (no /backup file, no /invites links, no form step)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import update

from bot.texts import common
from handlers.callbacks import (
    DistrictEventAction,
    DistrictEventCb,
    FormAction,
    FormCb,
    OrgAction,
    OrgCb,
)
from handlers.menu import COMMANDS
from harness import ADMIN, Harness, Request
from scenarios import CHAIR
from storage.models import Person
from test_authorization import setup, snapshot

GROUP = -1001234567890
NOTICE = common.private_only("ppo_test_bot")


def group_message(h: Harness, user: int, text: str, chat: dict[str, Any] | None = None) -> int:
    """A message from ``user`` in a supergroup (or ``chat``), as Telegram delivers it."""
    message: dict[str, Any] = {
        "message_id": int(time.time() * 1000) % 10**9,
        "from": {"id": user, "is_bot": False, "first_name": "Мария"},
        "chat": chat or {"id": GROUP, "type": "supergroup", "title": "Профком"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return h.server.add_update({"message": message})


def group_button(h: Harness, user: int, data: str) -> int:
    return h.server.add_update(
        {
            "callback_query": {
                "id": f"g{time.time_ns()}",
                "from": {"id": user, "is_bot": False, "first_name": "Мария"},
                "message": {
                    "message_id": 1,
                    "from": h.server.bot_user,
                    "chat": {"id": GROUP, "type": "supergroup", "title": "Профком"},
                    "date": int(time.time()),
                    "text": "…",
                },
                "chat_instance": "1",
                "data": data,
            }
        }
    )


def said(requests: list[Request]) -> list[tuple[str, Any, str]]:
    """What the bot did, except the confirmations every update gets anyway."""
    return [
        (r.method, r.chat_id, r.plain_text or str(r.params.get("text", "")))
        for r in requests
        if r.method not in {"getMe", "getUpdates"}
    ]


@pytest.mark.parametrize("user", [ADMIN, CHAIR], ids=["admin", "chair"])
async def test_every_command_in_a_group_gets_one_notice_and_changes_nothing(
    harness: Harness, user: int
) -> None:
    await setup(harness)
    await harness.send(CHAIR, "/report")  # an open form the group must not feed
    async with harness.session_pool() as session, session.begin():
        # Writing in private would make the chair reachable again; in a group it must not.
        await session.execute(
            update(Person)
            .where(Person.tg_user_id == CHAIR)
            .values(unreachable_at=harness.clock.now())
        )
    commands = [f"/{c.name}" for c in COMMANDS] + ["/start SOMECODE", "/audit 1", "/invite 1"]
    before = await snapshot(harness)  # each command is compared with it: none may change a row
    for n, command in enumerate(commands):
        # A group of its own for each: the bot keeps Telegram's one message a second per chat.
        group = {"id": GROUP - n, "type": "supergroup", "title": "Профком"}
        done = said(await harness.feed(group_message(harness, user, command, group)))
        assert done == [("sendMessage", GROUP - n, NOTICE)], f"{command} from {user}: {done}"
        assert await snapshot(harness) == before, f"{command} from {user} changed data"


async def test_plain_messages_and_form_answers_in_a_group_get_silence(harness: Harness) -> None:
    await setup(harness)
    await harness.send(CHAIR, "/report")
    before = await snapshot(harness)
    for text in ("54", "привет", "📊 Мониторинг численности"):
        assert said(await harness.feed(group_message(harness, CHAIR, text))) == []
    assert await snapshot(harness) == before


async def test_buttons_pressed_in_a_group_get_an_alert_only(harness: Harness) -> None:
    ids = await setup(harness)
    await harness.send(CHAIR, "/report")
    before = await snapshot(harness)
    presses = [
        (CHAIR, FormCb(token="x" * 12, step="workers", action=FormAction.CONFIRM).pack()),
        (ADMIN, OrgCb(org_id=ids["МБОУ СОШ № 1"], action=OrgAction.ARCHIVE).pack()),
        (ADMIN, DistrictEventCb(action=DistrictEventAction.CANCEL_YES, event_id=1).pack()),
    ]
    for user, data in presses:
        done = said(await harness.feed(group_button(harness, user, data)))
        assert done == [("answerCallbackQuery", None, common.PRIVATE_ONLY_ALERT)]
    assert await snapshot(harness) == before


@pytest.mark.parametrize("kind", ["group", "channel"])
async def test_backup_in_a_group_or_channel_sends_no_file(harness: Harness, kind: str) -> None:
    await setup(harness)
    chat = {"id": GROUP, "type": kind, "title": "Профком"}
    if kind == "channel":
        update_id = harness.server.add_update(
            {
                "channel_post": {
                    "message_id": 7,
                    "chat": chat,
                    "date": int(time.time()),
                    "text": "/backup",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
                }
            }
        )
    else:
        update_id = group_message(harness, ADMIN, "/backup", chat)
    done = said(await harness.feed(update_id))
    assert done == [("sendMessage", GROUP, NOTICE)]


async def test_commands_typed_at_once_in_a_group_keep_the_chats_pace(harness: Harness) -> None:
    """Four members of a union group type «/start@bot» in the same moment: the notices keep
    Telegram's per-chat pace, so none draws a 429 (which would pause every chat of the bot)."""
    harness.keep_the_bots_limits()
    harness.server.enforce_limits(per_second_global=30, per_chat_per_second=1)
    for member in range(60_001, 60_005):
        await harness.feed(group_message(harness, member, "/start@ppo_test_bot"))
    notices = [
        r for r in harness.server.requests if r.chat_id == GROUP and r.method == "sendMessage"
    ]
    assert len(notices) == 4 and all(r.ok for r in notices)
    assert harness.server.limit_violations["per_chat"] == 0
