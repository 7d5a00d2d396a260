"""Reads of a driver's charging, each costing once (through the shared read cache, scoped by the
driver's id), and the Evidence the pages and the verdict rules share.

What each page costs: the Charging panel one request a page (sub-sessions with flags, assessment
and tariff expanded); a night without a session one more when its check is opened (the vehicle's
status logs); a sub-session's page three (the sub-session with its parts expanded, its schedule
plans for the ready-by time, the tariff's prices for the window); a night's page its devices (cached
from the driver's page) and three logs; each further log source one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from evadmin.charging import evidence as sources
from evadmin.charging.evidence import Evidence, prices_window
from evadmin.charging.logs import EVSE, LOG_SOURCES, SUB_SESSION, VEHICLE, LogRead, log_peek, log_read
from evadmin.core.timezones import zone_named
from evadmin.drivers.selectors import driver_zone, user_device, user_devices
from evadmin.evenergy.charging import ChargingSubSession, Price
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import CHARGING_SUB_SESSIONS, SUB_SESSION_SCHEDULE_PLANS, TARIFF_PRICES, read_detail
from evadmin.evenergy.pagination import MAX_PAGE_SIZE, CursorPage
from evadmin.evenergy.read_cache import Read, read_cache_peek, read_cache_seen, read_through
from evadmin.evenergy.resources import Evse, Vehicle

PANEL_PAGE_SIZE = 25
GAP_CHECKS_PER_PAGE = 3  # each costs a request, so only the newest few nights offer one
SUB_SESSION_EXPAND = ("flags", "assessment", "tariff", "energy_usage", "schedules", "debug_metadata",
                      "vehicle.trim.model.make", "evse.model.make")
PANEL_EXPAND = ("flags", "assessment", "tariff", "vehicle.latest_status_log")  # the collection's default
NIGHT_SOURCES = (sources.EVSE_STATUS, sources.EVSE_OCPP, sources.VEHICLE_STATUS)  # read up front on a night's page
HALF_HOUR = timedelta(minutes=30)
NOON = time(12)


# --- Time windows ------------------------------------------------------------------------------

def sub_session_zone(sub_session: ChargingSubSession) -> tzinfo:
    location = sub_session.location if isinstance(sub_session.location, dict) else {}
    return zone_named(location.get("timezone"))


def night_of(moment: datetime, zone: tzinfo) -> date:
    """The night a moment belongs to: the local day it is, before noon counting as the night before."""
    return (moment.astimezone(zone) - timedelta(hours=12)).date()


def night_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """12:00 local on `day` to 12:00 local the next day, in UTC."""
    start = datetime.combine(day, NOON, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), NOON, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class NightsSeen:
    """The nights a page of sub-sessions (newest first) covers: its sessions by night, and the nights of
    the week before `last_night` it covers that have none."""
    last_night: date
    by_night: dict[date, list]
    gaps: list[date]


def night_url(user_id: str, night: date) -> str:
    """The night's page: its verdict says why it charged or not."""
    return reverse("charging:night", args=[user_id, night.isoformat()])


def nights_seen(sub_sessions, zone: tzinfo, *, now: datetime | None = None, week: int = 7) -> NightsSeen:
    """Last night (the night 12 hours ago) and the week's nights without a session, from sub-sessions
    evadmin already holds: never a request. Only nights back to the oldest held session count."""
    last_night = night_of((now or timezone.now()) - timedelta(hours=12), zone)
    by_night: dict[date, list] = {}
    for sub in sub_sessions:
        if sub.start:
            by_night.setdefault(night_of(sub.start, zone), []).append(sub)
    oldest = min(by_night, default=last_night)
    gaps = [last_night - timedelta(days=back) for back in range(1, week)
            if oldest <= last_night - timedelta(days=back) and last_night - timedelta(days=back) not in by_night]
    return NightsSeen(last_night, by_night, gaps)


def _floor_half_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 30, second=0, microsecond=0)


