"""The driver's local time: pages show times where the driver lives, with UTC on hover.

The zone comes from the API (a sub-session's `location.timezone`, a tariff's `timezone_name`); a
name the machine does not know, or none at all, falls back to UTC and the page says "UTC".
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str | None) -> tzinfo:
    """The IANA zone `name`, or UTC when it is missing or unknown."""
    if not name or not isinstance(name, str):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_label(zone: tzinfo) -> str:
    return "UTC" if zone is UTC else getattr(zone, "key", str(zone))


def local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None
