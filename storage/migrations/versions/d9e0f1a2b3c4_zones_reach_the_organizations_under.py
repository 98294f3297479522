"""a district's or region's time zone reaches the organizations under it that have none

Data only. Setting a district's or region's zone now also sets it on the organizations under
it without a zone of their own (``org_admin``); a zone set before that left its ППО on the
default zone, so a district in Kaliningrad opened its periods at Kaliningrad's midnight and
judged its ППО by Moscow's. Regions first, then districts, as the admin command spreads them.
Nothing to undo: a zone an organization has is the one it had or its district's.

Revision ID: d9e0f1a2b3c4
Revises: c8d9e0f1a2b3
Create Date: 2026-12-06 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9e0f1a2b3c4"
down_revision: str | None = "c8d9e0f1a2b3"
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
