"""report periods: a late report counts for the period it is for

Revision ID: b1e8c0a4d2f1
Revises: fb648bfdcd3d
Create Date: 2026-12-04 18:50:00
"""

from collections.abc import Sequence

revision: str = "b1e8c0a4d2f1"
down_revision: str | None = "fb648bfdcd3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
