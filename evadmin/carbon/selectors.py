"""Reads of a driver's grid carbon intensity and tariff prices: one request each, in the read cache.

How a driver's location relates to a carbon feed: the spec gives the Location no feed field and the
feed list no filter by postcode, coordinates or region. It gives the Location, read alone, its current
intensity (`current_carbon_intensity_grams_per_kilowatt_hour`, held with the driver: no request) and a
charging sub-session the `carbon_feed` used for that driver's charging. So the feed comes from the
driver's newest sub-session: from the copy the charging panel holds (no request), else one request
(page_size=1, the feed expanded for its name), kept a day (a driver's feed follows their address).
The intensities are the feed's, not the driver's: one request per feed and half-hour, shared by
every driver on that feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from evadmin.charging.selectors import newest_sub_sessions_seen, tariff_prices
from evadmin.core.timezones import zone_named
from evadmin.evenergy.carbon import CarbonIntensity
from evadmin.evenergy.charging import Price
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import CARBON_INTENSITIES, CHARGING_SUB_SESSIONS, read_detail
from evadmin.evenergy.read_cache import Read, read_cache_peek, read_cache_seen, read_through
from evadmin.evenergy.resources import Tariff, User

FEED = "carbon:feed"
SHARED_SCOPE = "carbon"  # the feeds' intensities are nobody's in particular
FEED_SECONDS = 24 * 3600
BEHIND, AHEAD = timedelta(hours=1), timedelta(hours=12)  # "now and the next hours"
HALF_HOUR = timedelta(minutes=30)
# Within this many gCO2/kWh of now, the next hours are "steady" (the API's figures move by a few grams
# half-hour to half-hour; the seeded and real daily swings are tens to hundreds).
STEADY_WITHIN = 10


@dataclass(frozen=True)
class DriverFeed:
    feed_id: str | None  # None: the driver's sub-sessions name no feed (or they have none)
    name: str = ""  # "" when evadmin has not been told it


@dataclass
class CarbonOutlook:
    feed: DriverFeed
    intensities: list[CarbonIntensity] = field(default_factory=list)  # oldest first
    now: CarbonIntensity | None = None

    @property
    def trend(self) -> str:
        """"falling", "rising" or "steady": the next hours' mean against now."""
        if self.now is None or self.now.grams_per_kilowatt_hour is None:
            return ""
        ahead = [item.grams_per_kilowatt_hour for item in self.intensities
                 if item.started_at and item.started_at > self.now.started_at and item.grams_per_kilowatt_hour is not None]
        if not ahead:
            return ""
        change = sum(ahead) / len(ahead) - self.now.grams_per_kilowatt_hour
        return "steady" if abs(change) <= STEADY_WITHIN else "falling" if change < 0 else "rising"

    def chart(self, zone: tzinfo) -> dict:
        return {"labels": [timezone.localtime(item.started_at, zone).strftime("%H:%M") for item in self.intensities],
                "values": [item.grams_per_kilowatt_hour for item in self.intensities],
                "now": self.intensities.index(self.now) if self.now in self.intensities else None}


def _feed_of(sub_sessions) -> DriverFeed | None:
    for sub in sub_sessions:
        feed_id = sub.related_id("carbon_feed")
        if feed_id:
            expanded = sub.raw.get("carbon_feed")
            return DriverFeed(feed_id, expanded.get("name") or "" if isinstance(expanded, dict) else "")
    return None


def driver_feed_seen(*, user_id: str) -> DriverFeed | None:
    """The driver's feed from what evadmin holds (its own copy, else the charging panel's), never a request."""
    seen = read_cache_seen(scope=user_id, name=FEED)
    if seen is not None:
        return seen.value
    newest = newest_sub_sessions_seen(user_id=user_id)
    return _feed_of(newest.value.items) if newest is not None else None


def driver_feed(*, user_id: str, refresh: bool = False) -> Read[DriverFeed]:
    """The driver's feed: held, else one request (the newest sub-session, its feed expanded)."""
    if not refresh:
        held = driver_feed_seen(user_id=user_id)
        if held is not None:
            return Read(value=held, fetched_at=timezone.now(), live=False)

    def fetch() -> DriverFeed:
        page = evenergy_client().collection(CHARGING_SUB_SESSIONS).list(
            user_id=user_id, page_size=1, expand=("carbon_feed",))
        return _feed_of(page.items) or DriverFeed(None)

    return read_through(scope=user_id, name=FEED, fetch=fetch, refresh=refresh, seconds=FEED_SECONDS)


