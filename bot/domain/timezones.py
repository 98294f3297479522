"""Time zones as people write them: «МСК+4», «UTC+7», «+7», a city, an IANA name.

Used for the organization list an admin uploads (its «Часовой пояс» column) and for the time
zone an admin types for one organization; ``zone_of`` is the zone an organization's calendar
runs in. Pure: no Telegram, no database.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.cells import cell_text
from storage.models import Organization

log = logging.getLogger(__name__)

# UTC offset in hours → a representative Russian zone.
OFFSET_ZONES: dict[int, str] = {
    2: "Europe/Kaliningrad",
    3: "Europe/Moscow",
    4: "Europe/Samara",
    5: "Asia/Yekaterinburg",
    6: "Asia/Omsk",
    7: "Asia/Novosibirsk",
    8: "Asia/Irkutsk",
    9: "Asia/Yakutsk",
    10: "Asia/Vladivostok",
    11: "Asia/Magadan",
    12: "Asia/Kamchatka",
}
_MOSCOW_OFFSET = 3
_CITY_ZONES: dict[str, str] = {
    "москва": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow",
    "калининград": "Europe/Kaliningrad",
    "самара": "Europe/Samara",
    "екатеринбург": "Asia/Yekaterinburg",
    "омск": "Asia/Omsk",
    "новосибирск": "Asia/Novosibirsk",
    "красноярск": "Asia/Krasnoyarsk",
    "кемерово": "Asia/Novokuznetsk",
    "иркутск": "Asia/Irkutsk",
    "якутск": "Asia/Yakutsk",
    "владивосток": "Asia/Vladivostok",
    "магадан": "Asia/Magadan",
    "петропавловск-камчатский": "Asia/Kamchatka",
}
_MSK_RE = re.compile(r"(?:мск|msk)(?:([+-])(\d{1,2})(?::?00)?)?")
_UTC_RE = re.compile(r"(?:utc|gmt)?([+-]?)(\d{1,2})(?::?(\d{2}))?")


def zone_for_offset(hours: int) -> str:
    """An IANA zone for a whole-hour UTC offset (-12..+14)."""
    if hours in OFFSET_ZONES:
        return OFFSET_ZONES[hours]
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"  # POSIX style: Etc/GMT-7 is UTC+7


@cache
def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def _offset_zone(hours: int) -> str | None:
    return zone_for_offset(hours) if -12 <= hours <= 14 else None


def parse_timezone(value: object) -> str | None:
    """An IANA name for a cell, or None when it is not a time zone (the cell must not be empty).

    Accepts IANA names in any case, «МСК», «МСК+4», «МСК-1», «UTC+7», «GMT+7», «+7»,
    «UTC+05:00», a bare offset (Excel turns «+7» into the number 7) and a few city names.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            return None
        return _offset_zone(int(value))
    text = cell_text(value)
    compact = re.sub(r"[−–—]", "-", "".join(text.split())).casefold().replace("ё", "е")
    if compact in ("utc", "gmt"):
        return "UTC"
    if match := _MSK_RE.fullmatch(compact):
        sign, hours = match.group(1), match.group(2)
        shift = 0 if hours is None else int(hours) * (-1 if sign == "-" else 1)
        return _offset_zone(_MOSCOW_OFFSET + shift)
    if match := _UTC_RE.fullmatch(compact):
        sign, hours, minutes = match.groups()
        if minutes is not None and int(minutes) != 0:
            return None
        return _offset_zone(int(hours) * (-1 if sign == "-" else 1))
    if compact in _CITY_ZONES:
        return _CITY_ZONES[compact]
    iana = re.sub(r"\s*/\s*", "/", text).replace(" ", "_").casefold()
    return _iana_names().get(iana)


def zone_of(org: Organization | None, default_tz: str) -> ZoneInfo:
    """The organization's time zone, or the default one (also for an unknown zone name).

    ``org.timezone`` already is its district's or region's zone when it has none of its own:
    that zone is copied down whenever it is set or the organization comes under it
    (``storage.org_zones.follow_zone``), so no reader walks the tree (no IO here).
    """
    return zone_named(org.timezone if org is not None else None, default_tz)


def zone_named(name: str | None, default_tz: str) -> ZoneInfo:
    """The zone ``name`` (an organization's own), or the default one (also when unknown)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r of an organization", name)
    return ZoneInfo(default_tz)
