"""What a fix acts on, read as cheaply as the pages read it: the driver and their devices through the
shared read cache (the driver's page has usually just read them: no request), a sub-session as the
driver (so the API itself says whether it is theirs), the vehicle makes an onboarding link offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from evadmin.core.timezones import zone_named
from evadmin.drivers.selectors import driver_zone, user_device, user_get
from evadmin.evenergy import errors
from evadmin.evenergy.charging import ChargingSession, ChargingSubSession
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import CHARGING_SESSIONS, CHARGING_SUB_SESSIONS, VEHICLE_MAKES
from evadmin.evenergy.pagination import MAX_PAGE_SIZE
from evadmin.evenergy.read_cache import read_through
from evadmin.evenergy.resources import Evse, Make, User, Vehicle
from evadmin.fixes.registry import EVSE, SUB_SESSION, USER, VEHICLE, Fix

# The read cache's scope of the vehicle makes (the same for every driver).
VEHICLE_MAKES_SCOPE = "vehicle-makes"
# Sessions read to find the open one: newest first, so the open one (if any) is among the first.
OPEN_SESSION_LOOKAHEAD = 5


class NotTheDriversTarget(LookupError):
    """The fix's target is missing, or is not one of this driver's devices or sub-sessions."""


@dataclass
class FixTarget:
    """What a fix acts on, and how a page names it (never a raw id where a name exists)."""

    kind: str
    user: User
    zone: tzinfo
    vehicle: Vehicle | None = None
    evse: Evse | None = None
    sub_session: ChargingSubSession | None = None
    facts: list[tuple[str, object]] = field(default_factory=list)  # (label, value) rows for the page

    @property
    def id(self) -> str:
        found = self.vehicle or self.evse or self.sub_session
        return found.id if found is not None else ""

    @property
    def name(self) -> str:
        if self.vehicle is not None:
            return device_name(self.vehicle, "vehicle")
        if self.evse is not None:
            return device_name(self.evse, "charger")
        if self.sub_session is not None:
            return "this charging sub-session"
        return self.user.full_name or self.user.email


def device_name(device: Vehicle | Evse, kind: str) -> str:
    """ "Kia EV6", or "the vehicle" when the API gave no make or model."""
    return " ".join(part for part in (device.make, device.model) if part) or f"the {kind}"


def driver_vehicle(*, user_id: str, vehicle_id: str) -> Vehicle:
    vehicle = user_device(user_id=user_id, device_id=vehicle_id, for_write=True)
    if not isinstance(vehicle, Vehicle):
        raise NotTheDriversTarget(vehicle_id)
    return vehicle


def driver_evse(*, user_id: str, evse_id: str) -> Evse:
    evse = user_device(user_id=user_id, device_id=evse_id, for_write=True)
    if not isinstance(evse, Evse):
        raise NotTheDriversTarget(evse_id)
    return evse


def driver_sub_session(*, user_id: str, sub_session_id: str) -> ChargingSubSession:
    """Read as the driver (EvEnergy-User): the API answers 404 for another driver's sub-session."""

    def fetch() -> ChargingSubSession:
        return evenergy_client().collection(CHARGING_SUB_SESSIONS).get(
            sub_session_id, user=user_id, expand=("flags", "vehicle.trim.model.make"))

    try:
        return read_through(scope=user_id, name=f"fixes:sub_session:{sub_session_id}", fetch=fetch).value
    except errors.NotFound as exc:
        raise NotTheDriversTarget(sub_session_id) from exc


def driver_open_session(*, user_id: str) -> ChargingSession | None:
    """The driver's charging session still open (the vehicle plugged in), with its sub-sessions; one
    request, live: a boost acts on the session as it is now."""
    page = evenergy_client().collection(CHARGING_SESSIONS).list(
        user=user_id, page_size=OPEN_SESSION_LOOKAHEAD, expand=("sub_sessions",))
    return next((session for session in page.items if session.end is None), None)


def vehicle_makes() -> list[Make]:
    """The makes an onboarding link can name, by name; one request, then cached."""

    def fetch() -> list[Make]:
        page = evenergy_client().collection(VEHICLE_MAKES).list(page_size=MAX_PAGE_SIZE)
        return sorted(page.items, key=lambda make: (make.display_name or make.name).lower())

    return read_through(scope=VEHICLE_MAKES_SCOPE, name="list", fetch=fetch).value


def fix_target(*, fix: Fix, user_id: str, target_id: str = "") -> FixTarget:
    """The driver and, for a device or sub-session fix, that target; NotTheDriversTarget when it is
    missing or not theirs. A fix acts on the driver as the API has them: evadmin's last copy will not do
    (a reset email to an address changed since), so the API's trouble is the friendly error page."""
    read = user_get(user_id=user_id)
    if read.unavailable:
        raise read.unavailable
    user = read.value
    if fix.target == USER:
        return FixTarget(USER, user, driver_zone(user_id=user_id),
                         facts=[("Driver", user.full_name or user.email), ("Email", user.email)])
    if not target_id:
        raise NotTheDriversTarget("no target given")
    if fix.target == VEHICLE:
        vehicle = driver_vehicle(user_id=user_id, vehicle_id=target_id)
        facts = [("Vehicle", device_name(vehicle, "vehicle")), ("Description", vehicle.description or "—"),
                 ("Integration", vehicle.integrated or "—"),
                 ("Smart charging", _on_off(vehicle.smart_charging_enabled)),
                 ("Charge limit", _percentage(vehicle.maximum_charge_limit_percentage))]
        return FixTarget(VEHICLE, user, driver_zone(user_id=user_id), vehicle=vehicle, facts=facts)
    if fix.target == EVSE:
        evse = driver_evse(user_id=user_id, evse_id=target_id)
        facts = [("Charger", device_name(evse, "charger")), ("Charge point id", evse.cpid or "—"),
                 ("State", evse.lifecycle_state or "—")]
        return FixTarget(EVSE, user, driver_zone(user_id=user_id), evse=evse, facts=facts)
    if fix.target == SUB_SESSION:
        sub_session = driver_sub_session(user_id=user_id, sub_session_id=target_id)
        zone_name = sub_session.location.get("timezone") if isinstance(sub_session.location, dict) else None
        zone = zone_named(zone_name) if zone_name else driver_zone(user_id=user_id)
        flags = ", ".join(flag.name for flag in sub_session.flags.flags) if sub_session.flags else ""
        facts = [("Vehicle", device_name(sub_session.vehicle, "vehicle") if sub_session.vehicle else "—"),
                 ("Mode", sub_session.mode or "—"), ("Started", sub_session.start or "—"), ("Ended", sub_session.end or "still running"),
                 ("Energy delivered", energy(sub_session.energy_delivered_watt_hours)), ("Flags", flags or "none")]
        return FixTarget(SUB_SESSION, user, zone, sub_session=sub_session, facts=facts)
    raise NotTheDriversTarget(fix.target)


def energy(watt_hours: int | None) -> str:
    """ "95.20 kWh (95200 Wh)": the API's own figure beside the readable one."""
    if watt_hours is None:
        return "—"
    return f"{watt_hours / 1000:.2f} kWh ({watt_hours} Wh)"


def _on_off(value: bool | None) -> str:
    return "unknown" if value is None else ("on" if value else "off")


def _percentage(value: int | None) -> str:
    return "—" if value is None else f"{value}%"
