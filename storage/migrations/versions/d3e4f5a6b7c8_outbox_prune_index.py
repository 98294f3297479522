"""the nightly prune reaches sent outbox rows past their retention through an index

Revision ID: d3e4f5a6b7c8
Revises: c2d3e4f5a6b7
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d3e4f5a6b7c8"
down_revision: str | None = "c2d3e4f5a6b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_status_sent", "outbox", ["status", "sent_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_status_sent", table_name="outbox")
