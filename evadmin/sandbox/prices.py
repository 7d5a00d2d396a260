"""A tariff's half-hourly prices, computed from the tariff and the time instead of stored.

Flat tariffs cost `current_price` at every moment. Dynamic tariffs (the ones with a price chart:
Agile, Dynamisch, Tempo...) follow the shape of a wholesale day in the tariff's own time zone:
cheap at night (00:00-06:00), dear at the evening peak (16:00-19:00), with a small deterministic
wobble per half-hour. `GET /tariffs/{id}/prices`, the tariff detail's `expand=prices`, the
seeded sub-sessions' cost and the "charged at peak" support case all read these functions, so
they always agree.

A tariff's price series runs from its `valid_from` to the end of its `valid_until` day, or to the
end of tomorrow (day-ahead prices) for a tariff still valid.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

PRICE_INTERVAL = timedelta(minutes=30)
PRICE_INTERVAL_SECONDS = 1800
PEAK_HOURS = range(16, 19)  # local time: 16:00 to 19:00
NIGHT_HOURS = range(0, 6)
PEAK_FACTOR, NIGHT_FACTOR = 1.8, 0.55


def is_dynamic(tariff) -> bool:
    return bool(tariff.price_chart_url)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def period_start(moment: datetime) -> datetime:
    """The start of the half-hour price period holding `moment` (UTC)."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 30, second=0, microsecond=0)


def is_peak(tariff, moment: datetime) -> bool:
    return is_dynamic(tariff) and moment.astimezone(_zone(tariff.timezone_name)).hour in PEAK_HOURS


def price_at(tariff, moment: datetime) -> int:
    """Price in minor units per kWh of the half-hour holding `moment`."""
    base = tariff.current_price or 0
    if not is_dynamic(tariff):
        return base
    start = period_start(moment)
    hour = start.astimezone(_zone(tariff.timezone_name)).hour
    factor = PEAK_FACTOR if hour in PEAK_HOURS else NIGHT_FACTOR if hour in NIGHT_HOURS else 1.0
    wobble = zlib.crc32(f"{tariff.id}{start.timestamp():.0f}".encode()) % 5 - 2
    return max(1, round(base * factor) + wobble)


def price_json(tariff, started_at: datetime) -> dict:
    return {"started_at": started_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "interval_seconds": PRICE_INTERVAL_SECONDS, "price_minor_units": price_at(tariff, started_at)}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass
class PriceSeries:
    """The tariff's price periods from `first` to `last` (inclusive), newest first, built lazily:
    `count()` and slicing are all number paging needs."""

    tariff: object
    first: datetime
    last: datetime

    def count(self) -> int:
        if self.last < self.first:
            return 0
        return int((self.last - self.first) / PRICE_INTERVAL) + 1

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop, _ = window.indices(self.count())
        return [price_json(self.tariff, self.last - index * PRICE_INTERVAL) for index in range(start, stop)]


def price_series(tariff, *, now: datetime, started_at__gte: datetime | None = None,
                 started_at__lte: datetime | None = None) -> PriceSeries:
    first = _midnight(tariff.valid_from)
    end_day = tariff.valid_until or (now.astimezone(UTC).date() + timedelta(days=1))
    last = _midnight(end_day) + timedelta(days=1) - PRICE_INTERVAL
    if started_at__gte is not None:
        bound = period_start(started_at__gte)
        first = max(first, bound if bound == started_at__gte else bound + PRICE_INTERVAL)
    if started_at__lte is not None:
        last = min(last, period_start(started_at__lte))
    return PriceSeries(tariff, first, last)


def prices_of_day(tariff, day: date, *, now: datetime) -> list[dict]:
    """The day's 48 prices (UTC day), newest first: what the tariff detail's expand=prices shows."""
    start = _midnight(day)
    series = price_series(tariff, now=now, started_at__gte=start,
                          started_at__lte=start + timedelta(days=1) - PRICE_INTERVAL)
    return series[0:series.count()]
