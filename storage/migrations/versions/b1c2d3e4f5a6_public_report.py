"""the day a ППО last gave its yearly public report

Revision ID: b1c2d3e4f5a6
Revises: f3a4b5c6d7e8
Create Date: 2026-12-07 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1c2d3e4f5a6"
down_revision: str | None = "f3a4b5c6d7e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for every passport filled before the question was asked: not known.
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_report_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.drop_column("public_report_on")
