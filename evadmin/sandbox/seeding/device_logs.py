"""Chargers' and vehicles' logs as `Record`s: the kinds, and one builder per kind.

Every builder takes the device, the moment and the schema's fields (the others are null), and
returns an unsaved Record: `parent_id` the device, `user_id` its driver, `at` the moment the
spec keys the log by (`sampled_at` or `logged_at`). collections/logs.py serves these kinds (and
collections/device_actions.py the connectivity); seeders (this module's `seed_records`, cases.py)
build them.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import HISTORY_DAYS, module_rng
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
    # Positional arguments (id, kind, user_id, parent_id, at, ends_at, data): Django's fast path,
    # a third of the keyword one's cost, and seeding builds hundreds of thousands of these.
    return Record(ids.seeded_id(LOG_PREFIXES[kind], at, rng), kind, device.user_id, device.id, at, None, data)


@functools.cache
def _name_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(names)


def _fields(names: tuple[str, ...], given: dict) -> dict:
    if not given.keys() <= _name_set(names):  # the common case, checked without building sets
        unknown = set(given) - set(names)
        raise TypeError(f"not fields of this log: {', '.join(sorted(unknown))}")
    return {**dict.fromkeys(names), **given}


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


# --- seeding ---------------------------------------------------------------------------------
# A month of logs for every device (HISTORY_DAYS, ending at plan.now), sparse enough to seed
# 1,000 drivers in a few seconds (~60 rows per charger or integrated vehicle; SQLite writes about
# 30,000 of them a second): status every few hours for the last days, daily before that.

RECENT_STATUS_INTERVAL, RECENT_DAYS = timedelta(hours=4), 3
OLDER_STATUS_INTERVAL = timedelta(hours=24)
LOCATION_INTERVAL = timedelta(days=3)
COMMAND_EVERY_DAYS = 6
# "Night" is local: the sandbox's North American drivers live 5 to 8 hours behind UTC.
UTC_OFFSET_HOURS = {"US": -6, "CA": -5}
SILENT_CHARGER_RATE = 0.05  # chargers that stopped reporting days ago: the desk's "offline" cases
ERROR_RATE = 0.12  # devices with a few API errors this month
CELLULAR_RATE = 0.6  # chargers on a SIM (an ICCID) rather than the driver's Wi-Fi
OCPP_MESSAGES = (  # (action, direction, share)
    ("Heartbeat", "Received", 0.3), ("StatusNotification", "Received", 0.3), ("MeterValues", "Received", 0.2),
    ("SetChargingProfile", "Sent", 0.12), ("RemoteStartTransaction", "Sent", 0.05),
    ("BootNotification", "Received", 0.03),
)
EVSE_ERRORS = (  # (status_code, error_code, error_type, detail)
    (504, "TIMEOUT", "CONNECTION_ERROR", "The charger did not answer within 30 seconds."),
    (502, "BAD_GATEWAY", "CONNECTION_ERROR", "The manufacturer's cloud answered 502."),
    (401, "UNAUTHORIZED", "AUTHENTICATION_ERROR", "The manufacturer's API rejected our credentials."),
)
VEHICLE_ERRORS = (  # (status_code, error_code, error_type, detail, command)
    (401, "TOKEN_EXPIRED", "AUTHENTICATION_ERROR", "The OEM access token has expired.", "GET_STATUS"),
    (408, "VEHICLE_ASLEEP", "VEHICLE_UNAVAILABLE", "The vehicle did not wake up in time.", "WAKE_UP"),
    (429, "RATE_LIMITED", "RATE_LIMIT", "The OEM API rate limit was reached.", "START_CHARGE"),
    (503, "UPSTREAM_UNAVAILABLE", "SERVER_ERROR", "The OEM API is unavailable.", "SEND_SCHEDULE"),
)


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _local_hour(moment: datetime, offset: int) -> int:
    return (moment.hour + offset) % 24


def _is_night(hour: int) -> bool:
    return hour >= 21 or hour < 7


def _moments(start: datetime, end: datetime, step: timedelta, rng) -> list[datetime]:
    """Every `step` from a random point in the first step, each a few minutes off, up to `end`."""
    moments, moment = [], start + timedelta(seconds=rng.randrange(int(step.total_seconds())))
    while moment < end:
        moments.append(moment.replace(microsecond=rng.randrange(1_000_000)))
        moment += step + timedelta(seconds=rng.randint(-900, 900))
    return moments


def _status_moments(start: datetime, end: datetime, rng) -> list[datetime]:
    recent = end - timedelta(days=RECENT_DAYS)
    return _moments(start, min(recent, end), OLDER_STATUS_INTERVAL, rng) + _moments(
        max(start, recent), end, RECENT_STATUS_INTERVAL, rng)


def _evenings(start: datetime, end: datetime, utc_hour: int, rng) -> list[datetime]:
    """Every COMMAND_EVERY_DAYS days, within the hour after `utc_hour` (when schedules are sent)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [midnight + timedelta(days=day, hours=utc_hour % 24, seconds=rng.randrange(3600))
               for day in range(1, HISTORY_DAYS + 1, COMMAND_EVERY_DAYS)]
    return [moment for moment in moments if start <= moment < end]


