"""Carbon feeds and their intensities, grid feeds and their levels.

The feeds are reference Records (no driver): one carbon feed per country the sandbox knows a grid
intensity for (countries.CARBON_INTENSITY), one grid feed per region with a demand signal. Their ids
are fixed (not drawn), so a sub-session can name its driver's feed without a query, and they sort
by name as the spec sorts the lists.

Intensities and levels are computed from the feed and the time, as prices.py computes prices: a
month back and two days ahead (the forecast), half-hourly intensities shaped like a grid's day
(cleaner at night and at midday solar, dirtier at the evening peak), three-hourly levels (above 50
at the evening peak, below at night). No rows: every seeding and every hour has "now and the next
hours" without reseeding.

How a location relates to a feed: the spec gives the Location no feed field and the feed lists no
filter (postcode, coordinates or region); the only link is a charging sub-session's `carbon_feed`
(and `grid_feeds`), the feeds used for that driver's charging. The sandbox serves on each
sub-session the feed of its driver's country (collections/charging.py).
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evadmin.sandbox import ids, prices
from evadmin.sandbox.countries import CARBON_INTENSITY
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX
from evadmin.sandbox.seeding.charging import drivers_devices

CARBON_FEED, CARBON_FEED_PREFIX = "carbon_feed", "cabf"
GRID_FEED, GRID_FEED_PREFIX = "grid_feed", "grfd"
INTENSITY_CURSOR_PREFIX = "cain"  # the cursor of an intensity (which has no id): its start as a ULID
INTENSITY_INTERVAL = timedelta(minutes=30)
LEVEL_INTERVAL = timedelta(hours=3)
HISTORY, FORECAST = timedelta(days=30), timedelta(days=2)
RTL = "\u202e"
HOSTILE_FEED_NAME = f"<script>alert('feed')</script><b>Netherlands</b> {RTL}dirg " + "very long " * 30

# (country, name, IANA zone of its day's shape). The Dutch feed's name is hostile, as elsewhere.
CARBON_FEEDS = (
    ("GB", "UK National Grid", "Europe/London"), ("US", "CAISO", "America/Los_Angeles"),
    ("DE", "Germany ENTSO-E", "Europe/Berlin"), ("FR", "France RTE", "Europe/Paris"),
    ("ES", "Spain REE", "Europe/Madrid"), ("NL", HOSTILE_FEED_NAME, "Europe/Amsterdam"),
    ("IE", "Ireland EirGrid", "Europe/Dublin"), ("CA", "Ontario IESO", "America/Toronto"),
)
# (country, name, reference code, priority)
GRID_FEEDS = (
    ("US", "CAISO Peak Demand", "CAISO_PEAK", 8), ("GB", "UK Demand Flexibility", "UK_DFS", 5),
    ("DE", "Germany Grid Congestion", "DE_CONGESTION", 3),
)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _fixed_id(prefix: str, position: int, key: str) -> str:
    """An id that sorts as `position` does (the lists' order is by name) and never changes."""
    return prefix + ids.ulid_at(ids.to_milliseconds(_EPOCH) + position, zlib.crc32(key.encode()))


_CARBON_BY_NAME = sorted(CARBON_FEEDS, key=lambda feed: feed[1].lower())
CARBON_FEED_IDS = {country: _fixed_id(CARBON_FEED_PREFIX, position, country)
                   for position, (country, _, _) in enumerate(_CARBON_BY_NAME)}
_GRID_BY_NAME = sorted(GRID_FEEDS, key=lambda feed: feed[1].lower())
GRID_FEED_IDS = {country: _fixed_id(GRID_FEED_PREFIX, position, code)
                 for position, (country, _, code, _) in enumerate(_GRID_BY_NAME)}
ZONES = {country: zone for country, _, zone in CARBON_FEEDS}


def carbon_feed_id(country_code: str) -> str | None:
    return CARBON_FEED_IDS.get(country_code or "")


def grid_feed_ids(country_code: str) -> list[str]:
    found = GRID_FEED_IDS.get(country_code or "")
    return [found] if found else []


def floor_to(moment: datetime, interval: timedelta) -> datetime:
    seconds = int(interval.total_seconds())
    stamp = int(moment.astimezone(UTC).timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=UTC)


def intensity_at(country: str, start: datetime) -> int:
    """gCO2/kWh of the half-hour starting at `start`: the country's typical value shaped by its day."""
    base = CARBON_INTENSITY.get(country, 300)
    hour = start.astimezone(ZoneInfo(ZONES.get(country, "UTC"))).hour
    factor = 0.7 if hour < 6 else 0.85 if 11 <= hour < 15 else 1.3 if 16 <= hour < 20 else 1.0
    wobble = zlib.crc32(f"{country}{start.timestamp():.0f}".encode()) % 21 - 10
    return max(5, round(base * factor) + wobble)


def level_at(code: str, start: datetime, zone: str) -> int:
    hour = start.astimezone(ZoneInfo(zone)).hour
    base = 85 if 15 <= hour < 21 else 25 if hour < 6 else 50
    wobble = zlib.crc32(f"{code}{start.timestamp():.0f}".encode()) % 11 - 5
    return max(1, min(100, base + wobble))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def intensity_json(country: str, start: datetime, now: datetime) -> dict:
    # A forecast is made the day before; a past interval's figure was settled when it ended.
    created = min(start + INTENSITY_INTERVAL, floor_to(now, INTENSITY_INTERVAL)) if start < now else \
        floor_to(now, timedelta(days=1))
    return {"started_at": _iso(start), "interval_seconds": int(INTENSITY_INTERVAL.total_seconds()),
            "co2_intensity_grams_per_kilowatt_hour": intensity_at(country, start), "created_at": _iso(created)}


def intensity_cursor(start: datetime) -> str:
    return INTENSITY_CURSOR_PREFIX + ids.ulid_at(ids.to_milliseconds(start), 0)


def intensity_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The first and last half-hours a feed has: a month back, two days of forecast ahead."""
    return floor_to(now - HISTORY, INTENSITY_INTERVAL), floor_to(now + FORECAST, INTENSITY_INTERVAL)


class LevelSeries:
    """A grid feed's levels, newest first, built lazily: `count()` and slicing are all number paging needs."""

    def __init__(self, country: str, code: str, first: datetime, last: datetime) -> None:
        self.country, self.code, self.first, self.last = country, code, first, last
        self.zone = ZONES.get(country, "UTC")

    def count(self) -> int:
        return 0 if self.last < self.first else int((self.last - self.first) / LEVEL_INTERVAL) + 1

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop, _ = window.indices(self.count())
        found = []
        for index in range(start, stop):
            moment = self.last - index * LEVEL_INTERVAL
            found.append({"value": level_at(self.code, moment, self.zone), "started_at": _iso(moment),
                          "interval_seconds": int(LEVEL_INTERVAL.total_seconds()),
                          "created_at": _iso(floor_to(moment - timedelta(days=1), timedelta(days=1)))})
        return found


def level_series(country: str, code: str, *, now: datetime, started_at__gte: datetime | None = None,
                 started_at__lte: datetime | None = None) -> LevelSeries:
    first, last = floor_to(now - HISTORY, LEVEL_INTERVAL), floor_to(now + FORECAST, LEVEL_INTERVAL)
    if started_at__gte is not None:
        bound = floor_to(started_at__gte, LEVEL_INTERVAL)
        first = max(first, bound if bound == started_at__gte else bound + LEVEL_INTERVAL)
    if started_at__lte is not None:
        last = min(last, floor_to(started_at__lte, LEVEL_INTERVAL))
    return LevelSeries(country, code, first, last)


CASE = "carbon_and_tariff"


def seed_records(*, seed: int, users, vehicles, evses, plan):
    moment = _EPOCH
    for country, name, _zone in CARBON_FEEDS:
        yield Record(id=CARBON_FEED_IDS[country], kind=CARBON_FEED, at=moment,
                     data={"name": name, "_country": country})
    for country, name, code, priority in GRID_FEEDS:
        yield Record(id=GRID_FEED_IDS[country], kind=GRID_FEED, at=moment,
                     data={"name": name, "reference_code": code, "priority": priority, "_country": country})
    yield from _case(seed, users, vehicles, evses, plan)


def _case(seed, users, vehicles, evses, plan):
    """The carbon and tariff case: a British driver on a dynamic tariff who charges (their sub-sessions
    name their feed), a driver charging in the Netherlands (the hostile feed name), a driver with no
    location and one with a location but no tariff. It claims no driver: it points at drivers other
    seeders made."""
    devices = drivers_devices(users, vehicles, evses)
    charging = [user for user in users if user.id in devices and user.id not in plan.case_users]
    driver = next((user for user in charging if user.country_code == "GB" and user.tariff_id is not None
                   and prices.is_dynamic(user.tariff)), None)
    if driver is None:
        return
    hostile = next((user for user in charging if user.country_code == "NL"), None)
    nowhere = next((user for user in users if not user.country_code and user.tariff_id is None), None)
    no_tariff = next((user for user in users if user.country_code and user.tariff_id is None), None)
    rng = module_rng(seed, "carbon")
    yield Record(
        id=ids.seeded_id(SEED_CASE_PREFIX, plan.now, rng), kind=SEED_CASE, user_id=driver.id, at=plan.now,
        data={"name": CASE, "description": "A driver's grid carbon intensity now and ahead (their feed named by "
                                           "their charging) and their dynamic tariff's prices today and tomorrow.",
              "user_id": driver.id, "country_code": driver.country_code,
              "carbon_feed_id": carbon_feed_id(driver.country_code), "tariff_id": driver.tariff_id,
              "timezone_name": driver.tariff.timezone_name, "currency": driver.tariff.currency,
              "hostile_user_id": hostile.id if hostile else None, "hostile_feed_name": HOSTILE_FEED_NAME,
              "user_without_location": nowhere.id if nowhere else None,
              "user_without_tariff": no_tariff.id if no_tariff else None})
