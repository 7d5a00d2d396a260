"""Validation of PATCH /vehicles/{id} and PATCH /evses/{id} bodies, with DRF-style messages.

Only what the spec lets a client write is taken: a vehicle's maximum_charge_limit_percentage,
smart_charging_enabled, vehicle_class and (unintegrated vehicles only: the spec says it is
rejected for an integrated one) battery_size_watt_hours; an EVSE's location. Read-only and
unknown keys are ignored, as the real API (Django REST framework) does. Failures are a 400
problem whose `field_errors` name each field (`location.latitude` for nested ones).
"""

from __future__ import annotations

import re

from evadmin.sandbox.responses import validation_failed
from evadmin.sandbox.validation import Errors, coordinate

VEHICLE_CLASSES = ("PASSENGER", "COMMERCIAL")
NOT_NULL = "This field may not be null."
TRUE_VALUES, FALSE_VALUES = (True, "true", "True", 1, "1"), (False, "false", "False", 0, "0")


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise validation_failed("validation-failed", {"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]})
    return body


def _integer(name: str, value, low: int, high: int, errors: Errors) -> int | None:
    if value is None:
        errors.add(name, NOT_NULL)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, "A valid integer is required.")
        return None
    if value < low:
        errors.add(name, f"Ensure this value is greater than or equal to {low}.")
    elif value > high:
        errors.add(name, f"Ensure this value is less than or equal to {high}.")
    else:
        return value
    return None


def _boolean(name: str, value, errors: Errors) -> bool | None:
    if value is None:
        errors.add(name, NOT_NULL)
    elif value in TRUE_VALUES and not isinstance(value, float):
        return True
    elif value in FALSE_VALUES and not isinstance(value, float):
        return False
    else:
        errors.add(name, "Must be a valid boolean.")
    return None


def vehicle_changes(body, vehicle) -> dict:
    """{model field: value} for a vehicle PATCH body, or ApiError 400."""
    body, errors, changes = _object(body), Errors(), {}
    if "maximum_charge_limit_percentage" in body:
        changes["maximum_charge_limit_percentage"] = _integer(
            "maximum_charge_limit_percentage", body["maximum_charge_limit_percentage"], 50, 100, errors)
    if "smart_charging_enabled" in body:
        changes["smart_charging_enabled"] = _boolean("smart_charging_enabled", body["smart_charging_enabled"], errors)
    if "vehicle_class" in body:
        value = body["vehicle_class"]
        if value is not None and value not in VEHICLE_CLASSES:
            errors.add("vehicle_class", f'"{value}" is not a valid choice.')
        changes["vehicle_class"] = value or ""
    if "battery_size_watt_hours" in body:
        if vehicle.integrated != "UNINTEGRATED":
            errors.add("battery_size_watt_hours", "The battery size of an integrated vehicle cannot be changed.")
        else:
            size = _integer("battery_size_watt_hours", body["battery_size_watt_hours"], 1000, 300_000, errors)
            if size is not None:
                # Stored to the nearest 10 Wh; with no telemetry to estimate wear, the effective
                # size of an unintegrated vehicle is the size the driver gave.
                changes["battery_size_watt_hours"] = changes["effective_battery_size_watt_hours"] = round(size, -1)
    if errors:
        raise validation_failed("validation-failed-update-vehicle", errors)
    return changes


def _coordinate(path: str, value, low: float, high: float, errors: Errors) -> float | None:
    if value is None:  # a charger's location is both coordinates or null, never half
        errors.add(path, NOT_NULL)
        return None
    return coordinate(path, value, low, high, errors)


def evse_changes(body) -> dict:
    """{model field: value} for an EVSE PATCH body (only `location` is writable), or ApiError 400."""
    body, errors = _object(body), Errors()
    if "location" not in body:
        return {}
    location = body["location"]
    if location is None:
        return {"latitude": None, "longitude": None}
    if not isinstance(location, dict):
        raise validation_failed("validation-failed-update-evse", {"location": [
            f"Invalid data. Expected a dictionary, but got {type(location).__name__}."]})
    changes = {}
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if key not in location:
            errors.add(f"location.{key}", "This field is required.")
        else:
            changes[key] = _coordinate(f"location.{key}", location[key], low, high, errors)
    if errors:
        raise validation_failed("validation-failed-update-evse", errors)
    return changes

