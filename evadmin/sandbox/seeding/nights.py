"""One night's charging as Records: the session, its sub-sessions with their parts.

Shared by the bulk seeder (charging.py) and the support cases (cases.py), so both are built the
same way. Energy follows the mode: SMART fills the cheapest half-hours before the ready-by time
(prices.py, ties to the later slot: after midnight, when the grid is cleaner) and runs past it only
when they are not enough; BOOST and UNMANAGED_HOME charge from their start until the battery is full.
Energy never exceeds the room in the battery unless the night is planted with an over-delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from evadmin.sandbox import ids, prices
from evadmin.sandbox.models import Record
from evadmin.sandbox.seed_data import COUNTRIES
from evadmin.sandbox.serializers import iso_datetime

# Record kinds and id prefixes (the spec's id patterns), shared with collections/charging.py.
SESSION, SUB_SESSION = "charging_session", "charging_sub_session"
SESSION_PREFIX, SUB_SESSION_PREFIX = "cses", "csub"
VOLTS = 230
SCHEDULE_PLAN_PREFIX = "scpl"
FINISH_REASONS = {"BOOST": "BOOST_START", "SMART": "SMART_CHARGE_ENABLED", "UNMANAGED_HOME": "SMART_CHARGE_DISABLED"}
CO2_CLASSES = ((50, "very low"), (120, "low"), (220, "moderate"), (350, "high"))


@dataclass
class Driver:
    user: object
    vehicle: object
    evse: object
    tariff: object | None
    currency: str
    zone: ZoneInfo
    charge_rate_watts: int = 7400
    _prices: dict = field(default_factory=dict)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def price(self, moment: datetime) -> int:
        """The tariff's price at `moment` (0 without a tariff), remembered per tariff and half-hour in
        `_prices`, which the drivers of one seeding share (many drivers, a few dozen tariffs)."""
        if self.tariff is None:
            return 0
        key = (self.tariff.id, int(moment.timestamp()) // prices.PRICE_INTERVAL_SECONDS)
        price = self._prices.get(key)
        if price is None:
            price = self._prices[key] = prices.price_at(self.tariff, moment)
        return price


def driver_of(user, vehicle, evse, *, charge_rate_watts: int = 7400, price_cache: dict | None = None) -> Driver:
    country = COUNTRIES.get(user.country_code)
    tariff = user.tariff if user.tariff_id else None
    zone_name = tariff.timezone_name if tariff else country.cities[0].timezone if country else "Europe/London"
    currency = tariff.currency if tariff else country.currency if country else "GBP"
    return Driver(user, vehicle, evse, tariff, currency, _zone(zone_name), charge_rate_watts,
                  {} if price_cache is None else price_cache)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass
class Night:
    """What happened: plug-in and unplug (None: still plugged in at `now`), and the mode changes."""

    plug_in: datetime
    unplug: datetime | None
    ready_by: datetime
    start_soc: int  # percent
    modes: list[tuple[str, datetime, str]] = field(default_factory=list)  # (mode, from, start_reason)
    over_delivery: bool = False
    replan: bool = False


@dataclass
class SubSessionTruth:
    record: Record
    periods: list[tuple[datetime, datetime]]
    watt_hours: list[int]


def _periods(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at each half-hour price boundary."""
    periods, cursor, boundary = [], start, prices.period_start(start) + prices.PRICE_INTERVAL
    while cursor < end:
        stop = min(end, boundary)
        periods.append((cursor, stop))
        cursor, boundary = stop, boundary + prices.PRICE_INTERVAL
    return periods


def _allocate(periods, period_prices, *, mode: str, need_wh: float, rate: int, ready_by: datetime) -> list[int]:
    """Watt-hours per period: SMART the cheapest before ready-by first, others straight away."""
    order = list(range(len(periods)))
    if mode == "SMART":
        before = [index for index in order if periods[index][0] < ready_by]
        after = [index for index in order if periods[index][0] >= ready_by]
        order = sorted(before, key=lambda index: (period_prices[index], -index)) + after
    energy = [0] * len(periods)
    for index in order:
        if need_wh < 1:
            break
        start, stop = periods[index]
        delivered = min(need_wh, rate * (stop - start).total_seconds() / 3600)
        energy[index] = int(delivered)
        need_wh -= delivered
    return energy


