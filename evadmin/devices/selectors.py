"""Reads for a driver's device panels, each one API request through the shared read cache.

The vehicles and chargers themselves come with their latest status log expanded
(drivers.selectors.user_devices: one request each); a charger's connectivity and a vehicle's
error log are read only when an agent opens them. Every read is scoped by the driver's id, so a
fix applied to the driver (read_cache_forget) makes the next opening read live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import EVSE_CONNECTIVITY, VEHICLE_ERROR_LOGS, read_detail
from evadmin.evenergy.devices import EvseConnectivity, VehicleErrorLog
from evadmin.evenergy.pagination import MAX_PAGE_SIZE
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through

# The error log an agent opens: two weeks covers the nights a driver calls about and the start of
# most broken integrations; one page of 100 (the API's largest) keeps it to one request.
VEHICLE_ERRORS_DAYS = 14


@dataclass(frozen=True)
class VehicleErrors:
    since: datetime  # the period read (UTC)
    until: datetime
    entries: list[VehicleErrorLog]  # newest first, as the API lists them
    more: bool  # the period holds more than one page: only the newest are shown

    @property
    def oldest_first(self) -> list[VehicleErrorLog]:
        return list(reversed(self.entries))


def evse_connectivity(*, user_id: str, evse_id: str, refresh: bool = False) -> Read[EvseConnectivity]:
    """The charger's signal now and over 7 days, 30-day reliability and firmware: one request."""
    return read_through(
        scope=user_id, name=f"connectivity:{evse_id}", refresh=refresh,
        fetch=lambda: read_detail(evenergy_client(), EVSE_CONNECTIVITY, evse_id),
    )


def vehicle_errors(*, user_id: str, vehicle_id: str, refresh: bool = False) -> Read[VehicleErrors]:
    """The vehicle's API errors over the last VEHICLE_ERRORS_DAYS days, newest first: one request."""

    def fetch() -> VehicleErrors:
        until = timezone.now()
        since = until - timedelta(days=VEHICLE_ERRORS_DAYS)
        page = evenergy_client().collection(VEHICLE_ERROR_LOGS).list(
            parent=vehicle_id, page_size=MAX_PAGE_SIZE, logged_at__gte=since, logged_at__lte=until)
        return VehicleErrors(since=since, until=until, entries=page.items, more=page.has_next)

    return read_through(scope=user_id, name=f"vehicle_errors:{vehicle_id}", fetch=fetch, refresh=refresh)


def vehicle_errors_seen(*, user_id: str, vehicle_id: str) -> VehicleErrors | None:
    """The vehicle's errors as evadmin last read them (never a request), or None."""
    seen = read_cache_seen(scope=user_id, name=f"vehicle_errors:{vehicle_id}")
    return seen.value if seen else None