def _random_moment(start: datetime, end: datetime, rng) -> datetime:
    return start + timedelta(microseconds=rng.randrange(int((end - start).total_seconds() * 1_000_000)))


def _ocpp_log(evse, moment: datetime, rng, meter: int) -> Record:
    point = rng.random()
    for action, direction, share in OCPP_MESSAGES:  # noqa: B007 (the one drawn is used below)
        point -= share
        if point < 0:
            break
    status = rng.choice(("Available", "Preparing", "Charging", "SuspendedEV"))
    payload, answer = {
        "Heartbeat": ({}, {"currentTime": iso_datetime(moment)}),
        "StatusNotification": ({"connectorId": 1, "status": status, "errorCode": "NoError"}, {}),
        "MeterValues": ({"connectorId": 1, "meterValue": [{"timestamp": iso_datetime(moment), "sampledValue": [
            {"value": str(meter), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]}, {}),
        "SetChargingProfile": ({"connectorId": 1, "csChargingProfiles": {
            "chargingProfileId": rng.randint(1, 999), "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": rng.choice((0, 6, 16, 32))}]}}}, {"status": "Accepted"}),
        "RemoteStartTransaction": ({"connectorId": 1, "idTag": "evenergy"}, {"status": "Accepted"}),
        "BootNotification": ({"chargePointVendor": evse.cpid[:3], "chargePointModel": evse.model_id},
                             {"status": "Accepted", "currentTime": iso_datetime(moment), "interval": 300}),
    }[action]
    error_code, description = "NoError", None
    if direction == "Sent" and rng.random() < 0.1:  # the charger refused or failed a command
        error_code, description, answer = rng.choice((
            ("InternalError", "The charge point failed to apply the profile."),
            ("NotSupported", "The charge point does not support this message."))) + ({},)
    response = {"error_code": error_code, "error_description": description, "payload": answer,
                "sampled_at": iso_datetime(moment + timedelta(milliseconds=rng.randint(80, 2500)))}
    return evse_ocpp_log(evse, moment, rng, direction=direction, action=action, payload=payload,
                         message_id=_uuid(rng), response=response)


def _charger_logs(evse, start: datetime, end: datetime, rng) -> list[Record]:
    if evse.lifecycle_state == "PENDING":  # not installed yet: nothing has reported
        return []
    offset = UTC_OFFSET_HOURS.get(evse.user.country_code, 0)
    silent = evse.lifecycle_state == "DECOMMISSIONED" or rng.random() < SILENT_CHARGER_RATE
    last = end - timedelta(hours=rng.randint(24, 240)) if silent else end
    signal, meter, logs = rng.randint(-90, -55), rng.randint(100_000, 5_000_000), []
    for moment in _status_moments(start, last, rng):
        night = _is_night(_local_hour(moment, offset))
        plugged = rng.random() < (0.85 if night else 0.25)
        charging = plugged and night and rng.random() < 0.6
        rate = rng.randrange(3400, 7400, 10) if charging else 0
        meter += rate * rng.randint(1, 3)  # an hour or three at this rate since the last sample
        logs.append(evse_status_log(
            evse, moment, rng, is_plugged_in=plugged, is_charging=charging, charge_rate_watts=rate,
            control_pilot_status="C" if charging else "B" if plugged else "A", meter_reading_watt_hours=meter,
            is_enabled=True, max_current_rating_milliamps=32000, cable_current_rating_milliamps=32000,
            signal_strength_rssi_dbm=signal + rng.randint(-5, 5), voltage_millivolts=rng.randint(228000, 246000),
            mode="Charge" if charging else "Idle"))
    for _ in range(rng.randint(3, 6)):
        logs.append(_ocpp_log(evse, _random_moment(start, last, rng), rng, meter))
    for moment in _evenings(start, last, 21 - offset, rng):
        logs.append(evse_command_log(
            evse, moment, rng, max_load_target_milliamps=rng.choice((16000, 32000)), is_enabled_target=True,
            always_enabled=False, reason=rng.choice(("SCHEDULED_CHARGING", "REFRESH_SCHEDULES", "START_CHARGE")),
            internal_command_id=_uuid(rng)))
    if rng.random() < ERROR_RATE:
        for _ in range(rng.randint(1, 3)):
            status_code, error_code, error_type, detail = rng.choice(EVSE_ERRORS)
            logs.append(evse_error_log(
                evse, _random_moment(start, end, rng), rng, status_code=status_code, error_code=error_code,
                error_type=error_type, error_detail=detail, external_request_id=_uuid(rng),
                internal_command_id=_uuid(rng) if rng.random() < 0.5 else None))
    reliability = rng.randint(20, 70) if silent else rng.randint(90, 100) if rng.random() < 0.9 else rng.randint(70, 89)
    cellular = rng.random() < CELLULAR_RATE
    logs.append(evse_connectivity(
        evse, end, rng, connection_reliability_30d=reliability, signal_strength_rssi_dbm=signal,
        lowest_signal_strength_rssi_dbm_7d=signal - rng.randint(3, 15),
        highest_signal_strength_rssi_dbm_7d=signal + rng.randint(2, 8),
        ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        iccid="8944" + "".join(str(rng.randrange(10)) for _ in range(15)) if cellular else None,
        firmware_version=f"{rng.randint(1, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 30)}"))
    return logs


