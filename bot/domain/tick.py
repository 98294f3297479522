"""One run of the scheduler's clockwork, as the reminder planners see it.

Every planner of a run (monitoring reminders and escalations, plan reminders and reviews) needs
the same three things at every level: when the run happens, by which calendar, and the time
zone of an organization that has none of its own. One object carries them down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import CalendarSettings, next_allowed_moment
from bot.domain.timezones import zone_of
from storage.models import Organization


@dataclass(frozen=True)
class Tick:
    """``now`` (UTC) of this run, the monitoring ``calendar`` (send hours, reminder days) and
    the ``default_tz`` of organizations without a time zone of their own."""

    now: datetime
    calendar: CalendarSettings
    default_tz: str

    def zone(self, org: Organization | None) -> ZoneInfo:
        return zone_of(org, self.default_tz)

    def deliver_at(self, tz: ZoneInfo) -> datetime:
        """The first moment from now a message may go out in ``tz`` (the calendar's hours)."""
        return next_allowed_moment(self.now, tz, self.calendar)
