"""the day a plan item was given to another responsible

A responsible owes an item's stages from the day they got it; that was the day the item was
added (or the ППО came into the bot), so one given the item by ``/planedit … ответственный``
was held to stages passed before it was theirs. ``plan_items.assigned_at`` is when the item
was last given to another responsible (NULL: the one it was added with), filled from the
audit trail, which has recorded every such change: an item's latest change of who answers
for it (but «все ППО» narrowed to one of them, which answered for it already). A ППО moved
into a district needs no column: the audit trail's ``org.move`` is read for it.

Revision ID: b8c9d0e1f2a3
Revises: a1f2e3d4c5b6
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "b8c9d0e1f2a3"
down_revision: str | None = "a1f2e3d4c5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("action", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)
_items = sa.table("plan_items", sa.column("id", sa.Integer), sa.column("assigned_at", sa.DateTime))
_WHO = ("responsible", "person_id", "org_id")


def _given_afresh(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """A change of who answers for the item, but «все ППО» narrowed to one ППО."""
    narrowed = before.get("responsible") == "all_ppo" and after.get("responsible") == "ppo"
    return any(key in after for key in _WHO) and not narrowed


def upgrade() -> None:
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))
    bind = op.get_bind()
    given: dict[int, Any] = {}
    changes = sa.select(_audit).where(_audit.c.action == "plan.item_change")
    for entry in bind.execute(changes.order_by(_audit.c.at, _audit.c.id)).all():
        before, after = entry.before or {}, entry.after or {}
        if isinstance(after.get("item"), int) and _given_afresh(before, after):
            given[after["item"]] = entry.at
    for item_id, at in given.items():
        bind.execute(sa.update(_items).where(_items.c.id == item_id).values(assigned_at=at))


def downgrade() -> None:
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_column("assigned_at")
