"""an outbox row counts the attempts the network was down for

A message's failed attempts while the bot had no network (an office line down, Telegram
unreachable) never made it give up, but they were counted in ``attempts``: a 5xx right after a
long outage found the limit spent and gave up at once. ``outages`` counts those attempts
apart, so only the others count toward giving up. Rows already there start at 0.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-06 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c3d4e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outages", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("outages")
