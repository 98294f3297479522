"""organizations are listed with their numbers read as numbers

Lists of organizations went by the key they are matched by, so «№ 10» and «№ 100» came
before «№ 2». ``organizations.sort_key`` is the key they are listed by now
(``storage.org_names.sort_key``); a row stored before gets the key of its name here, a batch
of rows at a time. Down: the column goes; lists go by the matching key again.

Revision ID: d7e8f9a0b1c2
Revises: b8c9d0e1f2a3
Create Date: 2026-12-07 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.org_names import sort_key

revision: str = "d7e8f9a0b1c2"
down_revision: str | None = "b8c9d0e1f2a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
_orgs = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("sort_key", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_key", sa.Text(), nullable=True))
    bind = op.get_bind()
    after = 0
    while rows := bind.execute(
        sa.select(_orgs.c.id, _orgs.c.name)
        .where(_orgs.c.id > after)
        .order_by(_orgs.c.id)
        .limit(_BATCH)
    ).all():
        bind.execute(
            sa.update(_orgs).where(_orgs.c.id == sa.bindparam("org_id")),
            [{"org_id": row.id, "sort_key": sort_key(row.name)} for row in rows],
        )
        after = rows[-1].id
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.alter_column("sort_key", existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f("ix_organizations_sort_key"), ["sort_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_sort_key"))
        batch_op.drop_column("sort_key")
