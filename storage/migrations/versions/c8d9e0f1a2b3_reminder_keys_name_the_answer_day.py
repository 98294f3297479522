"""a district event's reminder keys name the answer day they remind of

Data only. A reminder's outbox key now carries the event's answer day, so that a moved event
is reminded of again; the reminders already queued or sent get the day their event has now,
or the ones sent before the upgrade would go out a second time under the new key.

Revision ID: c8d9e0f1a2b3
Revises: a9b0c1d2e3f4
Create Date: 2026-12-06 11:45:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "c8d9e0f1a2b3"
down_revision: str | None = "a9b0c1d2e3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("key", sa.String))
_events = sa.table("district_events", sa.column("id", sa.Integer), sa.column("answer_by", sa.Date))
_PREFIX = "devent-remind:"
_OLD_PARTS = 5  # purpose, event, ППО, days before, recipient


def _reminder_keys() -> list[tuple[int, list[str]]]:
    rows = op.get_bind().execute(
        sa.select(_outbox.c.id, _outbox.c.key).where(_outbox.c.key.startswith(_PREFIX))
    )
    return [(row_id, key.split(":")) for row_id, key in rows]


def _rekey(row_id: int, parts: list[str]) -> None:
    op.get_bind().execute(
        sa.update(_outbox).where(_outbox.c.id == row_id).values(key=":".join(parts))
    )


def upgrade() -> None:
    rows = op.get_bind().execute(sa.select(_events.c.id, _events.c.answer_by))
    answer_by: dict[int, date] = dict(rows.all())
    for row_id, parts in _reminder_keys():
        day = answer_by.get(int(parts[1])) if len(parts) == _OLD_PARTS else None
        if day is not None:
            _rekey(row_id, [*parts[:3], day.isoformat(), *parts[3:]])


def _without_day(parts: list[str]) -> list[str]:
    return [*parts[:3], *parts[4:]] if len(parts) == _OLD_PARTS + 1 else parts


def downgrade() -> None:
    """An event moved to another answer day was reminded of under each day's key: without
    the day they are one key, which the latest reminder keeps (the others go)."""
    rows = _reminder_keys()
    latest: dict[str, int] = {}
    for row_id, parts in rows:
        old_key = ":".join(_without_day(parts))
        latest[old_key] = max(row_id, latest.get(old_key, row_id))
    superseded = {
        row_id for row_id, parts in rows if latest[":".join(_without_day(parts))] != row_id
    }
    if superseded:
        op.get_bind().execute(sa.delete(_outbox).where(_outbox.c.id.in_(sorted(superseded))))
    for row_id, parts in rows:
        if row_id not in superseded and len(parts) == _OLD_PARTS + 1:
            _rekey(row_id, _without_day(parts))
