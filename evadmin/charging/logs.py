"""The log sources of a charging window: what each is, how it is read (one request, through the read
cache) and how one entry reads in a line.

Each source is one page of at most 100 entries in the window (the API serves logs newest first: a
window with more keeps the latest 100, and the panel says so). Entries are kept oldest first, the
order `Evidence.logs` promises the verdict rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evadmin.charging import evidence as sources
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import (
    DISPATCHER_LOGS,
    EVSE_COMMAND_LOGS,
    EVSE_ERROR_LOGS,
    EVSE_OCPP_LOGS,
    EVSE_STATUS_LOGS,
    VEHICLE_COMMAND_LOGS,
    VEHICLE_ERROR_LOGS,
    VEHICLE_STATUS_LOGS,
    call,
)
from evadmin.evenergy.pagination import MAX_PAGE_SIZE
from evadmin.evenergy.read_cache import Read, read_cache_peek, read_through

EVSE, VEHICLE, SUB_SESSION = "evse", "vehicle", "sub_session"


@dataclass(frozen=True)
class LogSource:
    name: str  # a key of Evidence.logs
    label: str  # "Charger OCPP log"
    declaration: object
    device: str  # what the log hangs off: EVSE, VEHICLE or SUB_SESSION (dispatcher logs)
    time_field: str  # "sampled_at" or "logged_at": the filter and the entry's time


LOG_SOURCES: dict[str, LogSource] = {source.name: source for source in (
    LogSource(sources.EVSE_STATUS, "Charger status log", EVSE_STATUS_LOGS, EVSE, "sampled_at"),
    LogSource(sources.EVSE_OCPP, "Charger OCPP log", EVSE_OCPP_LOGS, EVSE, "sampled_at"),
    LogSource(sources.EVSE_ERRORS, "Charger error log", EVSE_ERROR_LOGS, EVSE, "sampled_at"),
    LogSource(sources.EVSE_COMMANDS, "Charger command log", EVSE_COMMAND_LOGS, EVSE, "logged_at"),
    LogSource(sources.VEHICLE_STATUS, "Vehicle status log", VEHICLE_STATUS_LOGS, VEHICLE, "sampled_at"),
    LogSource(sources.VEHICLE_ERRORS, "Vehicle error log", VEHICLE_ERROR_LOGS, VEHICLE, "logged_at"),
    LogSource(sources.VEHICLE_COMMANDS, "Vehicle command log", VEHICLE_COMMAND_LOGS, VEHICLE, "logged_at"),
    LogSource(sources.DISPATCHER, "Dispatcher log", DISPATCHER_LOGS, SUB_SESSION, "logged_at"),
)}


@dataclass(frozen=True)
class LogRead:
    entries: list  # oldest first
    complete: bool  # False: the window holds more than one page; these are its latest entries


@dataclass(frozen=True)
class Entry:
    """One line of the merged log timeline."""

    at: datetime
    source: str
    label: str
    summary: str


def parse_sources(value: str | None) -> list[str]:
    """`?logs=evse_ocpp,evse_status` as known source names, in LOG_SOURCES order; unknown ones dropped."""
    asked = {name.strip() for name in (value or "").split(",")}
    return [name for name in LOG_SOURCES if name in asked]


def _cache_name(source: LogSource, owner_id: str, start: datetime, end: datetime) -> str:
    return f"charging:log:{source.name}:{owner_id}:{start.isoformat()}:{end.isoformat()}"


def entry_time(source: LogSource, entry) -> datetime | None:
    return getattr(entry, source.time_field, None)


def _fetch(source: LogSource, owner_id: str, start: datetime, end: datetime) -> LogRead:
    client = evenergy_client()
    bounds = {f"{source.time_field}__gte": start, f"{source.time_field}__lte": end}
    if source.device == SUB_SESSION:
        # The spec gives dispatcher logs no paging: the window bounds them.
        entries = call(client, DISPATCHER_LOGS, charging_sub_session_id=owner_id, **bounds)
        complete = True
    else:
        page = client.collection(source.declaration).list(parent=owner_id, page_size=MAX_PAGE_SIZE, **bounds)
        entries, complete = page.items, not page.has_next
    dated = [entry for entry in entries if entry_time(source, entry) is not None]
    return LogRead(entries=sorted(dated, key=lambda entry: entry_time(source, entry)), complete=complete)


def log_read(*, user_id: str, source: str, owner_id: str, start: datetime, end: datetime,
             refresh: bool = False) -> Read[LogRead]:
    """One source's entries in [start, end]: one request, or none within the cache time."""
    log_source = LOG_SOURCES[source]
    return read_through(scope=user_id, name=_cache_name(log_source, owner_id, start, end), refresh=refresh,
                        fetch=lambda: _fetch(log_source, owner_id, start, end))


