"""What people type on a phone, answered as they meant it: a capitalised command, a button's
word typed instead of tapped, a command copied from a group, thousands with a dot."""

from __future__ import annotations

from sqlalchemy import select

from harness import Harness, texts
from scenarios import CHAIR, join
from storage.models import FormDraft


async def _draft(h: Harness) -> FormDraft | None:
    async with h.session_pool() as session:
        return await session.scalar(select(FormDraft))


async def test_thousands_written_with_a_dot_are_taken_for_a_count(harness: Harness) -> None:
    """«1.200» at «Сколько работников» is 1200, as «1 200» is; not «без дробной части»."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    replies = texts(await harness.send(CHAIR, "1.200"))
    draft = await _draft(harness)
    assert draft is not None and draft.answers.get("workers") == 1200, replies
