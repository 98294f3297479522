"""the leadership reserve of a ППО (кадровый резерв)

Revision ID: f2b3c4d5e6a7
Revises: e1a2b3c4d5f6
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "f2b3c4d5e6a7"
down_revision: str | None = "e1a2b3c4d5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reserve_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("under_35", sa.Boolean(), nullable=False),
        sa.Column("added_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_reserve_people_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["people.id"], name=op.f("fk_reserve_people_added_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_people")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_reserve_people_submission_key")),
    )
    with op.batch_alter_table("reserve_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reserve_people_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reserve_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reserve_people_org_id"))
    op.drop_table("reserve_people")