def _vehicle_state(*, charging: bool, plugged: bool, complete: bool, drove: bool) -> str:
    if charging:
        return "PLUGGED_IN_CHARGING"
    if plugged:
        return "PLUGGED_IN_COMPLETE" if complete else "PLUGGED_IN_NOT_CHARGING"
    return "RECENTLY_FINISHED_DRIVING" if drove else "STATIONARY"


def _vehicle_logs(vehicle, start: datetime, end: datetime, rng) -> list[Record]:
    if vehicle.integrated == "UNINTEGRATED":  # no telematics: nothing reports
        return []
    offset = UTC_OFFSET_HOURS.get(vehicle.user.country_code, 0)
    # An INACTIVE vehicle's connection was severed some days ago: its logs stop there.
    last = end - timedelta(hours=rng.randint(48, 480)) if vehicle.integrated == "INACTIVE" else end
    battery, target = vehicle.effective_battery_size_watt_hours, vehicle.maximum_charge_limit_percentage
    soc, odometer, logs = rng.randint(30, 90), rng.randint(5_000_000, 80_000_000), []
    for moment in _status_moments(start, last, rng):
        night = _is_night(_local_hour(moment, offset))
        plugged = night and rng.random() < 0.75
        charging = plugged and soc < target and rng.random() < 0.7
        added, drove, rate = 0, False, 0
        if charging:
            rate = rng.randrange(3600, 7400, 10)
            added = min(target - soc, rng.randint(5, 25)) * battery // 100
            soc = min(target, soc + rng.randint(5, 25))
        elif not plugged and rng.random() < 0.5:
            drop = rng.randint(1, 12)
            drove, soc = True, max(5, soc - drop)
            odometer += drop * battery // 100 * 1000 // 170  # ~170 Wh per km
        logs.append(vehicle_status_log(
            vehicle, moment, rng, state_of_charge_percentage=soc, is_charging=charging, is_plugged_in=plugged,
            charge_rate_watts=rate, estimated_charge_rate_watts=7000 if plugged else None,
            charge_level_watt_hours=soc * battery // 100, target_charge_level_percentage=target,
            target_charge_level_watt_hours=target * battery // 100, charge_energy_added_watt_hours=added,
            minutes_to_full_charge=(target - soc) * battery // 100 * 60 // rate if charging else None,
            current_type="AC - Typically home chargers" if charging else None, is_complete=plugged and soc >= target,
            odometer_meters=odometer, data_source="OEM_API",
            state=_vehicle_state(charging=charging, plugged=plugged, complete=soc >= target, drove=drove)))
    for moment in _moments(start, last, LOCATION_INTERVAL, rng):
        night = _is_night(_local_hour(moment, offset))
        logs.append(vehicle_location_log(vehicle, moment, rng, at_home=rng.random() < (0.9 if night else 0.3)))
    for moment in _evenings(start, last, 22 - offset, rng):
        command = rng.choice(("SEND_SCHEDULE", "SEND_SCHEDULE", "START_CHARGE", "STOP_CHARGE", "WAKE_UP"))
        logs.append(vehicle_command_log(
            vehicle, moment, rng, command=command, external_command_id=f"cmd-{rng.getrandbits(48):012x}",
            current_milliamps=rng.choice((16000, 32000)) if command == "START_CHARGE" else None,
            internal_command_id=_uuid(rng)))
    if rng.random() < ERROR_RATE:
        for _ in range(rng.randint(1, 2)):
            status_code, error_code, error_type, detail, command = rng.choice(VEHICLE_ERRORS)
            logs.append(vehicle_error_log(
                vehicle, _random_moment(start, end, rng), rng, status_code=status_code, controller="OEM_API",
                error_code=error_code, error_type=error_type, request_id=_uuid(rng), command=command,
                error_detail=detail, internal_command_id=_uuid(rng) if rng.random() < 0.5 else None))
    return logs


def seed_records(*, seed: int, users, vehicles, evses, plan) -> list[Record]:
    """Sampled logs for every charger and vehicle (the cases' drivers get theirs in full from cases.py)."""
    rng = module_rng(seed, "device_logs")
    start = plan.now - timedelta(days=HISTORY_DAYS)
    records: list[Record] = []
    for evse in evses:
        if evse.user_id not in plan.case_users:
            records += _charger_logs(evse, start, plan.now, rng)
    for vehicle in vehicles:
        if vehicle.user_id not in plan.case_users:
            records += _vehicle_logs(vehicle, start, plan.now, rng)
    return records
