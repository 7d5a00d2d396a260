"""Reads of a driver's energy devices: one request each, kept in the read cache.

Each kind is one request: solar arrays with their inverter (`expand=inverter`), inverters and home
batteries with their make, model and latest status log, HEM systems. A HEM system's live power and its
energy statistics (the last 24 hours, half-hourly) are one request each. The summary strip reads the
held copies (`*_seen`), never the API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import (
    HEM_ENERGY_STATS,
    HEM_LIVE_POWER,
    HEM_SYSTEMS,
    HOME_BATTERIES,
    INVERTERS,
    SOLAR_ARRAYS,
    read_detail,
)
from evadmin.evenergy.energy import HemEnergyStats, HemLivePower, HemSystem, HomeBattery, Inverter, SolarArray
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through

SOLAR, INVERTER, BATTERY, HEM = "energy:solar_arrays", "energy:inverters", "energy:home_batteries", "energy:hem"
DEVICES_PAGE = 25  # a home has one or two of each: one page holds them all
STATS_RESOLUTION = "PT30M"
STATS_HOURS = 24  # the chart: the last day, half-hourly (48 buckets)


def _listed(collection, user_id: str) -> list:
    return evenergy_client().collection(collection).list(user=user_id, page_size=DEVICES_PAGE).items


def driver_solar_arrays(*, user_id: str, refresh: bool = False) -> Read[list[SolarArray]]:
    """The driver's solar arrays, each with its inverter: one request."""
    return read_through(scope=user_id, name=SOLAR, refresh=refresh, fetch=lambda: _listed(SOLAR_ARRAYS, user_id))


def driver_inverters(*, user_id: str, refresh: bool = False) -> Read[list[Inverter]]:
    """The driver's inverters with their make, model and latest state: one request."""
    return read_through(scope=user_id, name=INVERTER, refresh=refresh, fetch=lambda: _listed(INVERTERS, user_id))


def driver_home_batteries(*, user_id: str, refresh: bool = False) -> Read[list[HomeBattery]]:
    """The driver's home batteries with their make, model and latest status log: one request."""
    return read_through(scope=user_id, name=BATTERY, refresh=refresh, fetch=lambda: _listed(HOME_BATTERIES, user_id))


def driver_hem_systems(*, user_id: str, refresh: bool = False) -> Read[list[HemSystem]]:
    """The driver's HEM systems: one request."""
    return read_through(scope=user_id, name=HEM, refresh=refresh, fetch=lambda: _listed(HEM_SYSTEMS, user_id))


def hem_live_power(*, user_id: str, hem_id: str, refresh: bool = False) -> Read[HemLivePower]:
    """A HEM system's live power flows: one request."""
    return read_through(scope=user_id, name=f"energy:live:{hem_id}", refresh=refresh,
                        fetch=lambda: read_detail(evenergy_client(), HEM_LIVE_POWER, hem_id))


def stats_range(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last STATS_HOURS up to the last half-hour boundary."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    end = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
    return end - timedelta(hours=STATS_HOURS), end


def hem_energy_stats(*, user_id: str, hem_id: str, refresh: bool = False) -> Read[HemEnergyStats]:
    """A HEM system's energy statistics over the last day, half-hourly: one request."""
    start, end = stats_range()
    return read_through(scope=user_id, name=f"energy:stats:{hem_id}", refresh=refresh,
                        fetch=lambda: read_detail(evenergy_client(), HEM_ENERGY_STATS, hem_id, start=start, end=end,
                                                  resolution=STATS_RESOLUTION))


def solar_arrays_seen(*, user_id: str) -> Read[list[SolarArray]] | None:
    return read_cache_seen(scope=user_id, name=SOLAR)


def inverters_seen(*, user_id: str) -> Read[list[Inverter]] | None:
    return read_cache_seen(scope=user_id, name=INVERTER)


def home_batteries_seen(*, user_id: str) -> Read[list[HomeBattery]] | None:
    return read_cache_seen(scope=user_id, name=BATTERY)


def hem_systems_seen(*, user_id: str) -> Read[list[HemSystem]] | None:
    return read_cache_seen(scope=user_id, name=HEM)
