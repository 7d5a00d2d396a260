"""Charging sessions (plug-in episodes) and their sub-sessions (one mode each), as the spec has them.

Stored as `Record`s: kind "charging_session" (parent of its sub-sessions) and
"charging_sub_session" (`at` = start, `ends_at` = end, null while running; `data["_vehicle_id"]`,
`data["_evse_id"]`, `data["_tariff_id"]` link it to its devices and tariff). A sub-session's parts
(energy usage, flags, ...) live in its Record too: see charging_parts.py. Dispatcher logs are
derived from a sub-session's energy usage when asked for (dispatcher_logs_of).

The writes (boost, recalculation) are in charging_actions.py.
"""

from __future__ import annotations

import re
import uuid
import zlib
from datetime import timedelta

from evadmin.sandbox import ids, serializers, webhooks
from evadmin.sandbox.collections import charging_parts as parts
from evadmin.sandbox.collections.carbon import carbon_feed_json, grid_feed_json
from evadmin.sandbox.collections.devices import evse_json, vehicle_json
from evadmin.sandbox.collections.records import Relation, record_json
from evadmin.sandbox.models import Evse, Record, Tariff, User, Vehicle
from evadmin.sandbox.resources import (
    Collection,
    Detail,
    Endpoint,
    Filter,
    invalid_parameter,
    parse_bool,
    parse_datetime,
    parse_id,
    parse_int,
)
from evadmin.sandbox.responses import json_response
from evadmin.sandbox.seeding.carbon import carbon_feed_id, grid_feed_ids
from evadmin.sandbox.seeding.nights import SESSION, SESSION_PREFIX, SUB_SESSION, SUB_SESSION_PREFIX
from evadmin.sandbox.views.base import ApiContext, Operation

MODES = ("SMART", "BOOST", "UNMANAGED_HOME", "UNMANAGED_OTG", "MANAGED_OTG")
DEBUG_SCOPE = "debug:read"
SUB_SESSION_ID = re.compile(r"^csub[0-9A-Z]{26}$")


def _loader(model):
    def load(device_id):
        return model.objects.select_related("user").filter(pk=device_id).first()
    return load


DEVICE_RELATIONS = {
    "vehicle": Relation("vehicles", lambda row: row.data.get("_vehicle_id"), _loader(Vehicle), vehicle_json),
    "evse": Relation("evses", lambda row: row.data.get("_evse_id"), _loader(Evse), evse_json),
}


def _tariff_json(tariff, context, expand):
    return serializers.tariff_json(tariff, context.base, expand)


SUB_SESSION_RELATIONS = {
    **DEVICE_RELATIONS,
    "tariff": Relation("tariffs", lambda row: row.data.get("_tariff_id"),
                       lambda tariff_id: Tariff.objects.select_related("supplier").filter(pk=tariff_id).first(),
                       _tariff_json),
}
# The parts a sub-session links to (URL) or inlines (expand), in the order the schema lists them.
PARTS = {
    "energy_usage": parts.energy_usage_json, "schedules": parts.schedules_json,
    "assessment": parts.assessment_json, "flags": parts.flags_json, "debug_metadata": parts.debug_metadata_json,
}


# What every seeded sub-session has alike, kept out of the rows (smaller, faster seeding) and served
# unless a row says otherwise. No grid_feeds: [] would match both alternatives of its oneOf.
SUB_SESSION_DEFAULTS = {
    "savings_cost": None, "savings_co2_grams": None, "incentive_earned": None, "total_points_missed": None,
    "solar_energy_delivered_watt_hours": 0, "labels": None, "solar_mode_type": None,
}


def _driver_country(context, user_id: str) -> str:
    """The driver's country, looked up once per request (a page of sub-sessions shares few drivers)."""
    known = context.__dict__.setdefault("_countries", {})
    if user_id not in known:
        known[user_id] = User.objects.filter(pk=user_id).values_list("country_code", flat=True).first() or ""
    return known[user_id]


