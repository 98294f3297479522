"""whether a person of the leadership reserve is in union training

Revision ID: a9b8c7d6e5f4
Revises: e5f6a7b8c9d0
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9b8c7d6e5f4"
down_revision: str | None = "e5f6a7b8c9d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the people added before the question was asked: not known, not «no».
    with op.batch_alter_table("reserve_people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trained", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reserve_people", schema=None) as batch_op:
        batch_op.drop_column("trained")
