"""Evidence read from the sandbox over HTTP, as the pages read it, for the verdict tests.

Three shapes, like the pages: a sub-session's (the sub-session with its parts expanded, its ready-by
time, the tariff's prices for the window's days, every log in its window, the vehicle and the
charger's connectivity), a night's without a sub-session (noon to noon, local), and a device panel's
(the device and its logs over the month). Log walks read every page: the tests want the whole window.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from evadmin.charging.evidence import (
    DISPATCHER,
    EVSE_COMMANDS,
    EVSE_ERRORS,
    EVSE_OCPP,
    EVSE_STATUS,
    LOG_SOURCES,
    VEHICLE_COMMANDS,
    VEHICLE_ERRORS,
    VEHICLE_STATUS,
    Evidence,
    prices_window,
)
from evadmin.core.timezones import zone_named
from evadmin.drivers.selectors import driver_zone
from evadmin.evenergy import collections as c
from evadmin.evenergy.collections import call, read_detail
from evadmin.evenergy.errors import NotFound
from evadmin.evenergy.typed import parse_datetime

SUB_SESSION_EXPAND = ("energy_usage", "flags", "assessment", "debug_metadata", "schedules", "tariff", "vehicle",
                      "evse")
# source -> (collection, device ("evse" or "vehicle"), the time filter's field)
LOG_READS = {
    EVSE_STATUS: (c.EVSE_STATUS_LOGS, "evse", "sampled_at"),
    EVSE_OCPP: (c.EVSE_OCPP_LOGS, "evse", "sampled_at"),
    EVSE_ERRORS: (c.EVSE_ERROR_LOGS, "evse", "sampled_at"),
    EVSE_COMMANDS: (c.EVSE_COMMAND_LOGS, "evse", "logged_at"),
    VEHICLE_STATUS: (c.VEHICLE_STATUS_LOGS, "vehicle", "sampled_at"),
    VEHICLE_ERRORS: (c.VEHICLE_ERROR_LOGS, "vehicle", "logged_at"),
    VEHICLE_COMMANDS: (c.VEHICLE_COMMAND_LOGS, "vehicle", "logged_at"),
}
MONTH = timedelta(days=30)


def walk(client, collection, **params) -> list:
    return [item for page in client.collection(collection).pages(**params) for item in page]


def read_logs(client, *, sources, start: datetime, end: datetime, evse_id: str | None, vehicle_id: str | None,
              sub_session_id: str | None = None) -> dict[str, list]:
    """{source: its entries in [start, end], oldest first} for each source that can be read."""
    devices = {"evse": evse_id, "vehicle": vehicle_id}
    logs = {}
    for source in sources:
        if source == DISPATCHER:
            if sub_session_id:
                entries = call(client, c.DISPATCHER_LOGS, charging_sub_session_id=sub_session_id)
                logs[source] = sorted(entries, key=lambda log: log.logged_at)
            continue
        collection, device, field = LOG_READS[source]
        if devices[device] is None:
            continue
        entries = walk(client, collection, parent=devices[device], **{f"{field}__gte": start, f"{field}__lte": end})
        logs[source] = sorted(entries, key=lambda log: getattr(log, field))
    return logs


def _local_midnight(moment: datetime, zone: tzinfo) -> datetime:
    return datetime.combine(moment.astimezone(zone).date(), time(), tzinfo=zone).astimezone(UTC)


def sub_session_evidence(client, *, user_id: str, sub_session_id: str, sources=LOG_SOURCES) -> Evidence:
    sub = client.collection(c.CHARGING_SUB_SESSIONS).get(sub_session_id, user=user_id, expand=SUB_SESSION_EXPAND)
    zone = zone_named(sub.location.get("timezone"))
    end = sub.end or datetime.now(UTC)
    plans = read_detail(client, c.SUB_SESSION_SCHEDULE_PLANS, sub_session_id).schedule_plans
    latest_plan = max(plans, key=lambda plan: plan.created_at, default=None)
    evidence = Evidence(window_start=sub.start, window_end=end, zone=zone, sub_session=sub,
                        ready_by=latest_plan.ready_by_time if latest_plan else None)
    if sub.tariff is not None:
        first, last = prices_window(sub.start, end, zone)
        evidence.prices = walk(client, c.TARIFF_PRICES, parent=sub.tariff.id, page_size=100,
                               started_at__gte=first, started_at__lte=last)
    vehicle_id, evse_id = sub.related_id("vehicle"), sub.related_id("evse")
    _add_devices(client, evidence, user_id=user_id, vehicle_id=vehicle_id, evse_id=evse_id)
    evidence.logs = read_logs(client, sources=sources, start=sub.start, end=end, evse_id=evse_id,
                              vehicle_id=vehicle_id, sub_session_id=sub_session_id)
    return evidence


def night_evidence(client, *, user_id: str, vehicle_id: str, evse_id: str, plugged_in_at: str,
                   sources=LOG_SOURCES) -> Evidence:
    """A night without a sub-session: from local noon of the plug-in day to noon the next day."""
    zone = driver_zone(user_id=user_id)
    noon = _local_midnight(parse_datetime(plugged_in_at), zone) + timedelta(hours=12)
    evidence = Evidence(window_start=noon, window_end=noon + timedelta(days=1), zone=zone)
    _add_devices(client, evidence, user_id=user_id, vehicle_id=vehicle_id, evse_id=evse_id)
    evidence.logs = read_logs(client, sources=sources, start=evidence.window_start, end=evidence.window_end,
                              evse_id=evse_id, vehicle_id=vehicle_id)
    return evidence


def vehicle_panel_evidence(client, *, user_id: str, vehicle_id: str) -> Evidence:
    """A vehicle's device panel: the vehicle, and its status and error logs over the last month."""
    now = datetime.now(UTC)
    evidence = Evidence(window_start=now - MONTH, window_end=now, zone=driver_zone(user_id=user_id))
    _add_devices(client, evidence, user_id=user_id, vehicle_id=vehicle_id, evse_id=None)
    evidence.logs = read_logs(client, sources=(VEHICLE_STATUS, VEHICLE_ERRORS), start=evidence.window_start,
                              end=now, evse_id=None, vehicle_id=vehicle_id)
    return evidence


def charger_panel_evidence(client, *, user_id: str, evse_id: str) -> Evidence:
    """A charger's device panel: the charger and its connectivity (no logs)."""
    now = datetime.now(UTC)
    evidence = Evidence(window_start=now - MONTH, window_end=now, zone=driver_zone(user_id=user_id))
    _add_devices(client, evidence, user_id=user_id, vehicle_id=None, evse_id=evse_id)
    return evidence


def _add_devices(client, evidence: Evidence, *, user_id: str, vehicle_id: str | None, evse_id: str | None) -> None:
    if vehicle_id:
        evidence.vehicle = client.collection(c.VEHICLES).get(vehicle_id, user=user_id)
    if evse_id:
        evidence.evse = client.collection(c.EVSES).get(evse_id, user=user_id)
        try:
            evidence.connectivity = read_detail(client, c.EVSE_CONNECTIVITY, evse_id)
        except NotFound:  # a charger not installed yet has none: the rule needing it does not run
            evidence.connectivity = None
