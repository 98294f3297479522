"""Queued messages picked by the start of their key: one announcement's, one scope's digests,
one event's invitations, one scope's half-year review. Every such query goes through
:func:`keys_starting`."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Boolean, ColumnElement, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose, outbox_key_prefix

FOLLOW_UP = aliased(OutboxMessage, name="follow_up")
"""A recipient's second message, sent after their first (an announcement's file); built once."""


def keys_starting(
    purpose: KeyPurpose, *parts: str | int, status: OutboxStatus | None = None
) -> ColumnElement[bool]:
    """Rows whose key starts with :func:`outbox_key_prefix` of these (and in ``status``): the
    keys from that prefix up to it with its closing ``:`` raised to ``;``.

    A range, not LIKE: SQLite answers LIKE from no index (it would need
    ``case_sensitive_like``), PostgreSQL only under the C collation, so a LIKE read the whole
    outbox, hundreds of thousands of rows; both read the range from the unique index on
    ``key``. Exact because both compare keys by code point (SQLite's BINARY, the column's "C"
    collation on PostgreSQL) and ``;`` comes right after ``:``. The status is said to be
    likely: SQLite, which keeps no statistics here, would take ``status = ?`` for the narrower
    term and walk the status index instead, through every sent row, or a whole reminder wave.
    """
    prefix = outbox_key_prefix(purpose, *parts)
    in_range = and_(OutboxMessage.key >= prefix, OutboxMessage.key < prefix[:-1] + ";")
    return in_range if status is None else and_(in_range, likely(OutboxMessage.status == status))


def likely(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition``, said to hold for most rows: SQLite then reads by the other terms' index."""
    return _Likely(condition)


class _Likely(FunctionElement[bool]):
    """A condition as SQLite's ``likely()``: true for most rows, so no index is chosen for it;
    as is elsewhere (PostgreSQL's planner has its statistics)."""

    type = Boolean()
    name = "likely"
    inherit_cache = True


@compiles(_Likely)
def _as_is(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Likely, "sqlite")
def _likely(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


async def keys_under(session: AsyncSession, purpose: KeyPurpose, *parts: str | int) -> set[str]:
    """The keys queued under this prefix, keys only: a pass that finds every message it would
    queue already there need not build them (the half-year review, asked every minute for two
    weeks, loads a scope's whole plan progress to build)."""
    return set(
        (
            await session.scalars(select(OutboxMessage.key).where(keys_starting(purpose, *parts)))
        ).all()
    )


class Outcome(NamedTuple):
    """How many recipients' messages ended so: ``status`` the first of their messages that did
    not go (``sent``: all went; ``pending``: one still waits), its ``error``, whether that
    was the ``follow_up``; ``chat_id`` only for ``unreachable`` ones, whom a report names."""

    status: OutboxStatus
    error: str | None
    in_follow_up: bool
    chat_id: int | None
    recipients: int


async def outcomes(
    session: AsyncSession, purpose: KeyPurpose, *parts: str | int, follow_up: str
) -> list[Outcome]:
    """The outcomes of the messages under a key prefix, one per recipient, counted: a
    recipient's message and the one keyed as it plus ``:{follow_up}`` are one outcome,
    delivered only if both went.

    Counted by the database, statuses and errors only: an announcement's delivery report is
    asked for every minute of its week, and loading its rows whole (a thousand chairs, each
    row's payload) to count them cost most of the tick."""
    suffix = f":{follow_up}"
    first_went = OutboxMessage.status == OutboxStatus.SENT
    has_follow_up = FOLLOW_UP.id.is_not(None)
    waits = or_(
        OutboxMessage.status == OutboxStatus.PENDING, FOLLOW_UP.status == OutboxStatus.PENDING
    )
    status = case(
        (waits, literal(OutboxStatus.PENDING.value)),
        (and_(first_went, has_follow_up), FOLLOW_UP.status),
        else_=OutboxMessage.status,
    )
    per_recipient = (
        select(
            type_coerce(status, OutboxMessage.status.type).label("status"),
            case((first_went, FOLLOW_UP.error), else_=OutboxMessage.error).label("error"),
            case((and_(first_went, has_follow_up), True), else_=False).label("in_follow_up"),
            case((status == OutboxStatus.UNREACHABLE.value, OutboxMessage.chat_id)).label(
                "chat_id"
            ),
        )
        .select_from(OutboxMessage)
        .outerjoin(FOLLOW_UP, FOLLOW_UP.key == OutboxMessage.key + suffix)
        .where(keys_starting(purpose, *parts), OutboxMessage.key.not_like(f"%{suffix}"))
        .subquery()
    )
    grouped = list(per_recipient.c)
    stmt = select(*grouped, func.count()).group_by(*grouped)
    return [Outcome._make(row) for row in (await session.execute(stmt)).all()]
