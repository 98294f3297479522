"""plans of measures: items, responsible, done marks

Revision ID: b4d5e6f7a8c9
Revises: a3c4d5e6f7b8
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "b4d5e6f7a8c9"
down_revision: str | None = "a3c4d5e6f7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = storage.models.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["scope_org_id"], ["organizations.id"], name=op.f("fk_plans_scope_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_plans_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_scope_org_id"), "plans", ["scope_org_id"])
    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_label", sa.String(length=64), nullable=False),
        sa.Column("responsible", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_items_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_plan_items_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_plan_items_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_items")),
    )
    op.create_index(op.f("ix_plan_items_plan_id"), "plan_items", ["plan_id"])
    op.create_table(
        "plan_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("done_at", UTC_DATETIME, nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["plan_items.id"], name=op.f("fk_plan_marks_item_id_plan_items")
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["people.id"], name=op.f("fk_plan_marks_done_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_marks")),
        sa.UniqueConstraint("item_id", "unit", name=op.f("uq_plan_marks_item_id")),
    )
    op.create_index(op.f("ix_plan_marks_item_id"), "plan_marks", ["item_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_marks_item_id"), table_name="plan_marks")
    op.drop_table("plan_marks")
    op.drop_index(op.f("ix_plan_items_plan_id"), table_name="plan_items")
    op.drop_table("plan_items")
    op.drop_index(op.f("ix_plans_scope_org_id"), table_name="plans")
    op.drop_table("plans")
