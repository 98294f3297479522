"""a plan mark keeps the day of the stage it was made for, not the stage's place

A mark counted toward the stage at its place among the item's stages, so a deadline changed
from «март, июнь» to «июнь, декабрь» turned the March mark into June's. Each mark now keeps
its stage's day (``due``), carried over from the stages the item has: the stage at its place,
or the one deadline of an item without stages. A mark past the item's stages (an edit cut
them) is of a day nobody knows: NULL, counting toward none, as it counted toward none before.

Revision ID: e3f4a5b6c7d8
Revises: f5a6b7c8d9e0
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "e3f4a5b6c7d8"
down_revision: str | None = "f5a6b7c8d9e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_items = sa.table(
    "plan_items",
    sa.column("id", sa.Integer),
    sa.column("deadline", sa.Date),
    sa.column("stages", sa.JSON),
)
_marks = sa.table(
    "plan_marks",
    sa.column("id", sa.Integer),
    sa.column("item_id", sa.Integer),
    sa.column("unit", sa.Integer),
    sa.column("stage", sa.Integer),
    sa.column("due", sa.Date),
)


def upgrade() -> None:
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due", sa.Date(), nullable=True))
    bind = op.get_bind()
    stages = {
        row.id: [date.fromisoformat(day) for day in row.stages] if row.stages else [row.deadline]
        for row in bind.execute(sa.select(_items))
    }
    for mark in bind.execute(sa.select(_marks.c.id, _marks.c.item_id, _marks.c.stage)).all():
        days = stages.get(mark.item_id, [])
        if mark.stage < len(days):
            due = days[mark.stage]
            bind.execute(sa.update(_marks).where(_marks.c.id == mark.id).values(due=due))
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_plan_marks_item_id"), type_="unique")
        batch_op.drop_column("stage")
        batch_op.create_unique_constraint(
            batch_op.f("uq_plan_marks_item_id"), ["item_id", "unit", "due"]
        )


def downgrade() -> None:
    # Each unit's marks take places in the order of their days (an unknown day last): the
    # stages in order, as marks were counted before.
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.Integer(), server_default="0", nullable=False))
    bind = op.get_bind()
    places: dict[tuple[int, int], int] = {}
    rows = bind.execute(sa.select(_marks.c.id, _marks.c.item_id, _marks.c.unit, _marks.c.due))
    for mark in sorted(rows.all(), key=lambda m: (m.due is None, m.due or date.min, m.id)):
        place = places.setdefault((mark.item_id, mark.unit), 0)
        places[(mark.item_id, mark.unit)] = place + 1
        bind.execute(sa.update(_marks).where(_marks.c.id == mark.id).values(stage=place))
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_plan_marks_item_id"), type_="unique")
        batch_op.drop_column("due")
        batch_op.create_unique_constraint(
            batch_op.f("uq_plan_marks_item_id"), ["item_id", "unit", "stage"]
        )
