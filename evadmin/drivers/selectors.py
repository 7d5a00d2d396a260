"""Reads for the driver pages, each costing once: through the shared read cache (evenergy.read_cache)
for EVADMIN_API_READ_CACHE_SECONDS, and from evadmin's own copies when live data cannot be had.
Each list page is one API request; related data comes by expand."""

from __future__ import annotations

from datetime import UTC, tzinfo

from evadmin.core.timezones import zone_named
from evadmin.driver_directory.selectors import directory_account_as_user
from evadmin.driver_directory.services import directory_upsert_user
from evadmin.evenergy.client import UsersApi, evenergy_client
from evadmin.evenergy.collections import EVSES, VEHICLES
from evadmin.evenergy.pagination import MAX_PAGE_SIZE, CursorPage
from evadmin.evenergy.read_cache import (
    UNAVAILABLE,
    Read,
    read_cache_forget,
    read_cache_peek,
    read_cache_seen,
    read_cache_store,
    read_through,
)
from evadmin.evenergy.resources import Evse, User, Vehicle

PAGE_SIZES = (25, 50, 100)
# The scope of the API's user list in the read cache (a driver's own reads are scoped by their id).
USER_LIST = "users-list"
# A driver's reads in the read cache, scoped by their id.
USER, VEHICLES_READ, CHARGERS_READ = "user", "vehicles", "chargers"


def user_list_page(
    *, page_size: int = 25, page_after: str | None = None, page_before: str | None = None, email: str | None = None,
    refresh: bool = False,
) -> Read[CursorPage[User]]:
    page_size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[0]
    return read_through(
        scope=USER_LIST, name=f"{page_size}:{page_after or ''}:{page_before or ''}:{(email or '').lower()}",
        refresh=refresh,
        fetch=lambda: evenergy_client().users.list(
            page_size=page_size, page_after=page_after, page_before=page_before, email=email or None,
            expand=UsersApi.FULL_EXPAND,
        ),
    )


def user_get(*, user_id: str, refresh: bool = False) -> Read[User]:
    """The driver, live or within the cache time; every live read also refreshes the directory's copy."""

    def fetch() -> User:
        user = evenergy_client().users.get(user_id, expand=UsersApi.FULL_EXPAND)
        directory_upsert_user(user)
        return user

    return read_through(scope=user_id, name=USER, fetch=fetch, refresh=refresh)


def user_get_or_local(*, user_id: str, refresh: bool = False) -> Read[User]:
    """user_get, or when live data cannot be had and no copy is cached, the directory's copy."""
    try:
        return user_get(user_id=user_id, refresh=refresh)
    except UNAVAILABLE as exc:
        local = directory_account_as_user(user_id=user_id)
        if local is None:
            raise
        user, synced_at = local
        return Read(value=user, fetched_at=synced_at, live=False, unavailable=exc)


def user_vehicles(*, user_id: str, refresh: bool = False) -> Read[list[Vehicle]]:
    """The driver's vehicles (latest status and names expanded): one request, as that driver."""
    return read_through(scope=user_id, name=VEHICLES_READ, refresh=refresh, fetch=lambda: evenergy_client().collection(
        VEHICLES).list(user=user_id, page_size=MAX_PAGE_SIZE).items)


def user_chargers(*, user_id: str, refresh: bool = False) -> Read[list[Evse]]:
    """The driver's chargers (latest status and names expanded): one request, as that driver."""
    return read_through(scope=user_id, name=CHARGERS_READ, refresh=refresh, fetch=lambda: evenergy_client().collection(
        EVSES).list(user=user_id, page_size=MAX_PAGE_SIZE).items)


def user_devices(*, user_id: str, refresh: bool = False) -> Read[tuple[list[Vehicle], list[Evse]]]:
    """The driver's vehicles and chargers: the two reads above, each one request when not held. As old
    as the older of the two; live only when both were."""
    vehicles = user_vehicles(user_id=user_id, refresh=refresh)
    chargers = user_chargers(user_id=user_id, refresh=refresh)
    return Read(value=(vehicles.value, chargers.value), fetched_at=min(vehicles.fetched_at, chargers.fetched_at),
                live=vehicles.live and chargers.live, unavailable=vehicles.unavailable or chargers.unavailable)


