"""district events: invitations, answers, attendance

Revision ID: a3c4d5e6f7b8
Revises: f2b3c4d5e6a7
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "a3c4d5e6f7b8"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "district_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("answer_by", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["scope_org_id"],
            ["organizations.id"],
            name=op.f("fk_district_events_scope_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_district_events_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_events")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_district_events_submission_key")),
    )
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_events_scope_org_id"), ["scope_org_id"], unique=False
        )
    op.create_table(
        "district_event_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column(
            "answer",
            sa.Enum("coming", "declined", name="districteventanswer", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("attended", sa.Integer(), nullable=True),
        sa.Column("attended_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("attended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["district_events.id"],
            name=op.f("fk_district_event_invites_event_id_district_events"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_district_event_invites_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["people.id"],
            name=op.f("fk_district_event_invites_answered_by_people"),
        ),
        sa.ForeignKeyConstraint(
            ["attended_by"],
            ["people.id"],
            name=op.f("fk_district_event_invites_attended_by_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_event_invites")),
        sa.UniqueConstraint("event_id", "org_id", name=op.f("uq_district_event_invites_event_id")),
    )
    with op.batch_alter_table("district_event_invites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_event_invites_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_district_event_invites_org_id"), ["org_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("district_event_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_event_invites_org_id"))
        batch_op.drop_index(batch_op.f("ix_district_event_invites_event_id"))
    op.drop_table("district_event_invites")
    with op.batch_alter_table("district_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_events_scope_org_id"))
    op.drop_table("district_events")