def sub_session_window(sub_session: ChargingSubSession, ready_by: datetime | None) -> tuple[datetime, datetime]:
    """Half an hour either side of the sub-session (and of its ready-by time when later), on half-hour
    boundaries: the same window on every read, so the logs read for it are found in the cache again."""
    start = sub_session.start or timezone.now()
    end = sub_session.end or timezone.now()
    if ready_by is not None and end < ready_by < start + timedelta(days=2):
        end = ready_by
    return _floor_half_hour(start) - HALF_HOUR, _floor_half_hour(end) + 2 * HALF_HOUR


# --- The Charging panel --------------------------------------------------------------------------

def _list_page_name(filters: dict, page_after: str | None, page_before: str | None) -> str:
    key = ":".join(f"{name}={value.isoformat() if isinstance(value, datetime) else value}"
                   for name, value in sorted(filters.items()))
    return f"charging:sub_sessions:{key}:{page_after or ''}:{page_before or ''}"


def newest_sub_sessions_seen(*, user_id: str) -> Read[CursorPage] | None:
    """The charging panel's first page (no filter) as evadmin last read it, never a request; or None."""
    return read_cache_seen(scope=user_id, name=_list_page_name({}, None, None))


def sub_session_list_page(*, user_id: str, filters: dict, page_after: str | None = None,
                          page_before: str | None = None, refresh: bool = False) -> Read[CursorPage]:
    """One page of the driver's sub-sessions, newest first: one request (the API pages newest first)."""
    return read_through(
        scope=user_id, name=_list_page_name(filters, page_after, page_before), refresh=refresh,
        fetch=lambda: evenergy_client().collection(CHARGING_SUB_SESSIONS).list(
            user=user_id, page_size=PANEL_PAGE_SIZE, page_after=page_after, page_before=page_before,
            expand=PANEL_EXPAND, **filters))


@dataclass(frozen=True)
class PanelRow:
    night: date
    zone: tzinfo
    sub_session: ChargingSubSession | None = None  # None: a night with no charging session
    ready_by: datetime | None = None  # only when a sub-session's page has read it (no request here)
    vehicle_id: str | None = None  # gap nights: whose status logs a check would read
    offers_check: bool = False


def panel_rows(*, user_id: str, sub_sessions: list[ChargingSubSession], with_gaps: bool) -> list[PanelRow]:
    """The page's sub-sessions, newest first, and (`with_gaps`) a row for each night between the oldest
    and the newest shown that had none; the newest GAP_CHECKS_PER_PAGE of those offer a check."""
    rows = []
    for sub in sub_sessions:
        if sub.start is None:
            continue
        zone = sub_session_zone(sub)
        rows.append(PanelRow(night=night_of(sub.start, zone), zone=zone, sub_session=sub,
                             ready_by=cached_ready_by(user_id=user_id, sub_session_id=sub.id)))
    if not with_gaps or not rows:
        return rows
    with_sessions = {row.night: row for row in rows}
    gaps, checks = [], 0
    newest, oldest = max(with_sessions), min(with_sessions)
    day = newest - timedelta(days=1)
    neighbour = with_sessions[newest]
    while day > oldest:
        if day in with_sessions:
            neighbour = with_sessions[day]
        else:
            vehicle_id = neighbour.sub_session.related_id("vehicle")
            offers = checks < GAP_CHECKS_PER_PAGE and vehicle_id is not None
            checks += offers
            gaps.append(PanelRow(night=day, zone=neighbour.zone, vehicle_id=vehicle_id, offers_check=offers))
        day -= timedelta(days=1)
    return sorted(rows + gaps, key=lambda row: (row.night, row.sub_session is not None and row.sub_session.start),
                  reverse=True)


@dataclass(frozen=True)
class PluggedInNight:
    read: Read[LogRead]
    plugged_from: datetime | None
    plugged_until: datetime | None

    @property
    def plugged_in(self) -> bool:
        return self.plugged_from is not None


