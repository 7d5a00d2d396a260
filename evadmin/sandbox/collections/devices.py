"""Vehicles and chargers (EVSEs): the collections, their JSON, PATCH, and their logs' JSON.

The devices are model rows (seed.py); their logs are `Record`s of the kinds in
seeding/device_logs.py, parented by the device. A device's `latest_status_log` is its newest
status log, served as the log's URL (`…/vehicles/{id}/status_logs/{sampled_at}`) or expanded.
Lists load the page's latest logs in one query (`_prefetch_devices`), not one per device.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery, prefetch_related_objects

from evadmin.sandbox import catalogue, ids
from evadmin.sandbox.collections.device_writes import evse_changes, vehicle_changes
from evadmin.sandbox.models import Evse, Record, Vehicle
from evadmin.sandbox.resources import Collection, Filter
from evadmin.sandbox.responses import json_response
from evadmin.sandbox.seeding.device_logs import EVSE_STATUS_LOG, VEHICLE_STATUS_LOG
from evadmin.sandbox.serializers import sub_expand, user_json

VEHICLE_EXPANDS = ("user", "trim", "trim.model", "trim.model.make", "latest_status_log")
EVSE_EXPANDS = ("user", "model", "model.make", "latest_status_log", "ct_clamp")


@dataclass(frozen=True)
class LogShape:
    """How one kind of log is addressed: /<devices>/{device id}/<name>/{<key_field>}."""

    kind: str
    name: str  # URL segment under the device
    key_field: str  # the timestamp that identifies a log of the device: sampled_at or logged_at
    devices: str  # "evses" or "vehicles"
    device_field: str  # "evse" or "vehicle"


EVSE_STATUS = LogShape(EVSE_STATUS_LOG, "status_logs", "sampled_at", "evses", "evse")
VEHICLE_STATUS = LogShape(VEHICLE_STATUS_LOG, "status_logs", "sampled_at", "vehicles", "vehicle")


def log_url(base: str, shape: LogShape, record: Record) -> str:
    return f"{base}/{shape.devices}/{record.parent_id}/{shape.name}/{record.data[shape.key_field]}"


def log_json(record: Record, context, expand: set[str], shape: LogShape) -> dict:
    """A log as its schema has it: url, its own fields, and its device (URL, or expanded)."""
    data = {"url": log_url(context.base, shape, record)}
    data.update((key, value) for key, value in record.data.items() if not key.startswith("_"))
    if shape.device_field in expand:
        device = record.__dict__.get("_device") or _device_model(shape).objects.select_related("user").get(
            pk=record.parent_id)
        serialize = evse_json if shape.devices == "evses" else vehicle_json
        data[shape.device_field] = serialize(device, context, sub_expand(expand, shape.device_field))
    else:
        data[shape.device_field] = f"{context.base}/{shape.devices}/{record.parent_id}"
    return data


def _device_model(shape: LogShape):
    return Evse if shape.devices == "evses" else Vehicle


# --- the latest status log, loaded once per page ---------------------------------------------

def _newest(kind: str):
    return Record.objects.filter(kind=kind).order_by("-at", "-id")


def attach_latest_status_logs(devices: list, kind: str) -> None:
    """Set each device's `_latest_status_log` (None if it has none) with one query for them all."""
    pending = [device for device in devices if "_latest_status_log" not in device.__dict__]
    if not pending:
        return
    newest_of_parent = _newest(kind).filter(parent_id=OuterRef("parent_id")).values("pk")[:1]
    found = {record.parent_id: record for record in Record.objects.filter(
        kind=kind, parent_id__in=[device.pk for device in pending], pk=Subquery(newest_of_parent))}
    for device in pending:
        device._latest_status_log = found.get(device.pk)


def latest_status_log(device, kind: str) -> Record | None:
    if "_latest_status_log" not in device.__dict__:
        device._latest_status_log = _newest(kind).filter(parent_id=device.pk).first()
    return device._latest_status_log


def _latest_status_log_json(device, context, expand: set[str], shape: LogShape):
    log = latest_status_log(device, shape.kind)
    if log is None:
        return None
    if "latest_status_log" in expand:
        return log_json(log, context, set(), shape)
    return log_url(context.base, shape, log)


