"""an organization's key is made of composed letters

Data only. A name pasted from a PDF or a Mac may spell «Й» and «Ё» as a letter and a combining
mark; the key organizations are matched by now composes them first (``storage.orgs.name_key``),
so a key stored before that is composed here too, or the next import of the same list would
not find its organization and add it again. A key that then meets another organization's in
the same place (the same name typed both ways, once a duplicate) goes to the one whose key was
composed already; the other keeps its row and gets its id after its name, like the namesakes
at the top before it (``b2c3d4e5f6a7``). Nothing to undo: a composed key matches both ways.

Revision ID: c3d4e5f6a7b8
Revises: b2c3d4e5f6a7
Create Date: 2026-12-07 11:00:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3d4e5f6a7b8"
down_revision: str | None = "b2c3d4e5f6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME_LENGTH = 300
_orgs = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def _composed(key: str) -> str:
    """A stored key as the key of its name is made now: composed, then «ё» as «е» again (a
    decomposed «ё» escaped that when it was stored)."""
    return unicodedata.normalize("NFC", key).replace("ё", "е")


def _numbered(text: str, org_id: int) -> str:
    """The text with « #id» after it, cut to fit the column."""
    suffix = f" #{org_id}"
    return text[: _NAME_LENGTH - len(suffix)] + suffix


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _orgs.c.id, _orgs.c.kind, _orgs.c.parent_id, _orgs.c.name, _orgs.c.name_key
        ).order_by(_orgs.c.id)
    ).all()
    stale = [row for row in rows if _composed(row.name_key) != row.name_key]
    stale_ids = {row.id for row in stale}
    taken = {(row.kind, row.parent_id, row.name_key) for row in rows if row.id not in stale_ids}
    for row in stale:
        name, key = row.name, _composed(row.name_key)
        if (row.kind, row.parent_id, key) in taken:
            name, key = _numbered(name, row.id), _numbered(key, row.id)
        taken.add((row.kind, row.parent_id, key))
        bind.execute(sa.update(_orgs).where(_orgs.c.id == row.id).values(name=name, name_key=key))


def downgrade() -> None:
    pass
