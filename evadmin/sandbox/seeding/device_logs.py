"""Chargers' and vehicles' logs as `Record`s: the kinds, and one builder per kind.

Every builder takes the device, the moment and the schema's fields (the others are null), and
returns an unsaved Record: `parent_id` the device, `user_id` its driver, `at` the moment the
spec keys the log by (`sampled_at` or `logged_at`). The collections in
collections/devices.py serve these kinds; seeders (this module's `seed_records`, cases.py) build them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.serializers import iso_datetime

EVSE_STATUS_LOG, EVSE_ERROR_LOG, EVSE_OCPP_LOG, EVSE_COMMAND_LOG = (
    "evse_status_log", "evse_error_log", "evse_ocpp_log", "evse_command_log")
VEHICLE_STATUS_LOG, VEHICLE_ERROR_LOG, VEHICLE_LOCATION_LOG, VEHICLE_COMMAND_LOG = (
    "vehicle_status_log", "vehicle_error_log", "vehicle_location_log", "vehicle_command_log")
EVSE_CONNECTIVITY = "evse_connectivity"
# Id prefixes: logs have no id in the spec; these only key rows and page cursors.
LOG_PREFIXES = {
    EVSE_STATUS_LOG: "esta", EVSE_ERROR_LOG: "eerr", EVSE_OCPP_LOG: "eocp", EVSE_COMMAND_LOG: "ecmd",
    VEHICLE_STATUS_LOG: "vsta", VEHICLE_ERROR_LOG: "verr", VEHICLE_LOCATION_LOG: "vloc", VEHICLE_COMMAND_LOG: "vcmd",
    EVSE_CONNECTIVITY: "econ",
}

EVSE_STATUS_FIELDS = (
    "is_plugged_in", "is_charging", "charge_rate_watts", "export_power_watts", "control_pilot_status",
    "meter_reading_watt_hours", "is_enabled", "max_current_rating_milliamps", "cable_current_rating_milliamps",
    "signal_strength_rssi_dbm", "inlet_power_watts", "voltage_millivolts", "state_of_charge_percentage", "mode",
)
EVSE_ERROR_FIELDS = ("status_code", "error_code", "error_type", "error_detail", "external_request_id",
                     "internal_command_id")
EVSE_COMMAND_FIELDS = ("max_load_target_milliamps", "is_enabled_target", "always_enabled", "reason",
                       "internal_command_id")
VEHICLE_STATUS_FIELDS = (
    "state_of_charge_percentage", "is_charging", "is_plugged_in", "charge_rate_watts", "estimated_charge_rate_watts",
    "charge_level_watt_hours", "target_charge_level_percentage", "target_charge_level_watt_hours",
    "charge_energy_added_watt_hours", "minutes_to_full_charge", "current_type", "is_complete", "odometer_meters",
    "data_source", "state",
)
VEHICLE_COMMAND_FIELDS = ("external_command_id", "current_milliamps", "internal_command_id")
CONNECTIVITY_FIELDS = ("signal_strength_rssi_dbm", "lowest_signal_strength_rssi_dbm_7d",
                       "highest_signal_strength_rssi_dbm_7d", "ip_address", "iccid", "firmware_version")


def log_record(kind: str, device, at: datetime, data: dict, rng) -> Record:
    return Record(id=ids.seeded_id(LOG_PREFIXES[kind], at, rng), kind=kind, user_id=device.user_id,
                  parent_id=device.id, at=at, data=data)


def _fields(names: tuple[str, ...], given: dict) -> dict:
    unknown = set(given) - set(names)
    if unknown:
        raise TypeError(f"not fields of this log: {', '.join(sorted(unknown))}")
    return {name: given.get(name) for name in names}


def evse_status_log(evse, sampled_at: datetime, rng, *, delay: timedelta = timedelta(seconds=2), **fields) -> Record:
    data = {"sampled_at": iso_datetime(sampled_at), "logged_at": iso_datetime(sampled_at + delay),
            **_fields(EVSE_STATUS_FIELDS, fields)}
    return log_record(EVSE_STATUS_LOG, evse, sampled_at, data, rng)


def evse_error_log(evse, sampled_at: datetime, rng, *, controller: str = "OCPP", **fields) -> Record:
    data = {"sampled_at": iso_datetime(sampled_at), "controller": controller, **_fields(EVSE_ERROR_FIELDS, fields)}
    return log_record(EVSE_ERROR_LOG, evse, sampled_at, data, rng)


def evse_ocpp_log(evse, sampled_at: datetime, rng, *, direction: str, action: str, payload: dict,
                  message_id: str, response: dict | None = None) -> Record:
    """`direction` as responses spell it: "Sent" or "Received" (the filter takes SENT/RECEIVED)."""
    data = {"sampled_at": iso_datetime(sampled_at), "direction": direction, "action": action, "payload": payload,
            "message_id": message_id, "response": response}
    return log_record(EVSE_OCPP_LOG, evse, sampled_at, data, rng)


def evse_command_log(evse, logged_at: datetime, rng, **fields) -> Record:
    data = {"logged_at": iso_datetime(logged_at), **_fields(EVSE_COMMAND_FIELDS, fields)}
    return log_record(EVSE_COMMAND_LOG, evse, logged_at, data, rng)


def vehicle_status_log(vehicle, sampled_at: datetime, rng, *, delay: timedelta = timedelta(seconds=5),
                       **fields) -> Record:
    data = {"logged_at": iso_datetime(sampled_at + delay), "sampled_at": iso_datetime(sampled_at),
            **_fields(VEHICLE_STATUS_FIELDS, fields)}
    return log_record(VEHICLE_STATUS_LOG, vehicle, sampled_at, data, rng)


def vehicle_error_log(vehicle, logged_at: datetime, rng, *, status_code: int, controller: str, error_code: str,
                      error_type: str, request_id: str, command: str, error_detail: str,
                      internal_command_id: str | None = None) -> Record:
    data = {"logged_at": iso_datetime(logged_at), "status_code": status_code, "controller": controller,
            "error_code": error_code, "error_type": error_type, "request_id": request_id, "command": command,
            "error_detail": error_detail, "internal_command_id": internal_command_id}
    return log_record(VEHICLE_ERROR_LOG, vehicle, logged_at, data, rng)


def vehicle_location_log(vehicle, sampled_at: datetime, rng, *, at_home: bool | None) -> Record:
    data = {"sampled_at": iso_datetime(sampled_at), "logged_at": iso_datetime(sampled_at + timedelta(seconds=5)),
            "at_home": at_home}
    return log_record(VEHICLE_LOCATION_LOG, vehicle, sampled_at, data, rng)


def vehicle_command_log(vehicle, logged_at: datetime, rng, *, command: str, **fields) -> Record:
    """`command`: START_CHARGE, STOP_CHARGE, WAKE_UP or SEND_SCHEDULE."""
    data = {"logged_at": iso_datetime(logged_at), "command": command, **_fields(VEHICLE_COMMAND_FIELDS, fields)}
    return log_record(VEHICLE_COMMAND_LOG, vehicle, logged_at, data, rng)


def evse_connectivity(evse, as_of: datetime, rng, *, connection_reliability_30d: int, **fields) -> Record:
    """One per charger (the latest wins): /evses/{id}/connectivity serves it."""
    data = {"connection_reliability_30d": connection_reliability_30d, **_fields(CONNECTIVITY_FIELDS, fields)}
    return log_record(EVSE_CONNECTIVITY, evse, as_of, data, rng)


def seed_records(*, seed: int, users, vehicles, evses, plan):
    """Sampled logs for every charger and vehicle (the cases' drivers get theirs in full from cases.py)."""
    return []
