"""Time zones down the organization tree: an organization's ``timezone`` is the zone its
calendar runs in, its district's or region's copied down when it has none of its own.

Copied, not looked up the tree on every read: readers (``bot.domain.timezones.zone_of``) need
no IO, so every write that puts a zone above an organization applies ``follow_zone``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.models import Organization, OrgKind


def adopt_common_zones(
    districts: Iterable[tuple[Organization, set[str | None]]], now: datetime
) -> None:
    """A district without a zone of its own takes the one every row of its ППО names: its
    periods then open at its ППО's midnight, not at the default zone's."""
    for district, zones in districts:
        if district.timezone is None and len(zones) == 1 and None not in zones:
            district.timezone, district.updated_at = zones.pop(), now


def follow_zone(
    org: Organization, parent: Organization, *, followed: str | None, now: datetime
) -> bool:
    """The one rule by which a zone reaches an organization from above; True when it changed.

    ``org.timezone`` is the zone the organization's calendar runs in, the only one readers look
    at (``zone_of``): a district's or region's zone is copied down, not looked up the tree on
    every read. So every write that puts a zone above an organization applies this rule (the
    admin's /tz, an import, a move): it takes ``parent``'s zone when it has none or had the
    zone it followed until now (``followed``: the old zone above it); a zone of its own stays.
    """
    if org.timezone not in (None, followed) or org.timezone == parent.timezone:
        return False
    org.timezone, org.updated_at = parent.timezone, now
    return True


def spread_zones(tree: Iterable[Organization], now: datetime) -> None:
    """After an import, an organization without a zone takes its parent's (regions' first):
    a ППО added to a district in Vladivostok opens its periods at Vladivostok's midnight."""
    tree = list(tree)
    by_id = {org.id: org for org in tree if org.id is not None}
    for kind in (OrgKind.DISTRICT, OrgKind.PPO):
        for org in tree:
            parent = by_id.get(org.parent_id) if org.parent_id is not None else None
            if org.kind is kind and parent is not None:
                follow_zone(org, parent, followed=None, now=now)
