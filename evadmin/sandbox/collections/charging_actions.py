"""Writes on charging data: boost start/end on a session, energy usage recalculation on a sub-session.

Boosting ends the session's running sub-session and starts a new one in the other mode (BOOST, or
back to SMART), as the spec describes; each change is announced as the webhooks
`charging_sub_session.ended` / `.created` through `webhooks.sub_session_event`.
"""

from __future__ import annotations

from django.db import transaction

from evadmin.sandbox import ids, webhooks
from evadmin.sandbox.collections import charging_parts as parts
from evadmin.sandbox.collections.charging import (
    CHARGING_SESSIONS,
    CHARGING_SUB_SESSIONS,
    SUB_SESSION,
    SUB_SESSION_PREFIX,
    session_json,
)
from evadmin.sandbox.models import Record, Vehicle
from evadmin.sandbox.resources import Action, parse_bool
from evadmin.sandbox.responses import ApiError, json_response
from evadmin.sandbox.serializers import iso_datetime
from evadmin.sandbox.views.base import ApiContext

WRITE_SCOPE = "charging_session:write"
DB = "sandbox"


def _conflict(detail: str) -> ApiError:
    return ApiError(409, "Conflict", detail, "conflict")


def _running_sub_session(session: Record) -> Record | None:
    return Record.objects.filter(kind=SUB_SESSION, parent_id=session.id, ends_at__isnull=True).order_by("-at").first()


def end_sub_session(sub_session: Record, *, reason: str, at=None) -> None:
    now = at or parts.now_utc()
    sub_session.ends_at = now
    sub_session.data.update(end=iso_datetime(now), duration_minutes=parts.minutes_between(sub_session.at, now))
    sub_session.data.setdefault("_debug_metadata", {})["finish_reason"] = reason
    sub_session.save(using=DB)


def _successor(previous: Record, *, mode: str, reason: str) -> Record:
    """A new running sub-session in `mode` that takes over from `previous` (same devices, tariff, place)."""
    now = parts.now_utc()
    kept = {key: previous.data[key] for key in ("_vehicle_id", "_evse_id", "_tariff_id", "location", "currency",
                                                "co2_intensity_grams_per_kilowatt_hour",
                                                "co2_intensity_classification") if key in previous.data}
    debug = {**previous.data.get("_debug_metadata", {}), "start_reason": reason, "finish_reason": None,
             "is_energy_delivered_capped": False, "uncapped_energy_delivered_watt_hours": None}
    data = {**kept, "start": iso_datetime(now), "end": None, "mode": mode, "energy_delivered_watt_hours": 0,
            "cost": 0 if previous.data.get("cost") is not None else None, "percentage_added": 0,
            "total_co2_grams": 0, "cost_per_kilowatt_hour": None, "total_points": 0, "duration_minutes": 0,
            "grid_energy_delivered_watt_hours": 0,
            "_energy_usage": {"last_updated_at": iso_datetime(now), "watt_hours": []},
            "_flags": [], "_debug_metadata": debug, "_schedule_plans": [],
            "_charge_rate_watts": previous.data.get("_charge_rate_watts", 7400)}
    return Record.objects.using(DB).create(
        id=ids.new_id(SUB_SESSION_PREFIX), kind=SUB_SESSION, user_id=previous.user_id, parent_id=previous.parent_id,
        at=now, data=data)


def _switch(context: ApiContext, session: Record, *, to_mode: str):
    with transaction.atomic(using=DB):  # checks and changes in one write transaction (IMMEDIATE)
        session.refresh_from_db(using=DB)
        vehicle = Vehicle.objects.filter(pk=session.data.get("_vehicle_id")).first()
        if vehicle is not None and not vehicle.smart_charging_enabled:
            raise _conflict(f"Smart charging is turned off for vehicle {vehicle.id}.")
        if session.ends_at is not None:
            raise _conflict(f"Charging session {session.id} has ended (the vehicle was unplugged).")
        current = _running_sub_session(session)
        if to_mode == "BOOST" and (current is None or current.data.get("mode") != "SMART"):
            mode = current.data.get("mode") if current else None
            raise _conflict("The session is already boosting." if mode == "BOOST" else
                            "The session has no in-progress smart charging sub-session to boost.")
        if to_mode == "SMART" and (current is None or current.data.get("mode") != "BOOST"):
            raise _conflict("The session is not boosting.")
        reason = "BOOST_START" if to_mode == "BOOST" else "SMART_CHARGE_ENABLED"
        end_sub_session(current, reason=reason)
        started = _successor(current, mode=to_mode, reason=reason)
        # Sent once this transaction commits (webhooks.py), the old sub-session's end first.
        webhooks.sub_session_event(current, "charging_sub_session.ended")
        webhooks.sub_session_event(started, "charging_sub_session.created")
    return json_response(session_json(session, context, set()))


def boost_start(context: ApiContext, session: Record):
    return _switch(context, session, to_mode="BOOST")


def boost_end(context: ApiContext, session: Record):
    return _switch(context, session, to_mode="SMART")


def recalculate_energy_usages(context: ApiContext, sub_session: Record):
    """Energy delivered = the intervals' sum, capped (cap_overages, the default) at what the battery
    could take (`_capacity_watt_hours`, set by the seeder); dry_run reports without saving."""
    body = context.body()
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid request body", "Send a JSON object.", "invalid-body")
    dry_run = _flag(body, "dry_run", False)
    cap = _flag(body, "cap_overages", True)
    if sub_session.ends_at is None:
        raise ApiError(400, "Sub-session in progress",
                       f"Charging sub-session {sub_session.id} has not finished: nothing to recalculate yet.",
                       "sub-session-in-progress")
    data = sub_session.data
    previous = data.get("energy_delivered_watt_hours") or 0
    measured = sum(data.get("_energy_usage", {}).get("watt_hours", []))
    capacity = data.get("_capacity_watt_hours")
    new = min(measured, capacity) if cap and capacity is not None else measured
    if not dry_run:
        if data.get("cost") is not None and previous:
            data["cost"] = round(data["cost"] * new / previous)
        data["energy_delivered_watt_hours"] = data["grid_energy_delivered_watt_hours"] = new
        debug = data.setdefault("_debug_metadata", {})
        debug["is_energy_delivered_capped"] = new < measured
        debug["uncapped_energy_delivered_watt_hours"] = measured if new < measured else None
        data.setdefault("_energy_usage", {})["last_updated_at"] = iso_datetime(parts.now_utc())
        sub_session.save(using=DB)
    return json_response({"status": "dry_run_completed" if dry_run else "recalculation_triggered",
                          "previous_energy_delivered_watt_hours": previous, "new_energy_delivered_watt_hours": new})


def _flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if isinstance(value, str):
        return parse_bool(name, value)
    if not isinstance(value, bool):
        raise ApiError(400, "Invalid request body", f"{name} must be true or false.", "invalid-body",
                       field_errors={name: ["Must be a valid boolean."]})
    return value


DECLARATIONS = (
    Action(CHARGING_SESSIONS, "boost_start", WRITE_SCOPE, boost_start),
    Action(CHARGING_SESSIONS, "boost_end", WRITE_SCOPE, boost_end),
    Action(CHARGING_SUB_SESSIONS, "recalculate_energy_usages", WRITE_SCOPE, recalculate_energy_usages),
)