def _window(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0) - BEHIND
    return start, start + BEHIND + AHEAD


def _intensities_name(feed_id: str, start: datetime) -> str:
    return f"intensities:{feed_id}:{start.isoformat()}"


def _outlook(feed: DriverFeed, items: list[CarbonIntensity], now: datetime) -> CarbonOutlook:
    ordered = sorted((item for item in items if item.started_at), key=lambda item: item.started_at)
    current = next((item for item in ordered if item.started_at <= now < (item.ends_at or item.started_at)), None)
    return CarbonOutlook(feed=feed, intensities=ordered, now=current)


def feed_intensities(*, feed_id: str, refresh: bool = False) -> Read[list[CarbonIntensity]]:
    """The feed's intensities from an hour ago to 12 hours ahead: one request (one page)."""
    start, end = _window(timezone.now())
    periods = int((end - start) / HALF_HOUR) + 1
    return read_through(
        scope=SHARED_SCOPE, name=_intensities_name(feed_id, start), refresh=refresh,
        fetch=lambda: read_detail(evenergy_client(), CARBON_INTENSITIES, feed_id, started_at__gte=start,
                                  started_at__lte=end, page_size=periods).carbon_intensities)


def driver_carbon(*, user_id: str, refresh: bool = False) -> tuple[CarbonOutlook, list[Read]]:
    """The driver's outlook and the reads behind it (their cost): the feed (held, or 1 request) and the
    feed's intensities (1 request, none within the cache time)."""
    feed_read = driver_feed(user_id=user_id, refresh=refresh)
    if feed_read.value.feed_id is None:
        return CarbonOutlook(feed=feed_read.value), [feed_read]
    read = feed_intensities(feed_id=feed_read.value.feed_id, refresh=refresh)
    return _outlook(feed_read.value, read.value, timezone.now()), [feed_read, read]


def driver_carbon_seen(*, user_id: str) -> CarbonOutlook | None:
    """The outlook from what evadmin holds, never a request (the summary strip)."""
    feed = driver_feed_seen(user_id=user_id)
    if feed is None or feed.feed_id is None:
        return None
    now = timezone.now()
    held = read_cache_peek(scope=SHARED_SCOPE, name=_intensities_name(feed.feed_id, _window(now)[0]))
    return _outlook(feed, held.value, now) if held is not None else None


# --- Tariff prices ----------------------------------------------------------------------------------

@dataclass
class DayPrices:
    day: date
    prices: list[Price]


def tariff_days(tariff: Tariff, now: datetime) -> tuple[tzinfo, date, datetime, datetime]:
    """The tariff's zone, today there, and the window of today and tomorrow in that zone."""
    zone = zone_named(tariff.timezone_name)
    today = timezone.localtime(now, zone).date()
    start = datetime.combine(today, time(), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=2), time(), tzinfo=zone) - HALF_HOUR
    return zone, today, start, end


def driver_tariff_prices(*, user_id: str, tariff: Tariff, refresh: bool = False) -> tuple[list[DayPrices], Read]:
    """Today's and tomorrow's prices in the tariff's time zone: one request (tomorrow's may not be out yet)."""
    zone, today, start, end = tariff_days(tariff, timezone.now())
    read = tariff_prices(user_id=user_id, tariff_id=tariff.id, start=start, end=end, refresh=refresh)
    days = [DayPrices(today + timedelta(days=offset), []) for offset in (0, 1)]
    for price in read.value:
        local = timezone.localtime(price.started_at, zone).date()
        for day in days:
            if day.day == local:
                day.prices.append(price)
    return days, read


def location_of(user: User | None):
    location = user.default_location if user else None
    return location if location is not None and location.has_address else None


def tariff_of(user: User | None) -> Tariff | None:
    location = location_of(user)
    if location is None or not location.tariff_id:
        return None
    return location.tariff or Tariff(id=location.tariff_id, url=location.tariff_url or "", name="", currency="",
                                     supplier_url=None)