def night_plugged_in(*, user_id: str, vehicle_id: str, day: date, zone: tzinfo,
                     refresh: bool = False) -> PluggedInNight:
    """Did the vehicle report being plugged in that night? Its status logs for the night: one request
    (the same read the night's page makes, so opening the night afterwards costs no more for it).
    Only the driver's own vehicle (from their cached device list): the logs are not scoped to a driver."""
    if not isinstance(user_device(user_id=user_id, device_id=vehicle_id), Vehicle):
        raise Http404("Not one of this driver's vehicles.")
    start, end = night_window(day, zone)
    read = log_read(user_id=user_id, source=sources.VEHICLE_STATUS, owner_id=vehicle_id, start=start, end=end,
                    refresh=refresh)
    plugged = [log.sampled_at for log in read.value.entries if log.is_plugged_in]
    return PluggedInNight(read=read, plugged_from=min(plugged, default=None), plugged_until=max(plugged, default=None))


# --- A sub-session -------------------------------------------------------------------------------

def _plans_name(sub_session_id: str) -> str:
    return f"charging:schedule_plans:{sub_session_id}"


def sub_session_get(*, user_id: str, sub_session_id: str, refresh: bool = False) -> Read[ChargingSubSession]:
    """The sub-session with what explains it expanded, and its vehicle and charger by make and model."""
    return read_through(
        scope=user_id, name=f"charging:sub_session:{sub_session_id}", refresh=refresh,
        fetch=lambda: evenergy_client().collection(CHARGING_SUB_SESSIONS).get(
            sub_session_id, user=user_id, expand=SUB_SESSION_EXPAND))


def _latest_ready_by(plans) -> datetime | None:
    dated = [plan for plan in plans.schedule_plans if plan.ready_by_time is not None]
    if not dated:
        return None
    return max(dated, key=lambda plan: plan.created_at or datetime.min.replace(tzinfo=UTC)).ready_by_time


def sub_session_ready_by(*, user_id: str, sub_session_id: str, refresh: bool = False) -> Read:
    """The sub-session's schedule plans (the latest plan's ready-by time is the one it worked to)."""
    return read_through(scope=user_id, name=_plans_name(sub_session_id), refresh=refresh,
                        fetch=lambda: read_detail(evenergy_client(), SUB_SESSION_SCHEDULE_PLANS, sub_session_id))


def cached_ready_by(*, user_id: str, sub_session_id: str) -> datetime | None:
    read = read_cache_peek(scope=user_id, name=_plans_name(sub_session_id))
    return _latest_ready_by(read.value) if read else None


def tariff_prices(*, user_id: str, tariff_id: str, start: datetime, end: datetime,
                  refresh: bool = False) -> Read[list[Price]]:
    """The tariff's prices in the window, oldest first: one page sized for the window's half-hours."""
    periods = int((end - start) / HALF_HOUR) + 2

    def fetch() -> list[Price]:
        page = evenergy_client().collection(TARIFF_PRICES).list(
            parent=tariff_id, page_size=min(MAX_PAGE_SIZE, periods), started_at__gte=start, started_at__lte=end)
        return sorted((price for price in page.items if price.started_at), key=lambda price: price.started_at)

    return read_through(scope=user_id, name=f"charging:prices:{tariff_id}:{start.isoformat()}:{end.isoformat()}",
                        refresh=refresh, fetch=fetch)


# --- Evidence --------------------------------------------------------------------------------------

@dataclass
class Investigation:
    """What a sub-session's or a night's page shows: the Evidence, and the reads behind it (their age
    and what they cost)."""

    user_id: str
    evidence: Evidence
    reads: dict[str, Read] = field(default_factory=dict)  # "sub_session", "plans", "prices", "devices"
    log_reads: dict[str, Read[LogRead]] = field(default_factory=dict)  # the log sources read
    owners: dict[str, str] = field(default_factory=dict)  # EVSE / VEHICLE / SUB_SESSION -> its id
    sub_session_id: str = ""
    night: date | None = None

    @property
    def requests_spent(self) -> int:
        return sum(read.live for read in (*self.reads.values(), *self.log_reads.values()))

    @property
    def available_sources(self) -> list[str]:
        """The log sources this window has an owner for (no charger: no charger logs)."""
        return [name for name, source in LOG_SOURCES.items() if source.device in self.owners]


