"""an outbox row may name the row it must follow into its chat

Revision ID: a1f2e3d4c5b6
Revises: f4b5c6d7e8f9
Create Date: 2026-12-14 10:00:00

An announcement's file is sent after its text; as two rows, a retried text (429, 5xx, the
network) let the file go first. ``after_key`` names the row a row follows: it is not due while
that one is pending, and takes its outcome should it fail for good, found through a partial
index on the rows that follow another (the rest of the outbox has none). Rows queued before
follow nothing, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1f2e3d4c5b6"
down_revision: str | None = "f4b5c6d7e8f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOLLOWS = sa.text("after_key IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "after_key",
                sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_outbox_after_key",
            ["after_key"],
            sqlite_where=_FOLLOWS,
            postgresql_where=_FOLLOWS,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_after_key")
        batch_op.drop_column("after_key")
