"""outbox ids are never given again (SQLite AUTOINCREMENT)

Revision ID: e9f0a1b2c3d4
Revises: d7e8f9a0b1c2
Create Date: 2026-12-07 16:45:00

Without AUTOINCREMENT SQLite gives a new row the highest id plus one, so the id of the newest
row, deleted (an archiving, a district event moved or called off, a pause), goes to the next
row queued. A sender whose call of the deleted row was on its way records it by that id, and
finished the new row with the old one's text: a move notice recorded sent, never sent. The
table is rebuilt with AUTOINCREMENT (SQLite keeps the highest id ever given); PostgreSQL's
sequence never gave an id twice, so nothing changes there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e9f0a1b2c3d4"
down_revision: str | None = "d7e8f9a0b1c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOLLOWS = sa.text("after_key IS NOT NULL")


def _rebuild(autoincrement: bool) -> None:
    """Rebuild the table; its partial index is made again by hand (reflection may lose its
    WHERE)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_outbox_after_key", table_name="outbox")
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.create_index("ix_outbox_after_key", "outbox", ["after_key"], sqlite_where=_FOLLOWS)


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
