"""plan items due in stages, each stage marked done on its own

Revision ID: d5e6f7a8b9c0
Revises: d3e4f5a6b7c8
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5e6f7a8b9c0"
down_revision: str | None = "d3e4f5a6b7c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every item so far has one deadline (NULL stages) and every mark is of its first stage.
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stages", sa.JSON(), nullable=True))
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_plan_marks_item_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_plan_marks_item_id"), ["item_id", "unit", "stage"]
        )


def downgrade() -> None:
    # One mark per item and unit again: the first stage's mark stands for the item.
    op.execute(sa.text("DELETE FROM plan_marks WHERE stage > 0"))
    with op.batch_alter_table("plan_marks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_plan_marks_item_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_plan_marks_item_id"), ["item_id", "unit"])
        batch_op.drop_column("stage")
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_column("stages")
