"""The chargers' and vehicles' logs: lists nested under the device, newest first, and one log by
its timestamp (`/evses/{id}/status_logs/{sampled_at}`), as the spec has them.

Logs are `Record`s parented by the device (kinds in seeding/device_logs.py); `at` is the
timestamp the spec keys them by, so the time filters and the retrieve read that column, and
cursors are the Record ids (ULIDs of `at`, so id order is time order). A device the request
may not see (another driver's, with EvEnergy-User) is a 404 before any log is read.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from evadmin.sandbox.collections.devices import (
    EVSE_STATUS,
    EVSES,
    VEHICLE_STATUS,
    VEHICLES,
    LogShape,
    attach_latest_status_logs,
    log_json,
)
from evadmin.sandbox.models import Record
from evadmin.sandbox.resources import Collection, Filter, parse_datetime
from evadmin.sandbox.seeding import device_logs as kinds

EVSE_LOG_EXPANDS = ("evse", "evse.model", "evse.model.make", "evse.user")
VEHICLE_LOG_EXPANDS = ("vehicle", "vehicle.trim", "vehicle.trim.model", "vehicle.trim.model.make", "vehicle.user")
OCPP_ACTIONS = (
    "Authorize", "BootNotification", "CancelReservation", "CertificateSigned", "ChangeAvailability",
    "ChangeConfiguration", "ClearCache", "ClearChargingProfile", "DataTransfer", "DeleteCertificate",
    "DiagnosticsStatusNotification", "ExtendedTriggerMessage", "FirmwareStatusNotification", "GetCompositeSchedule",
    "GetConfiguration", "GetDiagnostics", "GetInstalledCertificateIds", "GetLocalListVersion", "GetLog", "Heartbeat",
    "InstallCertificate", "LogStatusNotification", "MeterValues", "RemoteStartTransaction", "RemoteStopTransaction",
    "ReserveNow", "Reset", "SecurityEventNotification", "SendLocalList", "SetChargingProfile", "SignCertificate",
    "SignedFirmwareStatusNotification", "SignedUpdateFirmware", "StartTransaction", "StatusNotification",
    "StopTransaction", "TriggerMessage", "UnlockConnector", "UpdateFirmware",
)
OCPP_ERROR_CODES = (
    "NoError", "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError",
    "FormationViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation", "TypeConstraintViolation",
    "GenericError", "UnknownError",
)
# The filter takes SENT/RECEIVED; logs say Sent/Received (API-NOTES.md).
OCPP_DIRECTIONS = {"SENT": "Sent", "RECEIVED": "Received"}


def _at_timestamp(key_field: str):
    """The log sampled (or logged) at exactly this moment (None: 404); not a date-time: 400."""
    def find(queryset, raw: str):
        return queryset.filter(at=parse_datetime(key_field, raw)).order_by("-id").first()
    return find


def _with_device(devices: Collection, shape: LogShape):
    """Logs of one page share their device: load it once for `expand=evse…`/`vehicle…`."""
    def prefetch(records: list, context, expand: set[str]) -> None:
        if not records or shape.device_field not in expand:
            return
        device = devices.queryset().get(pk=records[0].parent_id)
        attach_latest_status_logs([device], EVSE_STATUS.kind if devices is EVSES else VEHICLE_STATUS.kind)
        if f"{shape.device_field}.user" in expand:
            prefetch_related_objects([device], "user__vehicles", "user__evses")
        for record in records:
            record._device = device
    return prefetch


def _time_filters(field: str) -> dict[str, Filter]:
    return {f"{field}__gte": Filter("at__gte", parse_datetime), f"{field}__lte": Filter("at__lte", parse_datetime)}


def _log_collection(devices: Collection, shape: LogShape, *, scope: str, expands: tuple[str, ...],
                    filters: dict[str, Filter]) -> Collection:
    return Collection(
        name=shape.name, prefix=kinds.LOG_PREFIXES[shape.kind], scope=scope,
        queryset=lambda: Record.objects.filter(kind=shape.kind),
        serialize=lambda record, context, expand: log_json(record, context, expand, shape),
        expands=expands, filters=filters, parent=devices, key=_at_timestamp(shape.key_field), newest_first=True,
        prefetch=_with_device(devices, shape),
    )


def _evse_log(kind: str, name: str, key_field: str, scope: str, extra_filters=None) -> Collection:
    shape = EVSE_STATUS if kind == EVSE_STATUS.kind else LogShape(kind, name, key_field, "evses", "evse")
    return _log_collection(EVSES, shape, scope=scope, expands=EVSE_LOG_EXPANDS,
                           filters={**_time_filters(key_field), **(extra_filters or {})})


def _vehicle_log(kind: str, name: str, key_field: str, scope: str) -> Collection:
    shape = VEHICLE_STATUS if kind == VEHICLE_STATUS.kind else LogShape(kind, name, key_field, "vehicles", "vehicle")
    return _log_collection(VEHICLES, shape, scope=scope, expands=VEHICLE_LOG_EXPANDS, filters=_time_filters(key_field))


OCPP_FILTERS = {
    "action": Filter("data__action", choices=OCPP_ACTIONS),
    "action__in": Filter("data__action__in", choices=OCPP_ACTIONS, many=True),
    "direction": Filter("data__direction", parse=lambda name, raw: OCPP_DIRECTIONS[raw],
                        choices=tuple(OCPP_DIRECTIONS)),
    "error_code": Filter("data__response__error_code", choices=OCPP_ERROR_CODES),
    "error_code__in": Filter("data__response__error_code__in", choices=OCPP_ERROR_CODES, many=True),
}

DECLARATIONS = (
    _evse_log(kinds.EVSE_STATUS_LOG, "status_logs", "sampled_at", "evse:read"),
    _evse_log(kinds.EVSE_ERROR_LOG, "error_logs", "sampled_at", "debug:read"),
    _evse_log(kinds.EVSE_OCPP_LOG, "ocpp_logs", "sampled_at", "debug:read", OCPP_FILTERS),
    _evse_log(kinds.EVSE_COMMAND_LOG, "command_logs", "logged_at", "debug:read"),
    _vehicle_log(kinds.VEHICLE_STATUS_LOG, "status_logs", "sampled_at", "vehicle:read"),
    _vehicle_log(kinds.VEHICLE_ERROR_LOG, "error_logs", "logged_at", "vehicle:read"),
    _vehicle_log(kinds.VEHICLE_LOCATION_LOG, "location_logs", "sampled_at", "vehicle:read"),
    _vehicle_log(kinds.VEHICLE_COMMAND_LOG, "command_logs", "logged_at", "debug:read"),
)
