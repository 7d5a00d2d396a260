"""Charging sessions (plug-in episodes) and their sub-sessions (one mode each), as the spec has them.

Stored as `Record`s: kind "charging_session" (parent of its sub-sessions) and
"charging_sub_session" (`at` = start, `ends_at` = end, null while running; `data["_vehicle_id"]`,
`data["_evse_id"]`, `data["_tariff_id"]` link it to its devices and tariff).
"""

from __future__ import annotations

from evadmin.sandbox import ids, serializers
from evadmin.sandbox.collections.records import Relation, record_json
from evadmin.sandbox.models import Evse, Record, Tariff, Vehicle
from evadmin.sandbox.resources import Collection, Filter, parse_bool, parse_datetime, parse_id, parse_int

SESSION, SUB_SESSION = "charging_session", "charging_sub_session"
SESSION_PREFIX, SUB_SESSION_PREFIX = "cses", "csub"
MODES = ("SMART", "BOOST", "UNMANAGED_HOME", "UNMANAGED_OTG", "MANAGED_OTG")


def _device(model, related):
    def load(device_id):
        return model.objects.select_related("user").filter(pk=device_id).first()

    def serialize(device, context, expand):
        return related(device, context.base, expand)

    return load, serialize


_vehicle_load, _vehicle_json = _device(Vehicle, serializers.vehicle_json)
_evse_load, _evse_json = _device(Evse, serializers.evse_json)

DEVICE_RELATIONS = {
    "vehicle": Relation("vehicles", lambda row: row.data.get("_vehicle_id"), _vehicle_load, _vehicle_json),
    "evse": Relation("evses", lambda row: row.data.get("_evse_id"), _evse_load, _evse_json),
}


def _tariff_json(tariff, context, expand):
    return serializers.tariff_json(tariff, context.base, expand)


SUB_SESSION_RELATIONS = {
    **DEVICE_RELATIONS,
    "tariff": Relation("tariffs", lambda row: row.data.get("_tariff_id"),
                       lambda tariff_id: Tariff.objects.select_related("supplier").filter(pk=tariff_id).first(),
                       _tariff_json),
}


def sub_session_json(record, context, expand) -> dict:
    return record_json(record, context, expand, collection="charging_sub_sessions", relations=SUB_SESSION_RELATIONS)


def session_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="charging_sessions", relations=DEVICE_RELATIONS)
    subs = Record.objects.filter(kind=SUB_SESSION, parent_id=record.id).order_by("-at")  # newest first
    if "sub_sessions" in expand:
        data["sub_sessions"] = [sub_session_json(sub, context, set()) for sub in subs]
    else:
        data["sub_sessions"] = [f"{context.base}/charging_sub_sessions/{sub.id}" for sub in subs.only("id")]
    return data


def _user_filter(queryset, user_id):
    return queryset.filter(user_id=user_id)


CHARGING_SESSIONS = Collection(
    name="charging_sessions", prefix=SESSION_PREFIX, scope="charging_session:read",
    queryset=lambda: Record.objects.filter(kind=SESSION), serialize=session_json,
    expands=("vehicle", "evse", "sub_sessions"),
)

CHARGING_SUB_SESSIONS = Collection(
    name="charging_sub_sessions", prefix=SUB_SESSION_PREFIX, scope="charging_session:read",
    queryset=lambda: Record.objects.filter(kind=SUB_SESSION), serialize=sub_session_json,
    expands=("evse", "evse.latest_status_log", "evse.model", "evse.model.make", "evse.user", "vehicle",
             "vehicle.latest_status_log", "vehicle.trim", "vehicle.trim.model", "vehicle.trim.model.make",
             "vehicle.user", "energy_usage", "schedules", "assessment", "flags", "debug_metadata", "tariff",
             "tariff.supplier", "carbon_feed", "grid_feeds"),
    filters={
        "user_id": Filter(_user_filter),
        "evse_id": Filter("data___evse_id", parse_id(ids.EVSE)),
        "vehicle_id": Filter("data___vehicle_id", parse_id(ids.VEHICLE)),
        "start__gt": Filter("at__gt", parse_datetime), "start__lt": Filter("at__lt", parse_datetime),
        "end__gt": Filter("ends_at__gt", parse_datetime), "end__lt": Filter("ends_at__lt", parse_datetime),
        "is_finished": Filter(lambda queryset, finished: queryset.filter(ends_at__isnull=not finished), parse_bool),
        "mode": Filter("data__mode", choices=MODES),
        "energy_delivered_watt_hours__gte": Filter("data__energy_delivered_watt_hours__gte", parse_int),
        "energy_delivered_watt_hours__lte": Filter("data__energy_delivered_watt_hours__lte", parse_int),
    },
)

DECLARATIONS = (CHARGING_SESSIONS, CHARGING_SUB_SESSIONS)
