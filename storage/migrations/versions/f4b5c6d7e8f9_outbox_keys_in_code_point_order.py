"""outbox keys compare in code point order on PostgreSQL, so a key prefix is an index range

Revision ID: f4b5c6d7e8f9
Revises: e3f4a5b6c7d8
Create Date: 2026-12-12 10:00:00

The queries by key prefix read the range from the prefix to it with its closing ``:`` raised
to ``;`` (``storage.outbox.keys_starting``), from the unique index on ``key``. Under a server's
linguistic collation (en_US.UTF-8, ru_RU.UTF-8, ICU) punctuation and digits do not sort by
code point and that range would miss keys or take others', so the column takes the "C"
collation; PostgreSQL rebuilds its unique index with it. SQLite already compares by code
point (BINARY): nothing to do there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f4b5c6d7e8f9"
down_revision: str | None = "e3f4a5b6c7d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "key",
            type_=sa.String(200, collation=collation),
            existing_type=sa.String(200),
            existing_nullable=False,
        )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
