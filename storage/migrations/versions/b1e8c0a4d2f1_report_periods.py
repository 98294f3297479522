"""report periods: a late report counts for the period it is for

Revision ID: b1e8c0a4d2f1
Revises: fb648bfdcd3d
Create Date: 2026-12-04 18:50:00

``collection_targets.submitted_on``: the ППО's local date of delivery, which decides whether a
delivery was late (after the target's deadline, itself a local date). Existing deliveries get
the date in the ППО's own time zone where it has one, else the UTC date (what the rating
judged by until now).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision: str = "b1e8c0a4d2f1"
down_revision: str | None = "fb648bfdcd3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_targets = sa.table(
    "collection_targets",
    sa.column("id", sa.Integer),
    sa.column("org_id", sa.Integer),
    sa.column("submitted_at", sa.DateTime),
    sa.column("submitted_on", sa.Date),
)
_orgs = sa.table("organizations", sa.column("id", sa.Integer), sa.column("timezone", sa.String))


def _local_date(submitted_at: datetime, zone: str | None) -> datetime:
    moment = submitted_at.replace(tzinfo=UTC)  # stored as naive UTC
    try:
        return moment.astimezone(ZoneInfo(zone)) if zone else moment
    except (ZoneInfoNotFoundError, ValueError):
        return moment


def upgrade() -> None:
    with op.batch_alter_table("collection_targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_on", sa.Date(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_targets.c.id, _targets.c.submitted_at, _orgs.c.timezone)
        .join(_orgs, _orgs.c.id == _targets.c.org_id)
        .where(_targets.c.submitted_at.is_not(None))
    ).all()
    for target_id, submitted_at, zone in rows:
        connection.execute(
            sa.update(_targets)
            .where(_targets.c.id == target_id)
            .values(submitted_on=_local_date(submitted_at, zone).date())
        )


def downgrade() -> None:
    with op.batch_alter_table("collection_targets", schema=None) as batch_op:
        batch_op.drop_column("submitted_on")