def _feeds(data: dict, record, context, expand) -> None:
    """The feeds used for the driver's charging: the spec's only link from a driver to a carbon feed or
    grid feeds (the Location has none); the sandbox's are those of the driver's country."""
    country = _driver_country(context, record.user_id) if record.user_id else ""
    feed_id = carbon_feed_id(country)
    feed = Record.objects.filter(pk=feed_id).first() if feed_id and "carbon_feed" in expand else None
    data["carbon_feed"] = (carbon_feed_json(feed, context, set()) if feed is not None
                           else f"{context.base}/carbon_feeds/{feed_id}" if feed_id else None)
    grid_ids = grid_feed_ids(country)
    if grid_ids:  # absent otherwise: [] would match both alternatives of the oneOf
        if "grid_feeds" in expand:
            data["grid_feeds"] = [grid_feed_json(found, context, set())
                                  for found in Record.objects.filter(pk__in=grid_ids)]
        else:
            data["grid_feeds"] = [f"{context.base}/grid_feeds/{found}" for found in grid_ids]


def sub_session_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="charging_sub_sessions", relations=SUB_SESSION_RELATIONS)
    for name, value in SUB_SESSION_DEFAULTS.items():
        data.setdefault(name, value)
    _feeds(data, record, context, expand)
    for name, serialize in PARTS.items():
        data[name] = (serialize(record, context, parts.part_head(record, context, name), {}) if name in expand
                      else parts.part_url(context, record, name))
    return data


def attach_sub_sessions(sessions: list, context=None, expand=frozenset()) -> None:
    """Each session's sub-sessions, newest first, in one query for the whole page (`_sub_sessions`)."""
    by_session: dict[str, list] = {session.id: [] for session in sessions}
    for sub in Record.objects.filter(kind=SUB_SESSION, parent_id__in=list(by_session)).order_by("-at"):
        by_session[sub.parent_id].append(sub)
    for session in sessions:
        session._sub_sessions = by_session[session.id]


def session_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="charging_sessions", relations=DEVICE_RELATIONS)
    if not hasattr(record, "_sub_sessions"):  # one session on its own (an action's answer)
        attach_sub_sessions([record])
    subs = record._sub_sessions
    if "sub_sessions" in expand:
        data["sub_sessions"] = [sub_session_json(sub, context, set()) for sub in subs]
    else:
        data["sub_sessions"] = [f"{context.base}/charging_sub_sessions/{sub.id}" for sub in subs]
    return data


def _user_filter(queryset, user_id, context):
    """`user_id=me` (the spec's example) is the driver EvEnergy-User names."""
    if user_id == "me":
        if context.acting_user is None:
            raise invalid_parameter("user_id", '"me" needs the EvEnergy-User header.')
        user_id = context.acting_user.pk
    return queryset.filter(user_id=user_id)


CHARGING_SESSIONS = Collection(
    name="charging_sessions", prefix=SESSION_PREFIX, scope="charging_session:read",
    queryset=lambda: Record.objects.filter(kind=SESSION), serialize=session_json,
    expands=("vehicle", "evse", "sub_sessions"), newest_first=True, prefetch=attach_sub_sessions,
)

