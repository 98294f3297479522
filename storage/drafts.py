"""Half-filled forms, one per user, kept in the database."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FormDraft


async def get_draft(session: AsyncSession, tg_user_id: int) -> FormDraft | None:
    stmt = select(FormDraft).where(FormDraft.tg_user_id == tg_user_id)
    return (await session.scalars(stmt)).first()


async def start_draft(
    session: AsyncSession,
    *,
    tg_user_id: int,
    form: str,
    org_id: int | None,
    step: str,
    context: dict[str, Any],
    answers: dict[str, Any] | None = None,
    now: datetime,
) -> FormDraft:
    """Begin a form, replacing any draft the user had."""
    await session.execute(delete(FormDraft).where(FormDraft.tg_user_id == tg_user_id))
    draft = FormDraft(
        tg_user_id=tg_user_id,
        form=form,
        org_id=org_id,
        step=step,
        answers=dict(answers or {}),
        context=context,
        token=secrets.token_hex(16),
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    await session.flush()
    return draft


def save_draft(draft: FormDraft, *, step: str, answers: dict[str, Any], now: datetime) -> None:
    """Record progress; JSON columns need a new dict to be seen as changed."""
    draft.step = step
    draft.answers = dict(answers)
    draft.updated_at = now


async def drop_draft(session: AsyncSession, draft: FormDraft) -> None:
    await session.delete(draft)
    await session.flush()


async def untouched_drafts(
    session: AsyncSession, *, since: datetime, limit: int
) -> Sequence[FormDraft]:
    """Drafts nobody answered since ``since``, oldest first, at most ``limit``."""
    stmt = (
        select(FormDraft)
        .where(FormDraft.updated_at < since)
        .order_by(FormDraft.updated_at, FormDraft.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()
