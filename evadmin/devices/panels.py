"""What a device panel shows: a vehicle's or charger's state in words, how long since it last
reported, and the verdicts the evidence read so far supports.

Plain data for the templates (devices/*.html); no request is made here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from django.utils import timezone

from evadmin.charging.evidence import VEHICLE_ERRORS, Evidence
from evadmin.charging.verdicts import Verdict, verdicts_for
from evadmin.devices.selectors import VehicleErrors
from evadmin.evenergy.devices import EvseConnectivity, VehicleErrorLog
from evadmin.evenergy.resources import DeviceStatus, Evse, Vehicle

# A connected device reports several times a day (a vehicle whenever it is polled, a charger at
# every status change and heartbeat); silent for a day, it has missed a night's charging.
STALE_AFTER = timedelta(hours=24)
# The longest period a charger's connectivity speaks of (its reliability): the evidence's window.
RELIABILITY_PERIOD = timedelta(days=30)

INTEGRATION_WORDS = {
    "ACTIVE": "the manufacturer answers: evadmin sees the vehicle's own status",
    "INACTIVE": "the manufacturer no longer answers: the driver must re-link it",
    "UNINTEGRATED": "not linked to its manufacturer: only the charger reports on its charging",
}
LIFECYCLE_WORDS = {
    "CREATED_LINKED": "created and linked to the driver, not yet installed",
    "INSTALLED": "installed, not yet commissioned",
    "COMMISSIONED": "commissioned: in service",
    "DECOMMISSIONED": "decommissioned: out of service",
    "UNKNOWN": "stage unknown",
    "PROBABLY_INSTALLED": "probably installed (not confirmed)",
    "UNPAIRED": "unpaired from the driver's account",
    "PENDING": "onboarding pending",
    "ENROLLED": "enrolled",
}
NO_LIFECYCLE = "no stage recorded yet (normal for a charger just added)"

# Cellular signal in RSSI dBm, in the bands modem makers publish:
# https://wiki.teltonika-networks.com/view/Mobile_Signal_Strength_Recommendations
SIGNAL_WORDS = ((-70, "excellent"), (-85, "good"), (-100, "fair"))
POOR_SIGNAL = "poor"

# Claim anchors a device panel has (prefixed with the panel's id: a page shows several devices);
# a claim naming any other evidence links to the panel itself.
PANEL_ANCHORS = ("live", "connectivity", f"log-{VEHICLE_ERRORS}")


def device_name(device: Vehicle | Evse) -> str:
    """Make and model by name ("" when neither is known); the API's ids are never shown as text."""
    return " ".join(part for part in (device.make, device.model) if part)


def signal_words(rssi_dbm: int | None) -> str:
    if rssi_dbm is None:
        return ""
    return next((words for floor, words in SIGNAL_WORDS if rssi_dbm >= floor), POOR_SIGNAL)


@dataclass(frozen=True)
class LiveState:
    """A device's latest status log (expanded with the device list: no request of its own)."""

    status: DeviceStatus | None
    now: datetime

    @property
    def last_seen(self) -> datetime | None:
        if self.status is None:
            return None
        return self.status.sampled_at or self.status.logged_at

    @property
    def silent_for(self) -> timedelta | None:
        return self.now - self.last_seen if self.last_seen else None

    @property
    def stale(self) -> bool:
        """Never reported, or not for STALE_AFTER: the panel warns."""
        return self.silent_for is None or self.silent_for > STALE_AFTER

    @property
    def charge_rate_kw(self) -> float | None:
        rate = self.status.charge_rate_watts if self.status else None
        return rate / 1000 if rate is not None else None


@dataclass(frozen=True)
class DevicePanel:
    kind: str  # "vehicle" or "evse": the element id's prefix
    device: Vehicle | Evse
    live: LiveState
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.device.id}"

    @property
    def name(self) -> str:
        return device_name(self.device)

    @property
    def device_word(self) -> str:
        return "vehicle" if self.kind == "vehicle" else "charger"

    @property
    def unnamed(self) -> str:
        return f"{self.device_word.capitalize()} of unknown make and model"

    @property
    def state_words(self) -> str:
        if self.kind == "vehicle":
            return INTEGRATION_WORDS.get(self.device.integrated or "", "")
        state = self.device.lifecycle_state
        return LIFECYCLE_WORDS.get(state, "") if state else NO_LIFECYCLE


