"""the name staff typed for a district event of kind «Другое»

Revision ID: d1e2f3a4b5c6
Revises: d5e6f7a8b9c0
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "d5e6f7a8b9c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for every event announced before the question was asked: it shows as «Другое».
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind_other", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.drop_column("kind_other")
