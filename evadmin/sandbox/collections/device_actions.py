"""One device's sub-resources and actions: a charger's connectivity and reconnection link, a
vehicle's state of charge, reconnection link and disconnection.

Connectivity is the charger's latest `evse_connectivity` Record; the state of charge is read
from the vehicle's latest status log (source CONNECTED: the sandbox has no manual entries).
Disconnecting an integrated vehicle leaves it INACTIVE (its provider link kept, so it can be
reconnected) and closes its open charging sessions, as the spec describes; an unintegrated
vehicle is left as it is. A reconnection link is only offered for a vehicle that has (or had)
an integration.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction

from evadmin.sandbox import webhooks
from evadmin.sandbox.collections.charging import SESSION, SUB_SESSION
from evadmin.sandbox.collections.charging_actions import DB, end_sub_session
from evadmin.sandbox.collections.devices import (
    EVSE_STATUS,
    EVSES,
    VEHICLE_STATUS,
    VEHICLES,
    latest_status_log,
    log_json,
    log_url,
    vehicle_json,
)
from evadmin.sandbox.models import Record
from evadmin.sandbox.resources import Action, Detail
from evadmin.sandbox.responses import ApiError, json_response, not_found, validation_failed
from evadmin.sandbox.seeding.device_logs import CONNECTIVITY_FIELDS, EVSE_CONNECTIVITY
from evadmin.sandbox.serializers import iso_datetime

# Where the real API sends a driver to re-link a device; here an example host, never a real app.
RECONNECT_ORIGIN = "https://app.example.com"
RECONNECT_LINK_LIFETIME = timedelta(hours=1)


def connectivity_json(evse, context, expand: set[str]) -> dict:
    snapshot = Record.objects.filter(kind=EVSE_CONNECTIVITY, parent_id=evse.pk).order_by("-at", "-id").first()
    if snapshot is None:
        raise not_found(f"No connectivity data has been recorded for EVSE {evse.pk}.")
    data = {name: snapshot.data.get(name) for name in (*CONNECTIVITY_FIELDS, "connection_reliability_30d")}
    log = latest_status_log(evse, EVSE_STATUS.kind)
    if log is None:
        data["latest_status_log"] = None
    elif "latest_status_log" in expand:
        data["latest_status_log"] = log_json(log, context, set(), EVSE_STATUS)
    else:
        data["latest_status_log"] = log_url(context.base, EVSE_STATUS, log)
    return data


def state_of_charge_json(vehicle, context, expand: set[str]) -> dict:
    log = latest_status_log(vehicle, VEHICLE_STATUS.kind)
    percentage = log.data.get("state_of_charge_percentage") if log is not None else None
    return {
        "url": f"{context.base}/vehicles/{vehicle.id}/state_of_charge",
        "vehicle": f"{context.base}/vehicles/{vehicle.id}",
        "state_of_charge_percentage": percentage,
        "source": "CONNECTED" if percentage is not None else None,
        "updated_at": log.data["sampled_at"] if percentage is not None else None,
    }


def evse_reconnect(context, evse):
    if context.request.body.strip() and not isinstance(context.body(), dict):  # the spec's body is an object
        raise validation_failed("validation-failed-evse-reconnect", {"non_field_errors": [
            "Invalid data. Expected a dictionary."]})
    return json_response({"url": f"{RECONNECT_ORIGIN}/evse-onboarding/start/{uuid.uuid4()}"}, status=201)


def vehicle_reconnect(context, vehicle):
    if context.request.body.strip() and not isinstance(context.body(), dict):  # the spec's body is an object (VehicleReconnectionUrl)
        raise validation_failed("validation-failed-vehicle-reconnect", {"non_field_errors": [
            "Invalid data. Expected a dictionary."]})
    if vehicle.integrated == "UNINTEGRATED":
        raise ApiError(400, "Vehicle cannot be reconnected",
                       f"Vehicle {vehicle.id} has no integration to reconnect; onboard it instead.",
                       "vehicle-not-integrated")
    expires_at = datetime.now(UTC) + RECONNECT_LINK_LIFETIME
    return json_response({"url": f"{RECONNECT_ORIGIN}/vehicle-onboarding/start/{uuid.uuid4()}",
                          "expires_at": iso_datetime(expires_at)}, status=201)


def _close_open_sessions(vehicle_id: str, now: datetime) -> None:
    """A disconnected vehicle stops charging: its running sub-sessions end (announced by webhook, as
    any end is) and so do its plug-in sessions."""
    for sub_session in Record.objects.filter(kind=SUB_SESSION, ends_at__isnull=True, data___vehicle_id=vehicle_id):
        end_sub_session(sub_session, reason="REMOVE_INTEGRATION", at=now)
        webhooks.sub_session_event(sub_session, "charging_sub_session.ended")
    for session in Record.objects.filter(kind=SESSION, ends_at__isnull=True, data___vehicle_id=vehicle_id):
        session.ends_at = now
        session.data["end"] = iso_datetime(now)
        session.save(update_fields=["ends_at", "data"])


def vehicle_disconnect(context, vehicle):
    with transaction.atomic(using=DB):
        vehicle.refresh_from_db()
        if vehicle.integrated == "ACTIVE":
            vehicle.integrated = "INACTIVE"
            vehicle.save(update_fields=["integrated"])
            _close_open_sessions(vehicle.id, datetime.now(UTC))
    return json_response(vehicle_json(vehicle, context, set()))


DECLARATIONS = (
    Detail(EVSES, "connectivity", "evse:read", connectivity_json, expands=("latest_status_log",)),
    Action(EVSES, "reconnect", "evse:write", evse_reconnect),
    Detail(VEHICLES, "state_of_charge", "vehicle:read", state_of_charge_json),
    # The spec names no scope for a vehicle's reconnection: any token will do.
    Action(VEHICLES, "reconnect", "", vehicle_reconnect),
    Action(VEHICLES, "disconnect", "vehicle:write", vehicle_disconnect),
)