def evidence_build(*, user_id: str, window_start: datetime, window_end: datetime, zone: tzinfo,
                   owners: dict[str, str], load: list[str] | tuple[str, ...] = (),
                   sub_session: ChargingSubSession | None = None, ready_by: datetime | None = None,
                   prices: list[Price] | None = None, vehicle: Vehicle | None = None, evse: Evse | None = None,
                   refresh: bool = False) -> tuple[Evidence, dict[str, Read[LogRead]]]:
    """The Evidence of a window: the `load` sources read (one request each, none when cached) and every
    other source some page has already read for this window (from the cache, at no cost)."""
    evidence = Evidence(window_start=window_start, window_end=window_end, zone=zone, sub_session=sub_session,
                        ready_by=ready_by, prices=prices, vehicle=vehicle, evse=evse)
    log_reads: dict[str, Read[LogRead]] = {}
    for name, source in LOG_SOURCES.items():
        owner = owners.get(source.device)
        if owner is None:
            continue
        window = {"user_id": user_id, "source": name, "owner_id": owner, "start": window_start, "end": window_end}
        read = log_read(**window, refresh=refresh) if name in load else log_peek(**window)
        if read is not None:
            log_reads[name] = read
            evidence.logs[name] = read.value.entries
            if not read.value.complete:
                evidence.truncated.add(name)
    return evidence, log_reads


def sub_session_investigation(*, user_id: str, sub_session_id: str, load=(), refresh: bool = False) -> Investigation:
    """A sub-session's page: at most three requests (sub-session, schedule plans, prices) before logs."""
    reads: dict[str, Read] = {"sub_session": sub_session_get(user_id=user_id, sub_session_id=sub_session_id,
                                                             refresh=refresh)}
    sub = reads["sub_session"].value
    reads["plans"] = sub_session_ready_by(user_id=user_id, sub_session_id=sub_session_id, refresh=refresh)
    ready_by = _latest_ready_by(reads["plans"].value)
    start, end = sub_session_window(sub, ready_by)
    tariff_id = sub.tariff.id if sub.tariff and sub.tariff.id else sub.related_id("tariff")
    prices = None
    if tariff_id:  # whole local days: the peak rule judges a day's peak from all of its prices
        price_start, price_end = prices_window(start, end, sub_session_zone(sub))
        reads["prices"] = tariff_prices(user_id=user_id, tariff_id=tariff_id, start=price_start, end=price_end,
                                        refresh=refresh)
        prices = reads["prices"].value
    owners = {SUB_SESSION: sub.id}
    for device, related in ((EVSE, "evse"), (VEHICLE, "vehicle")):
        if sub.related_id(related):
            owners[device] = sub.related_id(related)
    evidence, log_reads = evidence_build(
        user_id=user_id, window_start=start, window_end=end, zone=sub_session_zone(sub), owners=owners, load=load,
        sub_session=sub, ready_by=ready_by, prices=prices, vehicle=sub.vehicle, evse=sub.evse, refresh=refresh)
    return Investigation(user_id=user_id, evidence=evidence, reads=reads, log_reads=log_reads, owners=owners,
                         sub_session_id=sub.id)


def night_investigation(*, user_id: str, day: date, zone: tzinfo | None = None, load=(),
                        refresh: bool = False) -> Investigation:
    """A night without a session: the driver's first charger and vehicle (cached from the driver's page),
    and their status and OCPP logs up front (three requests), so a verdict on an offline charger can be given."""
    zone = zone or driver_zone(user_id=user_id)
    devices = user_devices(user_id=user_id, refresh=refresh)
    vehicles, evses = devices.value
    vehicle, evse = (vehicles[0] if vehicles else None), (evses[0] if evses else None)
    owners = {device: item.id for device, item in ((EVSE, evse), (VEHICLE, vehicle)) if item is not None}
    start, end = night_window(day, zone)
    evidence, log_reads = evidence_build(
        user_id=user_id, window_start=start, window_end=end, zone=zone, owners=owners,
        load=(*NIGHT_SOURCES, *load), vehicle=vehicle, evse=evse, refresh=refresh)
    return Investigation(user_id=user_id, evidence=evidence, reads={"devices": devices}, log_reads=log_reads,
                         owners=owners, night=day)
