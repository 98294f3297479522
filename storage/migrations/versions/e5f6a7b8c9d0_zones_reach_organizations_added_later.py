"""a district's or region's zone reaches the organizations added under it since

Data only. ``d9e0f1a2b3c4`` gave the zones set before it to the organizations under them;
an organization imported later without a zone (or under a district that took its rows' zone)
stayed on the default zone until the import learned to spread zones (``org_zones.follow_zone``).
The same spread again, regions first, then districts. Nothing to undo.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-06 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5f6a7b8c9d0"
down_revision: str | None = "d4e5f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_orgs = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("timezone", sa.String),
)


def _spread_from(kind: str) -> None:
    parent = _orgs.alias("parent")
    zone_of_parent = (
        sa.select(parent.c.timezone).where(parent.c.id == _orgs.c.parent_id).scalar_subquery()
    )
    has_zoned_parent = sa.exists().where(
        parent.c.id == _orgs.c.parent_id, parent.c.kind == kind, parent.c.timezone.is_not(None)
    )
    op.get_bind().execute(
        sa.update(_orgs)
        .where(_orgs.c.timezone.is_(None), has_zoned_parent)
        .values(timezone=zone_of_parent)
    )


def upgrade() -> None:
    _spread_from("region")
    _spread_from("district")


def downgrade() -> None:
    pass
