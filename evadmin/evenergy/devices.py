"""Typed device resources beyond the charger and vehicle themselves: their logs, a charger's
connectivity, a vehicle's state of charge, the makes/models/trims that name them, compatibility
checks and reconnection links.

Fields are the ones evadmin's pages read; `raw` keeps the rest (typed.py says how they are read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evadmin.evenergy.resources import DeviceModel, Make, VehicleTrim
from evadmin.evenergy.typed import ApiObject

__all__ = ["DeviceModel", "Make", "VehicleTrim"]  # the catalogue's types live with Vehicle and Evse


@dataclass
class EvseStatusLog(ApiObject):
    sampled_at: datetime | None = None
    logged_at: datetime | None = None
    is_plugged_in: bool | None = None
    is_charging: bool | None = None
    is_enabled: bool | None = None
    charge_rate_watts: int | None = None
    control_pilot_status: str | None = None
    signal_strength_rssi_dbm: int | None = None
    mode: str | None = None


@dataclass
class EvseErrorLog(ApiObject):
    sampled_at: datetime | None = None
    status_code: int | None = None
    controller: str = ""
    error_code: str | None = None
    error_type: str | None = None
    error_detail: str | None = None


@dataclass
class OcppLog(ApiObject):
    sampled_at: datetime | None = None
    direction: str = ""  # "Sent" or "Received" (the filter says SENT / RECEIVED)
    action: str = ""
    message_id: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] | None = None


@dataclass
class EvseCommandLog(ApiObject):
    logged_at: datetime | None = None
    max_load_target_milliamps: int | None = None
    is_enabled_target: bool | None = None
    reason: str | None = None


@dataclass
class EvseConnectivity(ApiObject):
    connection_reliability_30d: int | None = None  # 0 (always offline) .. 100 (always online)
    signal_strength_rssi_dbm: int | None = None  # null for WiFi chargers, as are the 7-day extremes
    lowest_signal_strength_rssi_dbm_7d: int | None = None
    highest_signal_strength_rssi_dbm_7d: int | None = None
    firmware_version: str | None = None
    latest_status_log: EvseStatusLog | None = None


@dataclass
class VehicleStatusLog(ApiObject):
    sampled_at: datetime | None = None
    logged_at: datetime | None = None
    state_of_charge_percentage: int | None = None
    is_plugged_in: bool | None = None
    is_charging: bool | None = None
    charge_rate_watts: int | None = None
    state: str | None = None


@dataclass
class VehicleErrorLog(ApiObject):
    logged_at: datetime | None = None
    status_code: int | None = None
    controller: str = ""
    error_code: str = ""
    error_type: str = ""
    command: str = ""
    error_detail: str = ""


@dataclass
class VehicleLocationLog(ApiObject):
    sampled_at: datetime | None = None
    at_home: bool | None = None


@dataclass
class VehicleCommandLog(ApiObject):
    logged_at: datetime | None = None
    command: str = ""
    current_milliamps: int | None = None


@dataclass
class StateOfCharge(ApiObject):
    state_of_charge_percentage: int | None = None
    source: str | None = None
    updated_at: datetime | None = None


@dataclass
class CompatibilityCheck(ApiObject):
    compatible: bool | None = None
    beta: bool | None = None
    recommendation_rank: int | None = None


@dataclass
class ReconnectionLink(ApiObject):
    """Where the driver goes to reconnect a device; `expires_at` for vehicles."""

    url: str = ""
    expires_at: datetime | None = None
