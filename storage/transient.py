"""Database errors that go away when the transaction is simply run again: the update
middleware runs an update again on one, a planner a unit of its pass
(``bot.domain.tick.Planning.reading_first``)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

UNIQUE_VIOLATION = "23505"
# Serialization failure, deadlock, and a unique violation: on PostgreSQL the row another chat
# committed between this update's check and its insert (SQLite fails that write as «locked»).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", UNIQUE_VIOLATION})


def is_transient(error: BaseException) -> bool:
    """A database error that goes away when the transaction is simply run again.

    SQLite: "database is locked"/"busy" (a deferred transaction that must write after another
    writer committed gets it at once). PostgreSQL: a dropped connection, a serialization
    failure, a deadlock, a unique violation (a check-then-insert another chat won: run
    again, the update finds the row committed).
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    if "database is locked" in text or "database is busy" in text:
        return True
    return sqlstate(error) in TRANSIENT_SQLSTATES


def sqlstate(error: DBAPIError) -> str | None:
    """PostgreSQL's error code, as asyncpg (``sqlstate``) or psycopg (``pgcode``) names it."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code if isinstance(code, str) else None
