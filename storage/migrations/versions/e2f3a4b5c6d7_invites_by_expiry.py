"""live invites and the ones past their retention are found by the expiry, through an index

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e2f3a4b5c6d7"
down_revision: str | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_invites_expires_at", "invites", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invites_expires_at", table_name="invites")
