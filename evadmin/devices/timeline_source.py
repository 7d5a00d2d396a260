"""The devices' source of the driver's timeline: each vehicle's API errors over the last days (the
vehicle panel's error log), linking to that log. Held: the logs evadmin last read; loading is one
request a vehicle, on the device list evadmin holds (the devices panel's read)."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import PROBLEM, TimelineEntry, TimelineSource
from evadmin.devices.panels import device_name
from evadmin.devices.selectors import VehicleErrors, vehicle_errors, vehicle_errors_seen
from evadmin.drivers.selectors import user_vehicles, user_vehicles_seen

KIND = "device_errors"


def _entries(user_id: str, vehicle_id: str, name: str, log: VehicleErrors) -> list[TimelineEntry]:
    url = reverse("devices:vehicle_errors", args=[user_id, vehicle_id])
    return [TimelineEntry(at=entry.logged_at, kind=KIND, title=f"Vehicle error: {name}",
                          detail=" · ".join(part for part in (entry.error_type, entry.error_code, entry.command,
                                                               entry.error_detail) if part),
                          url=url, tone=PROBLEM)
            for entry in log.entries if entry.logged_at]


def _name(vehicle) -> str:
    return device_name(vehicle) or "vehicle"


def peek(user_id: str) -> list[TimelineEntry] | None:
    vehicles = user_vehicles_seen(user_id=user_id)
    if vehicles is None:
        return None
    found, any_held = [], False
    for vehicle in vehicles:
        seen = vehicle_errors_seen(user_id=user_id, vehicle_id=vehicle.id)
        if seen is not None:
            any_held = True
            found += _entries(user_id, vehicle.id, _name(vehicle), seen)
    return found if any_held or not vehicles else None


def load(user_id: str, refresh: bool) -> list[TimelineEntry]:
    vehicles = user_vehicles_seen(user_id=user_id)
    if vehicles is None:
        vehicles = user_vehicles(user_id=user_id).value
    found = []
    for vehicle in vehicles:
        log = vehicle_errors(user_id=user_id, vehicle_id=vehicle.id, refresh=refresh).value
        found += _entries(user_id, vehicle.id, _name(vehicle), log)
    return found


SOURCE = TimelineSource(kind=KIND, label="Vehicle error logs", cost="1 request a vehicle", peek=peek, load=load,
                        order=40)
