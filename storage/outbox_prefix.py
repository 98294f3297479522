"""Queued messages picked by the start of their key: one announcement's, one scope's digests,
one event's invitations. Every such query goes through :func:`keys_starting`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose, outbox_key_prefix


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
