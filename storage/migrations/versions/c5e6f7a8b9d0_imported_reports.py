"""monitoring figures imported from a district's past tables

Revision ID: c5e6f7a8b9d0
Revises: b4d5e6f7a8c9
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "c5e6f7a8b9d0"
down_revision: str | None = "b4d5e6f7a8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        batch_op.drop_column("imported_at")
