"""How verdicts say times and energy: in the driver's local time, the day only when it is needed."""

from __future__ import annotations

from datetime import datetime, tzinfo


def clock(moment: datetime, zone: tzinfo) -> str:
    """"01:10", in the driver's local time."""
    return f"{moment.astimezone(zone):%H:%M}"


def day(moment: datetime, zone: tzinfo) -> str:
    """"13 March", in the driver's local time."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B}"


def when(moment: datetime, zone: tzinfo) -> str:
    """"01:10 on 13 March"."""
    return f"{clock(moment, zone)} on {day(moment, zone)}"


def two_times(first: datetime, second: datetime, zone: tzinfo) -> tuple[str, str]:
    """Both moments as clock times, each with its day when they fall on different local days."""
    if first.astimezone(zone).date() == second.astimezone(zone).date():
        return clock(first, zone), clock(second, zone)
    return when(first, zone), when(second, zone)


def span(start: datetime, end: datetime, zone: tzinfo) -> str:
    """"from 01:10 to 06:40", or "from 18:25 on 12 March to 08:10 on 13 March" over midnight."""
    first, second = two_times(start, end, zone)
    return f"from {first} to {second}"


def kwh(watt_hours: float) -> str:
    """"12.3 kWh"."""
    return f"{watt_hours / 1000:.1f} kWh"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
