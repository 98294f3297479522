"""a district event can be called off before it begins

Revision ID: a9b0c1d2e3f4
Revises: e7f8a9b0c1d2
Create Date: 2026-12-05 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "a9b0c1d2e3f4"
down_revision: str | None = "e7f8a9b0c1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_district_events_cancelled_by_people"), "people", ["cancelled_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_district_events_cancelled_by_people"), type_="foreignkey"
        )
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("cancelled_at")