def _energy(driver: Driver, periods, period_prices, *, mode: str, need_wh: float,
            ready_by: datetime) -> tuple[list[int], list[int] | None]:
    """Watt-hours per period, and what was planned up to the ready-by time when that goes further.

    A SMART sub-session cut short (by a boost, an unplug, or `now`) plans for the whole night up to
    the ready-by time and delivers what fell inside it, so it waits for the cheap hours like the
    full night would; its plan (and so its schedules) still covers the rest of the night."""
    rate = driver.charge_rate_watts
    if mode != "SMART" or not periods or periods[-1][1] >= ready_by:
        return _allocate(periods, period_prices, mode=mode, need_wh=need_wh, rate=rate, ready_by=ready_by), None
    horizon = _periods(periods[0][0], ready_by)  # the sub-session's periods are its first ones
    planned = _allocate(horizon, [driver.price(start) for start, _ in horizon], mode=mode, need_wh=need_wh,
                        rate=rate, ready_by=ready_by)
    delivered = [min(wh, int(rate * (stop - start).total_seconds() / 3600))
                 for (start, stop), wh in zip(periods, planned, strict=False)]
    return delivered, planned


def _co2_class(intensity: int) -> str:
    return next((name for limit, name in CO2_CLASSES if intensity < limit), "very high")


def _location(user, driver: Driver) -> dict:
    location = {"name": "Home", "postal_code": (user.postal_code or None) and user.postal_code[:10],
                "address_1": user.address_1 or None, "timezone": driver.zone.key}
    if user.latitude is not None:
        location["coordinates"] = {"latitude": user.latitude, "longitude": user.longitude}
    return location


def _plans(driver: Driver, night: Night, start: datetime, need_wh: float, rng, *, replan: bool) -> list[dict]:
    """The schedule plan made at the start, and a second one an hour or two later on a re-planned night."""
    times = [start + timedelta(minutes=2)] + ([start + timedelta(minutes=rng.randint(60, 120))] if replan else [])
    battery = driver.vehicle.effective_battery_size_watt_hours
    plans = []
    for created in times:
        plans.append({
            "id": ids.seeded_id(SCHEDULE_PLAN_PREFIX, created, rng), "created_at": iso_datetime(created),
            "ready_by_time": iso_datetime(night.ready_by),
            "price_threshold_minor_unit": None, "power_on_current_milliamps": int(driver.charge_rate_watts / VOLTS * 1000),
            "power_off_current_milliamps": 0, "seconds_to_charge": int(need_wh / driver.charge_rate_watts * 3600),
            "vehicle_charge_level_watt_hours": int(battery * night.start_soc / 100),
            "estimated_charge_rate_watts": driver.charge_rate_watts,
            "estimated_charge_rate_source": "CURRENT_SESSION_EVSE_DATA_LOGS", "watt_hours_to_charge": int(need_wh),
            "min_charge_limit_percent": 0, "max_charge_limit_percent": driver.vehicle.maximum_charge_limit_percentage,
        })
    return plans