def device_evidence(*, zone: tzinfo, since: datetime, until: datetime, vehicle: Vehicle | None = None,
                    evse: Evse | None = None, connectivity: EvseConnectivity | None = None,
                    vehicle_errors: list[VehicleErrorLog] | None = None) -> Evidence:
    """What a device panel has read, for the verdict rules; `since`..`until` the period it covers."""
    logs = {VEHICLE_ERRORS: vehicle_errors} if vehicle_errors is not None else {}
    return Evidence(window_start=since, window_end=until, zone=zone, vehicle=vehicle, evse=evse,
                    connectivity=connectivity, logs=logs)


def panel_verdicts(evidence: Evidence, *, panel_id: str, shown: Evidence | None = None) -> list[Verdict]:
    """verdicts_for(evidence) with each claim linking into this panel; without those `shown`
    evidence already gave (the panel states them above its lazily read parts)."""
    already = {verdict.rule for verdict in verdicts_for(shown)} if shown is not None else set()
    return [replace(verdict, claims=[replace(claim, anchor=_panel_anchor(panel_id, claim.anchor), query="")
                                     for claim in verdict.claims])
            for verdict in verdicts_for(evidence) if verdict.rule not in already]


def _panel_anchor(panel_id: str, anchor: str) -> str:
    return f"{panel_id}-{anchor}" if anchor in PANEL_ANCHORS else panel_id


def base_evidence(*, zone: tzinfo, device: Vehicle | Evse, now: datetime | None = None) -> Evidence:
    """A panel's evidence before anything is opened: the device and its latest status (up to now)."""
    now = now or timezone.now()
    live = LiveState(device.latest_status, now)
    since = min(live.last_seen or now, now)
    if isinstance(device, Vehicle):
        return device_evidence(zone=zone, since=since, until=now, vehicle=device)
    return device_evidence(zone=zone, since=since, until=now, evse=device)


def device_panels(*, vehicles: list[Vehicle], evses: list[Evse], zone: tzinfo) -> dict[str, list[DevicePanel]]:
    """{"vehicle_panels": [...], "evse_panels": [...]}: one panel per device, in the API's order."""
    now = timezone.now()

    def panel(kind: str, device: Vehicle | Evse) -> DevicePanel:
        live = LiveState(device.latest_status, now)
        verdicts = panel_verdicts(base_evidence(zone=zone, device=device, now=now), panel_id=f"{kind}-{device.id}")
        return DevicePanel(kind=kind, device=device, live=live, verdicts=verdicts)

    return {"vehicle_panels": [panel("vehicle", vehicle) for vehicle in vehicles],
            "evse_panels": [panel("evse", evse) for evse in evses]}


def connectivity_verdicts(*, zone: tzinfo, evse: Evse | None, connectivity: EvseConnectivity, as_of: datetime,
                          panel_id: str) -> list[Verdict]:
    """What the charger's connectivity adds to the panel's verdicts (`evse` None: not in the list seen)."""
    evidence = device_evidence(zone=zone, since=as_of - RELIABILITY_PERIOD, until=as_of, evse=evse,
                               connectivity=connectivity)
    shown = base_evidence(zone=zone, device=evse, now=as_of) if evse is not None else None
    return panel_verdicts(evidence, panel_id=panel_id, shown=shown)


def vehicle_error_verdicts(*, zone: tzinfo, vehicle: Vehicle | None, log: VehicleErrors,
                           panel_id: str) -> list[Verdict]:
    """What the vehicle's error log adds to the panel's verdicts (`vehicle` None: not in the list seen)."""
    evidence = device_evidence(zone=zone, since=log.since, until=log.until, vehicle=vehicle,
                               vehicle_errors=log.oldest_first)
    if log.more:  # only the newest page: the first error shown is not when the trouble began
        evidence.truncated.add(VEHICLE_ERRORS)
    shown = base_evidence(zone=zone, device=vehicle, now=log.until) if vehicle is not None else None
    return panel_verdicts(evidence, panel_id=panel_id, shown=shown)
