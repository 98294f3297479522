"""whether a ППО keeps its members in the АИС «Единый реестр»

Revision ID: c2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2d3e4f5a6b7"
down_revision: str | None = "b1c2d3e4f5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for every passport filled before the question was asked: not known, not «no».
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members_registry", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.drop_column("members_registry")