def build_night(driver: Driver, night: Night, now: datetime, rng) -> tuple[list[Record], list[SubSessionTruth]]:
    """The night's session and sub-sessions (unsaved), and each sub-session's energy."""
    user, vehicle = driver.user, driver.vehicle
    session = Record(id=ids.seeded_id(SESSION_PREFIX, night.plug_in, rng), kind=SESSION, user_id=user.id,
                     parent_id=driver.evse.id, at=night.plug_in, ends_at=night.unplug,
                     data={"start": iso_datetime(night.plug_in), "end": iso_datetime(night.unplug),
                           "_vehicle_id": vehicle.id, "_evse_id": driver.evse.id})
    battery = vehicle.effective_battery_size_watt_hours
    room_wh = battery * max(0, vehicle.maximum_charge_limit_percentage - night.start_soc) / 100
    need_wh = room_wh * (1.25 if night.over_delivery else 1.0)
    intensity = round((user.carbon_intensity or 200) * rng.uniform(0.6, 0.9))  # night-time grid: cleaner
    records, truths = [session], []
    for position, (mode, start, reason) in enumerate(night.modes):
        last = position + 1 == len(night.modes)
        end = night.unplug if last else night.modes[position + 1][1]
        until = end or now
        periods = _periods(start, until)
        period_prices = [driver.price(period_start) for period_start, _ in periods]
        energy, planned = _energy(driver, periods, period_prices, mode=mode, need_wh=need_wh,
                                  ready_by=night.ready_by)
        need_wh -= sum(energy)
        delivered = sum(energy)
        cost = (round(sum(wh * price for wh, price in zip(energy, period_prices, strict=True)) / 1000)
                if driver.tariff else None)
        plans = (_plans(driver, night, start, need_wh + delivered, rng,
                        replan=night.replan and mode == "SMART") if mode in ("SMART", "BOOST") else [])
        sub_id = ids.seeded_id(SUB_SESSION_PREFIX, start, rng)
        capacity = int(room_wh) if position == 0 else max(0, int(room_wh) - _delivered_before(truths))
        over = delivered > capacity
        finish = None if end is None else "EVSE_DISCONNECT" if last else FINISH_REASONS[night.modes[position + 1][0]]
        rating_overall = "RED" if over else "AMBER" if _late(periods, energy, night.ready_by, mode) else "GREEN"
        data = {
            "start": iso_datetime(start), "end": iso_datetime(end), "mode": mode,
            "energy_delivered_watt_hours": delivered, "cost": cost, "location": _location(user, driver),
            "percentage_added": round(delivered / battery * 100, 1), "currency": driver.currency,
            "total_co2_grams": round(delivered * intensity / 1000),
            "co2_intensity_grams_per_kilowatt_hour": intensity, "co2_intensity_classification": _co2_class(intensity),
            "cost_per_kilowatt_hour": round(cost * 1000 / delivered) if cost is not None and delivered else None,
            "total_points": delivered // 1000,
            "duration_minutes": int((until - start).total_seconds() // 60),
            "grid_energy_delivered_watt_hours": delivered,
            "_vehicle_id": vehicle.id, "_evse_id": driver.evse.id, "_tariff_id": driver.tariff.id if driver.tariff
            else None, "_capacity_watt_hours": capacity,
            "_energy_usage": {"last_updated_at": iso_datetime(min(until + timedelta(minutes=10), now)),
                              "watt_hours": energy},
            "_flags": ([{"name": "ENERGY_OVER_DELIVERY", "root_cause": "CHARGE_MEASUREMENT_OSCILLATION"}]
                       if over else []),
            "_debug_metadata": {"start_reason": reason, "finish_reason": finish},
            "_schedule_plans": plans,
            "_charge_rate_watts": driver.charge_rate_watts,
        }
        if planned is not None:
            data["_planned_watt_hours"] = planned
        if end is not None:
            data["_assessment"] = _assessment(delivered, capacity, energy, periods, driver, rating_overall,
                                              over, end)
        sub = Record(id=sub_id, kind=SUB_SESSION, user_id=user.id, parent_id=session.id, at=start, ends_at=end,
                     data=data)
        records.append(sub)
        truths.append(SubSessionTruth(sub, periods, energy))
    return records, truths


def _delivered_before(truths: list[SubSessionTruth]) -> int:
    return sum(sum(truth.watt_hours) for truth in truths)


def _late(periods, energy, ready_by: datetime, mode: str) -> bool:
    return mode == "SMART" and any(delivered and start >= ready_by for (start, _), delivered in zip(periods, energy,
                                                                                                    strict=True))


def _assessment(delivered: int, capacity: int, energy, periods, driver: Driver, overall: str, over: bool,
                end: datetime) -> dict:
    charging = [(wh, (stop - start).total_seconds()) for wh, (start, stop) in zip(energy, periods, strict=True) if wh]
    seconds = sum(length for _, length in charging)
    average = round(delivered * 3600 / seconds) if seconds else None
    peak = max((round(wh * 3600 / length) for wh, length in charging), default=None)
    to_capacity = round(delivered * 100 / capacity) if capacity else None
    ratings = {"overall": overall, "energy_delivered_to_capacity_ratio": "RED" if over else "GREEN",
               "energy_delivery_ratio": "RED" if over else "GREEN",
               "schedule_quality": "AMBER" if overall == "AMBER" else "GREEN",
               "vehicle_data_uptime": "GREEN", "session_duration": "GREEN"}
    return {"energy_delivered_to_capacity_percentage": to_capacity,
            "energy_delivery_percentage": min(100, to_capacity) if to_capacity is not None else None,
            "average_charge_rate_watts": average, "max_charge_rate_watts": peak,
            "metrics": {"vehicle_data_uptime": 97, "evse_data_uptime": 99, "schedule_quality": 70 if overall == "AMBER"
                        else 92, "energy_delivered_vs_required": to_capacity,
                        "charge_energy_added_oscillation_count": 6 if over else 0,
                        "session_duration": int(seconds)},
            "ratings": ratings, "updated_at": iso_datetime(end + timedelta(minutes=15))}


def night_window(driver: Driver, day, rng, *, evening=(17.5, 22.5), morning=(7.0, 8.5)) -> tuple[datetime, ...]:
    """Plug-in in the evening of `day` (local), unplug and ready-by the next morning."""
    def at(on, hours: float) -> datetime:
        local = datetime(on.year, on.month, on.day, tzinfo=driver.zone) + timedelta(minutes=round(hours * 60))
        return local
    plug_in = at(day, rng.uniform(*evening))
    next_day = day + timedelta(days=1)
    unplug = at(next_day, rng.uniform(*morning))
    ready_by = at(next_day, 7.0)
    return plug_in, unplug, ready_by