def _prefetch_devices(kind: str):
    def prefetch(devices: list, context, expand: set[str]) -> None:
        attach_latest_status_logs(devices, kind)
        if "user" in expand:
            prefetch_related_objects(devices, "user__vehicles", "user__evses")
    return prefetch


# --- JSON ------------------------------------------------------------------------------------

def vehicle_json(vehicle: Vehicle, context, expand: set[str] = frozenset()) -> dict:
    base = context.base
    trim = catalogue.VEHICLE_TRIMS[vehicle.trim_id]
    return {
        "id": vehicle.id,
        "url": f"{base}/vehicles/{vehicle.id}",
        "trim": catalogue.vehicle_trim_json(trim, base, sub_expand(expand, "trim")) if "trim" in expand
        else f"{base}/vehicle_trims/{trim.id}",
        "user": user_json(vehicle.user, base) if "user" in expand else f"{base}/users/{vehicle.user_id}",
        "latest_status_log": _latest_status_log_json(vehicle, context, expand, VEHICLE_STATUS),
        "charging_sub_sessions": f"{base}/charging_sub_sessions?vehicle_id={vehicle.id}",
        "integrated": vehicle.integrated,
        "battery_size_watt_hours": vehicle.battery_size_watt_hours,
        "effective_battery_size_watt_hours": vehicle.effective_battery_size_watt_hours,
        "maximum_charge_limit_percentage": vehicle.maximum_charge_limit_percentage,
        "description": vehicle.description,
        "disabled": vehicle.disabled,
        "smart_charging_enabled": vehicle.smart_charging_enabled,
        "vehicle_class": vehicle.vehicle_class or None,
    }


def evse_json(evse: Evse, context, expand: set[str] = frozenset()) -> dict:
    base = context.base
    model = catalogue.EVSE_MODELS[evse.model_id]
    return {
        "id": evse.id,
        "url": f"{base}/evses/{evse.id}",
        "cpid": evse.cpid,
        "model": catalogue.evse_model_json(model, base, sub_expand(expand, "model")) if "model" in expand
        else f"{base}/evse_models/{model.id}",
        "user": user_json(evse.user, base) if "user" in expand else f"{base}/users/{evse.user_id}",
        "latest_status_log": _latest_status_log_json(evse, context, expand, EVSE_STATUS),
        "ct_clamp": None,  # the sandbox's chargers have no CT clamp
        "lock_mode": evse.lock_mode or None,
        "location": {"latitude": evse.latitude, "longitude": evse.longitude} if evse.latitude is not None else None,
        "lifecycle_state": evse.lifecycle_state or None,
        "charging_sub_sessions": f"{base}/charging_sub_sessions?evse_id={evse.id}",
    }


# --- PATCH -----------------------------------------------------------------------------------

def _updated(device, changes: dict, context, serialize, expands: tuple[str, ...]):
    expand = context.expand(expands)
    for name, value in changes.items():
        setattr(device, name, value)
    if changes:
        device.save(update_fields=list(changes))
    return json_response(serialize(device, context, expand))


def vehicle_update(context, vehicle: Vehicle):
    return _updated(vehicle, vehicle_changes(context.body(), vehicle), context, vehicle_json, VEHICLE_EXPANDS)


def evse_update(context, evse: Evse):
    return _updated(evse, evse_changes(context.body()), context, evse_json, EVSE_EXPANDS)


VEHICLES = Collection(
    name="vehicles", prefix=ids.VEHICLE, scope="vehicle:read",
    queryset=lambda: Vehicle.objects.select_related("user"), serialize=vehicle_json, expands=VEHICLE_EXPANDS,
    prefetch=_prefetch_devices(VEHICLE_STATUS_LOG), update=vehicle_update, update_scope="vehicle:write",
)

EVSES = Collection(
    name="evses", prefix=ids.EVSE, scope="evse:read",
    queryset=lambda: Evse.objects.select_related("user"), serialize=evse_json, expands=EVSE_EXPANDS,
    filters={"cpid": Filter("cpid")},
    prefetch=_prefetch_devices(EVSE_STATUS_LOG), update=evse_update, update_scope="evse:write",
)

DECLARATIONS = (VEHICLES, EVSES)
