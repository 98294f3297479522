"""Rows the tests put straight into the database, with only what each test cares about named."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from storage.models import MembershipReport

_numbers = itertools.count(1)


def membership_report(
    org_id: int,
    period: date,
    workers: int,
    members: int,
    *,
    by: int,
    at: datetime,
    revision: int = 1,
    **columns: Any,
) -> MembershipReport:
    """One stored revision as the chair's form would leave it; ``columns`` sets the rest
    (youth figures, leaving reasons, ``returned_at``...). Each gets its own submission key."""
    return MembershipReport(
        org_id=org_id,
        period=period,
        revision=revision,
        workers=workers,
        members=members,
        submitted_by=by,
        submitted_at=at,
        submission_key=f"seed-{next(_numbers)}",
        **columns,
    )
