"""a top-level organization's name is unique too

The unique constraint on (parent_id, name_key, kind) never reached the top of the tree (NULL
is equal to no NULL), so two imports of one list at once could both add its region on
PostgreSQL. A partial unique index now covers the organizations without a parent. Two that
such a race added already keep their rows (what hangs on them stays where it is): each but
the oldest gets its id after its name, so the index can be built and an admin sees which
one to clear up.

Revision ID: b2c3d4e5f6a7
Revises: d9e0f1a2b3c4
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2c3d4e5f6a7"
down_revision: str | None = "d9e0f1a2b3c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME_LENGTH = 300
_TOP_LEVEL = sa.text("parent_id IS NULL")
_orgs = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def _numbered(text: str, org_id: int) -> str:
    """The text with « #id» after it, cut to fit the column (a key's suffix is the name's)."""
    suffix = f" #{org_id}"
    return text[: _NAME_LENGTH - len(suffix)] + suffix


def _number_the_namesakes_at_the_top() -> None:
    """Each top-level organization but the oldest of its kind and key gets its id after its
    name and key: the only way to free the key that keeps every row and what refers to it."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_orgs.c.id, _orgs.c.kind, _orgs.c.name, _orgs.c.name_key)
        .where(_orgs.c.parent_id.is_(None))
        .order_by(_orgs.c.id)
    ).all()
    seen: set[tuple[str, str]] = set()
    for org_id, kind, name, key in rows:
        if (kind, key) not in seen:
            seen.add((kind, key))
            continue
        bind.execute(
            sa.update(_orgs)
            .where(_orgs.c.id == org_id)
            .values(name=_numbered(name, org_id), name_key=_numbered(key, org_id))
        )


def upgrade() -> None:
    _number_the_namesakes_at_the_top()
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_organizations_top_level_name",
            ["kind", "name_key"],
            unique=True,
            sqlite_where=_TOP_LEVEL,
            postgresql_where=_TOP_LEVEL,
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index("uq_organizations_top_level_name")