def user_devices_seen(*, user_id: str) -> tuple[list[Vehicle], list[Evse]] | None:
    """The driver's vehicles and chargers as evadmin last read them (never a request), or None until
    it has read both."""
    vehicles = read_cache_seen(scope=user_id, name=VEHICLES_READ)
    chargers = read_cache_seen(scope=user_id, name=CHARGERS_READ)
    return (vehicles.value, chargers.value) if vehicles and chargers else None


def user_vehicle_written(*, user_id: str, vehicle: Vehicle) -> None:
    """A write's answer (with the default expand: names and latest status) is the vehicle now: the driver's
    other copies are forgotten, and fresh lists of vehicles and chargers kept, the vehicle replaced, so the
    next page shows it without another request; with none held, the next page reads them."""
    vehicles = read_cache_peek(scope=user_id, name=VEHICLES_READ)
    chargers = read_cache_peek(scope=user_id, name=CHARGERS_READ)
    read_cache_forget(scope=user_id)
    if vehicles is not None:
        read_cache_store(scope=user_id, name=VEHICLES_READ,
                         value=[vehicle if item.id == vehicle.id else item for item in vehicles.value])
    if chargers is not None:
        read_cache_store(scope=user_id, name=CHARGERS_READ, value=chargers.value)


def user_vehicles_seen(*, user_id: str) -> list[Vehicle] | None:
    seen = read_cache_seen(scope=user_id, name=VEHICLES_READ)
    return seen.value if seen else None


def user_device(*, user_id: str, device_id: str, for_write: bool = False) -> Vehicle | Evse | None:
    """The driver's vehicle or charger with this id, or None when it is not theirs. Device logs,
    connectivity and device writes are not scoped to a driver: check before reading or writing them.

    For a read, the list as evadmin last read it will do (a panel costs only its own request); a
    device not on it is looked for in the list read through the cache. For a write, only the list read
    through the cache: a device can move from one driver to another, and a write acts on it."""
    seen = None if for_write else user_devices_seen(user_id=user_id)
    for listed in ((seen,) if seen else ()) + (None,):
        vehicles, evses = listed if listed is not None else user_devices(user_id=user_id).value
        device = next((device for device in (*vehicles, *evses) if device.id == device_id), None)
        if device is not None:
            return device
    return None


def driver_zone(*, user_id: str) -> tzinfo:
    """The driver's time zone, from their tariff; UTC when they have no tariff or it names no zone.

    The driver as evadmin last read them will do (a zone rarely changes); the driver is read only
    when evadmin has never seen them."""
    zone = driver_zone_seen(user_id=user_id)
    if zone is not None:
        return zone
    try:
        return _tariff_zone(user_get_or_local(user_id=user_id).value)
    except UNAVAILABLE:
        return UTC


def user_seen(*, user_id: str) -> User | None:
    """The driver as evadmin last read them (the API's copy, else the directory's), never a request: what
    a form names the driver by while it holds values not saved yet (an email typed wrong, say)."""
    seen = read_cache_seen(scope=user_id, name=USER)
    if seen is not None:
        return seen.value
    local = directory_account_as_user(user_id=user_id)
    return local[0] if local else None


def driver_zone_seen(*, user_id: str) -> tzinfo | None:
    """driver_zone from the driver as evadmin last read them, never a request; None when it has not:
    for a panel that must cost only its own request."""
    seen = read_cache_seen(scope=user_id, name=USER)
    return _tariff_zone(seen.value) if seen else None


def _tariff_zone(user: User) -> tzinfo:
    location = user.default_location
    tariff = location.tariff if location else None
    return zone_named(tariff.timezone_name if tariff else None)


def user_history(*, user_id: str):
    from evadmin.audit.models import AuditEvent

    return AuditEvent.objects.filter(target_user_id=user_id).order_by("-occurred_at", "-id")


