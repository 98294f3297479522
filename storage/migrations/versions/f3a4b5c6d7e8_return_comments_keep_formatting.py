"""a returned report's comment keeps its formatting: it is HTML now

``reports.return_comment`` held the comment as plain text, escaped when shown; it now holds
the comment as HTML (the formatting staff typed, the text escaped), longer than the text it
shows, so the column is unbounded. The comments written before are escaped here, so they read
as typed. Downgrading keeps the text read, tags aside, cut to the old 1000 characters.

Revision ID: f3a4b5c6d7e8
Revises: a9b8c7d6e5f4
Create Date: 2026-12-07 01:50:00
"""

import re
from collections.abc import Callable, Sequence
from html import escape, unescape

import sqlalchemy as sa
from alembic import op

revision: str = "f3a4b5c6d7e8"
down_revision: str | None = "a9b8c7d6e5f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_reports = sa.table(
    "membership_reports",
    sa.column("id", sa.Integer),
    sa.column("return_comment", sa.Text),
)
_TAG = re.compile(r"<[^>]*>")
_OLD_LENGTH = 1000


def _rewrite(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_reports.c.id, _reports.c.return_comment).where(
            _reports.c.return_comment.is_not(None)
        )
    ).all()
    for row_id, comment in rows:
        bind.execute(
            sa.update(_reports)
            .where(_reports.c.id == row_id)
            .values(return_comment=change(comment))
        )


def upgrade() -> None:
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        batch_op.alter_column(
            "return_comment", existing_type=sa.String(length=_OLD_LENGTH), type_=sa.Text()
        )
    _rewrite(lambda comment: escape(comment, quote=False))


def downgrade() -> None:
    _rewrite(lambda comment: unescape(_TAG.sub("", comment))[:_OLD_LENGTH])
    with op.batch_alter_table("membership_reports", schema=None) as batch_op:
        batch_op.alter_column(
            "return_comment", existing_type=sa.Text(), type_=sa.String(length=_OLD_LENGTH)
        )