def log_peek(*, user_id: str, source: str, owner_id: str, start: datetime, end: datetime) -> Read[LogRead] | None:
    """The source's entries if a page has read them within the cache time, else None (never a request)."""
    return read_cache_peek(scope=user_id, name=_cache_name(LOG_SOURCES[source], owner_id, start, end))


# --- One line per entry ----------------------------------------------------------------------

def _yes_no(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else yes if value else no


def _kilowatts(watts: int | None) -> str | None:
    return f"{watts / 1000:g} kW" if watts else None


def _join(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part) or "—"


def _evse_status(log) -> str:
    rate = _kilowatts(log.charge_rate_watts) if log.is_charging else None
    return _join(_yes_no(log.is_plugged_in, "plugged in", "not plugged in"),
                 _yes_no(log.is_charging, "charging", "not charging"), rate,
                 f"{log.signal_strength_rssi_dbm} dBm" if log.signal_strength_rssi_dbm is not None else None,
                 _yes_no(log.is_enabled, None, "disabled"))


def _ocpp(log) -> str:
    payload = log.payload if isinstance(log.payload, dict) else {}
    words = [log.action or "OCPP message"]
    if isinstance(payload.get("status"), str):
        words.append(payload["status"])
    details = [str(payload[key]) for key in ("info", "vendorErrorCode") if payload.get(key)]
    error = payload.get("errorCode")
    if isinstance(error, str) and error != "NoError":
        details.insert(0, error)
    line = " ".join(words) + (f" ({'; '.join(details)})" if details else "")
    return line if log.direction != "Sent" else f"{line}, sent to the charger"


def _evse_error(log) -> str:
    head = " ".join(part for part in (log.error_type, log.error_code) if part)
    return _join(head or None, log.error_detail)


def _evse_command(log) -> str:
    amps = f"limit {log.max_load_target_milliamps / 1000:g} A" if log.max_load_target_milliamps is not None else None
    return _join(amps, _yes_no(log.is_enabled_target, "enable", "disable"), log.reason)


def _vehicle_status(log) -> str:
    soc = f"{log.state_of_charge_percentage}%" if log.state_of_charge_percentage is not None else None
    rate = _kilowatts(log.charge_rate_watts) if log.is_charging else None
    return _join(_yes_no(log.is_plugged_in, "plugged in", "not plugged in"),
                 _yes_no(log.is_charging, "charging", "not charging"), rate, soc)


def _vehicle_error(log) -> str:
    head = " ".join(part for part in (str(log.status_code or ""), log.error_type, log.error_code) if part)
    return _join(head or None, f"on {log.command}" if log.command else None, log.error_detail or None)


def _vehicle_command(log) -> str:
    return _join(log.command or "command",
                 f"{log.current_milliamps / 1000:g} A" if log.current_milliamps is not None else None)


def _dispatcher(log) -> str:
    if log.reason_not_sent:
        return f"No command sent to the {(log.device_type or 'device').lower()}: {log.reason_not_sent}"
    return f"Command sent to the {(log.device_type or 'device').lower()}"


SUMMARIES = {
    sources.EVSE_STATUS: _evse_status, sources.EVSE_OCPP: _ocpp, sources.EVSE_ERRORS: _evse_error,
    sources.EVSE_COMMANDS: _evse_command, sources.VEHICLE_STATUS: _vehicle_status,
    sources.VEHICLE_ERRORS: _vehicle_error, sources.VEHICLE_COMMANDS: _vehicle_command,
    sources.DISPATCHER: _dispatcher,
}


def log_summary(source: str, entry) -> str:
    return SUMMARIES[source](entry)


def merged_entries(logs: dict[str, list], *, shown: list[str], text: str = "") -> list[Entry]:
    """The entries of the `shown` sources on one time axis, oldest first, matching `text` (any case)."""
    needle = text.strip().lower()
    found = []
    for name in shown:
        source = LOG_SOURCES[name]
        for entry in logs.get(name, []):
            summary = log_summary(name, entry)
            if needle and needle not in summary.lower() and needle not in source.label.lower():
                continue
            found.append(Entry(at=entry_time(source, entry), source=name, label=source.label, summary=summary))
    return sorted(found, key=lambda entry: entry.at)