CHARGING_SUB_SESSIONS = Collection(
    name="charging_sub_sessions", prefix=SUB_SESSION_PREFIX, scope="charging_session:read",
    queryset=lambda: Record.objects.filter(kind=SUB_SESSION), serialize=sub_session_json, newest_first=True,
    expands=("evse", "evse.latest_status_log", "evse.model", "evse.model.make", "evse.user", "vehicle",
             "vehicle.latest_status_log", "vehicle.trim", "vehicle.trim.model", "vehicle.trim.model.make",
             "vehicle.user", "energy_usage", "schedules", "assessment", "flags", "debug_metadata", "tariff",
             "tariff.supplier", "carbon_feed", "grid_feeds"),
    # The debug parts need debug:read on their own endpoints; expanding them does too (as tariffs'
    # expand=prices needs tariff:prices:read).
    expand_scopes={"assessment": DEBUG_SCOPE, "debug_metadata": DEBUG_SCOPE, "carbon_feed": "carbon:read",
                   "grid_feeds": "grid:read"},
    filters={
        "user_id": Filter(_user_filter, with_context=True),
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


def _part(name: str, *, with_prices: bool = False):
    """A Detail's serializer: the part, with the request's query filters and expand=charging_sub_session."""
    serialize = PARTS.get(name)

    def detail(record, context, expand):
        parent = sub_session_json(record, context, set()) if "charging_sub_session" in expand else None
        head = parts.part_head(record, context, name, parent)
        if name == "schedule_plans":
            return parts.schedule_plans_json(record, context, head, context.request.GET,
                                             with_prices="price_data" in expand)
        return serialize(record, context, head, context.request.GET)
    return detail


PARENT_EXPAND = ("charging_sub_session",)
SUB_SESSION_PARTS = (
    Detail(CHARGING_SUB_SESSIONS, "energy_usage", "charging_session:read", _part("energy_usage"), PARENT_EXPAND),
    Detail(CHARGING_SUB_SESSIONS, "flags", "charging_session:read", _part("flags"), PARENT_EXPAND),
    Detail(CHARGING_SUB_SESSIONS, "debug_metadata", DEBUG_SCOPE, _part("debug_metadata"), PARENT_EXPAND),
    # The spec names "chargingsession:read" here, a typo for charging_session:read (API-NOTES): no
    # token could hold a scope the server does not declare, so the sandbox asks for the real one.
    Detail(CHARGING_SUB_SESSIONS, "schedules", "charging_session:read", _part("schedules"), PARENT_EXPAND),
    Detail(CHARGING_SUB_SESSIONS, "schedule_plans", DEBUG_SCOPE, _part("schedule_plans"),
           (*PARENT_EXPAND, "price_data")),
    Detail(CHARGING_SUB_SESSIONS, "assessment", DEBUG_SCOPE, _part("assessment"), PARENT_EXPAND),
)


def dispatcher_logs_of(record) -> list[dict]:
    """The dispatcher's commands for a sub-session, derived from its energy usage: one at the start and
    one at the end of each block of charging (so they can never disagree with it). Oldest first."""
    watt_hours = record.data.get("_energy_usage", {}).get("watt_hours", [])
    starts = parts.interval_starts(record.at, len(watt_hours))
    plans = record.data.get("_schedule_plans") or [{"created_at": record.data.get("start")}]
    found = []
    for index, delivered in enumerate(watt_hours):
        if bool(delivered) == bool(watt_hours[index - 1] if index else 0):
            continue
        key = zlib.crc32(f"{record.id}{index}".encode())
        logged_at = starts[index] + timedelta(seconds=5 + key % 35)
        found.append({"logged_at": logged_at, "schedule_valid_period_start": serializers.iso_datetime(starts[index]),
                      "schedule_created_at": plans[-1]["created_at"] if plans[-1]["created_at"] <= serializers.iso_datetime(
                          starts[index]) else plans[0]["created_at"],
                      "internal_command_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.id}/{index}")),
                      "device_type": "EVSE", "reason_not_sent": None})
    return found


def list_dispatcher_logs(context: ApiContext):
    """One sub-session's logs (the filter is required), newest first; the spec gives no paging."""
    expand = context.expand(("charging_sub_session",))
    params = context.request.GET
    sub_session_id = params.get("charging_sub_session_id")
    if not sub_session_id:
        raise invalid_parameter("charging_sub_session_id", "This field is required.")
    if not SUB_SESSION_ID.match(sub_session_id):
        raise invalid_parameter("charging_sub_session_id", "Enter a charging sub-session id (csub...).")
    low = parse_datetime("logged_at__gte", params["logged_at__gte"]) if "logged_at__gte" in params else None
    high = parse_datetime("logged_at__lte", params["logged_at__lte"]) if "logged_at__lte" in params else None
    records = CHARGING_SUB_SESSIONS.objects(context, set()).filter(pk=sub_session_id)
    answer = []
    for record in records:  # none when the sub-session is unknown or not the acting driver's
        parent = (sub_session_json(record, context, set()) if "charging_sub_session" in expand
                  else f"{context.base}/charging_sub_sessions/{record.id}")
        for log in reversed(dispatcher_logs_of(record)):
            if (low is None or log["logged_at"] >= low) and (high is None or log["logged_at"] <= high):
                answer.append({**log, "logged_at": serializers.iso_datetime(log["logged_at"]),
                               "charging_sub_session": parent})
    return json_response(answer)


DISPATCHER_LOGS = Endpoint("dispatcher_logs", {"GET": Operation(list_dispatcher_logs, DEBUG_SCOPE)})

DECLARATIONS = (CHARGING_SESSIONS, CHARGING_SUB_SESSIONS, *SUB_SESSION_PARTS, DISPATCHER_LOGS)

# Webhook bodies carry a sub-session exactly as GET /charging_sub_sessions/{id} serves it.
webhooks.serialize_sub_sessions_with(CHARGING_SUB_SESSIONS.serialize)
