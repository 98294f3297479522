"""An update fed again after it was applied (the bot stopped before its replies went out):
nothing is applied twice, and a person in the middle of a form is shown where it stands, so
an answer typed again is not taken for the next question."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import forms as tf
from harness import ADMIN, Harness, texts
from scenarios import CHAIR, join, setup_district
from storage.models import FormDraft
from test_group_chats import group_message
from test_inbox import WAIT_SECONDS, Gate, polling

MEMBERS_QUESTION = "членов профсоюза"


async def the_draft(h: Harness) -> FormDraft:
    async with h.session_pool() as session:
        return (await session.scalars(select(FormDraft))).one()


async def test_an_answer_fed_again_shows_the_next_question_and_changes_nothing(
    harness: Harness,
) -> None:
    h = harness
    await join(h)
    await h.send(CHAIR, "/report")
    answered = h.server.message(CHAIR, "54")
    await h.feed(answered)
    before = await the_draft(h)

    again = texts(await h.feed(answered))

    assert len(again) == 1
    assert again[0].startswith(tf.SAVED_BEFORE_RESTART) and MEMBERS_QUESTION in again[0]
    after = await the_draft(h)
    assert (after.step, after.answers, after.updated_at) == (
        before.step,
        before.answers,
        before.updated_at,
    )


async def test_an_answer_applied_before_a_stop_gets_its_next_question_after_the_restart(
    harness: Harness,
) -> None:
    """The chair's «54» is saved, then its reply waits out a 429 when the bot is stopped: the
    update is fed again at the start and, not applied twice, asks the next question."""
    h = harness
    await join(h)
    await h.send(CHAIR, "/report")
    async with polling(h, Gate()):  # confirms the updates fed above, as a bot polling would
        h.server.message(CHAIR, "echo sync")
        await h.server.wait_message(CHAIR, contains="answer to echo sync", timeout=WAIT_SECONDS)
    h.restart()
    h.server.fail_next("sendMessage", error_code=429, retry_after=30, chat_id=CHAIR)
    async with polling(h, Gate(), stop_grace=0):
        mark = h.server.mark()
        h.server.message(CHAIR, "54")
        await h.server.wait_for(
            lambda r: r.method == "sendMessage" and r.error_code == 429, after=mark
        )
    assert (await the_draft(h)).step == "members"  # the answer was saved before the stop

    h.restart()
    mark = h.server.mark()
    async with polling(h, Gate()):
        h.server.message(CHAIR, "echo ping")  # behind the re-fed update in the chat's queue
        await h.server.wait_message(CHAIR, contains="answer to echo ping", timeout=WAIT_SECONDS)
    after_restart = [r.plain_text or "" for r in h.server.messages_to(CHAIR, after=mark)]
    assert any(MEMBERS_QUESTION in text for text in after_restart), after_restart
    assert (await the_draft(h)).step == "members"


async def test_an_update_fed_again_outside_a_form_or_in_a_group_sends_nothing(
    harness: Harness,
) -> None:
    h = harness
    imported = h.server.document(ADMIN, b"", "list.xlsx", "/import")
    await setup_district(h)
    await h.feed(imported)  # applied once (a refusal of the empty file)
    assert await h.feed(imported) == []

    in_group = group_message(h, CHAIR, "/report")
    await h.feed(in_group)
    assert await h.feed(in_group) == []
