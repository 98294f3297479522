"""outbox leases and the call budget shared by replicas

Revision ID: e7f8a9b0c1d2
Revises: d6e7f8a9b0c1
Create Date: 2026-12-05 01:00:00

The outbox gets its senders' leases (``claimed_until``, ``claimed_by``) on every backend.
The call budget (``storage/call_budget.py``) exists on PostgreSQL only: on SQLite the bot is
one process and paces its calls in memory. Its slots and its pause row are made here, so a
grant never has to create them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "e7f8a9b0c1d2"
down_revision: str | None = "d6e7f8a9b0c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = 1000  # the highest DELIVERY__GLOBAL_PER_SECOND allowed
EPOCH = "timestamp '1970-01-01 00:00:00'"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "call_slots",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("busy_until", sa.DateTime(), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_call_slots")),
    )
    op.create_table(
        "call_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("busy_until", sa.DateTime(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_call_chats")),
    )
    op.create_table(
        "call_pause",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("paused_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_pause")),
    )
    op.execute(
        f"INSERT INTO call_slots (slot, busy_until)"
        f" SELECT n, {EPOCH} FROM generate_series(0, {SLOTS - 1}) AS n"
    )
    op.execute(f"INSERT INTO call_pause (id, paused_until) VALUES (1, {EPOCH})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("call_pause")
        op.drop_table("call_chats")
        op.drop_table("call_slots")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("claimed_until")
