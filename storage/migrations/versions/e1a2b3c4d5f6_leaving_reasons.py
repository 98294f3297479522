"""why members left: a split of «выбыло» on membership reports

Revision ID: e1a2b3c4d5f6
Revises: d4c7e2a9b3f6
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a2b3c4d5f6"
down_revision: str | None = "d4c7e2a9b3f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = ("left_own_will", "left_dismissed", "left_retired", "left_other")


def upgrade() -> None:
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
