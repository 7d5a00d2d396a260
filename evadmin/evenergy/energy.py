"""Typed energy devices: solar arrays, inverters, home batteries and their status logs, and HEM systems
with their live power and energy statistics.

Fields are the ones evadmin's pages read; `raw` keeps the rest (typed.py says how they are read).
A solar array read with `expand=inverter` carries its inverter; inverters and home batteries read with
`expand=model&expand=model.make&expand=latest_status_log` carry their make, model and latest state: each
kind is one request. A HEM system's live power and energy statistics are one request each (the spec has
no expand for them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from evadmin.evenergy.typed import ApiObject

BATTERY_STATUS_LABELS = {"CHARGING": "charging", "DISCHARGING": "discharging", "IDLE": "idle", "FAULT": "fault",
                         "UNKNOWN": "unknown"}
INVERTER_STATUS_LABELS = {"PRODUCING": "producing", "CONSUMING": "consuming", "IDLE": "idle", "UNKNOWN": "unknown"}
OPERATION_MODE_LABELS = {"EXPORT_FOCUS": "export focus", "IMPORT_FOCUS": "import focus", "TIME_OF_USE": "time of use",
                         "SELF_RELIANCE": "self reliance", "IDLE": "idle", "UNKNOWN": "unknown"}
RESOLUTION_LABELS = {"PT30M": "half-hourly", "P1D": "daily", "P1M": "monthly"}


def kilowatts(watts: int | None) -> str:
    """"4.2 kW" (or "—" when not known)."""
    if watts is None:
        return "—"
    return f"{watts / 1000:.1f} kW"


@dataclass
class EnergyMake(ApiObject):
    id: str = ""
    name: str = ""


@dataclass
class EnergyModel(ApiObject):
    id: str = ""
    name: str = ""
    make: EnergyMake | None = None  # expanded (`model.make`)

    @property
    def label(self) -> str:
        make = self.make.name if self.make is not None else ""
        return " ".join(part for part in (make, self.name) if part)


@dataclass
class InverterStatusLog(ApiObject):
    sampled_at: datetime | None = None
    solar_power_watts: int | None = None
    status: str = ""

    @property
    def status_label(self) -> str:
        return INVERTER_STATUS_LABELS.get(self.status, self.status or "unknown")


@dataclass
class Inverter(ApiObject):
    id: str = ""
    model: EnergyModel | None = None  # expanded
    created_at: datetime | None = None
    latest_status_log: InverterStatusLog | None = None  # expanded; None when the inverter has reported nothing


@dataclass
class SolarForecast(ApiObject):
    solar_watt_hours_until_midnight: int | None = None
    percent_vehicle_battery_charge_until_midnight: int | None = None
    last_updated_at: datetime | None = None


@dataclass
class SolarArray(ApiObject):
    id: str = ""
    capacity_watts: int | None = None
    inverter: Inverter | None = None  # expanded (`expand=inverter`)
    forecast: SolarForecast | None = None

    @property
    def capacity_label(self) -> str:
        return kilowatts(self.capacity_watts)


@dataclass
class HomeBatteryStatusLog(ApiObject):
    sampled_at: datetime | None = None
    capacity_watt_hours: int | None = None
    state_of_charge_percentage: int | None = None
    charge_rate_watts: int | None = None  # positive: charging
    discharge_limit_percentage: int | None = None
    status: str = ""
    operation_mode: str = ""

    @property
    def status_label(self) -> str:
        return BATTERY_STATUS_LABELS.get(self.status, self.status or "unknown")

    @property
    def operation_mode_label(self) -> str:
        return OPERATION_MODE_LABELS.get(self.operation_mode, self.operation_mode or "unknown")


@dataclass
class HomeBattery(ApiObject):
    id: str = ""
    model: EnergyModel | None = None  # expanded
    created_at: datetime | None = None
    latest_status_log: HomeBatteryStatusLog | None = None  # expanded: the battery's latest state


@dataclass
class HemSystem(ApiObject):
    id: str = ""
    created_at: datetime | None = None


# The live power's flows, in the order the panel's table lists them: (field, words).
LIVE_POWER_FLOWS = (
    ("generation_watts", "Solar generation"), ("consumption_watts", "Home consumption"),
    ("import_watts", "Import from the grid"), ("export_watts", "Export to the grid"),
    ("charge_watts", "Battery charging"), ("discharge_watts", "Battery discharging"),
    ("solar_to_home_watts", "Solar to home"), ("solar_to_battery_watts", "Solar to battery"),
    ("solar_to_grid_watts", "Solar to grid"), ("battery_to_home_watts", "Battery to home"),
    ("battery_to_grid_watts", "Battery to grid"), ("grid_to_home_watts", "Grid to home"),
    ("grid_to_battery_watts", "Grid to battery"),
)


@dataclass
class HemLivePower(ApiObject):
    sampled_at: datetime | None = None
    generation_watts: int | None = None
    consumption_watts: int | None = None
    import_watts: int | None = None
    export_watts: int | None = None
    charge_watts: int | None = None
    discharge_watts: int | None = None
    solar_to_home_watts: int | None = None
    solar_to_battery_watts: int | None = None
    solar_to_grid_watts: int | None = None
    battery_to_home_watts: int | None = None
    battery_to_grid_watts: int | None = None
    grid_to_home_watts: int | None = None
    grid_to_battery_watts: int | None = None
    battery_state_of_charge_percentage: int | None = None

    @property
    def flows(self) -> list[tuple[str, int | None]]:
        return [(words, getattr(self, name)) for name, words in LIVE_POWER_FLOWS]


# The statistics the chart and its table show: (field, words).
STATS_SERIES = (
    ("generation_wh", "Solar generation"), ("consumption_wh", "Home consumption"), ("import_wh", "Grid import"),
    ("export_wh", "Grid export"), ("charge_wh", "Battery charging"), ("discharge_wh", "Battery discharging"),
)


@dataclass
class HemEnergyStatsBucket(ApiObject):
    period_start: datetime | None = None
    period_end: datetime | None = None
    generation_wh: int | None = None
    consumption_wh: int | None = None
    import_wh: int | None = None
    export_wh: int | None = None
    charge_wh: int | None = None
    discharge_wh: int | None = None
    avg_battery_state_of_charge_percentage: int | None = None
    solar_to_home_wh: int | None = None
    solar_to_battery_wh: int | None = None
    solar_to_grid_wh: int | None = None
    battery_to_home_wh: int | None = None
    battery_to_grid_wh: int | None = None
    grid_to_home_wh: int | None = None
    grid_to_battery_wh: int | None = None

    @property
    def series_values(self) -> list[int | None]:
        return [getattr(self, name) for name, _words in STATS_SERIES]


@dataclass
class HemEnergyStats(ApiObject):
    resolution: str = ""
    start: datetime | None = None
    end: datetime | None = None
    buckets: list[HemEnergyStatsBucket] = field(default_factory=list)

    @property
    def resolution_label(self) -> str:
        return RESOLUTION_LABELS.get(self.resolution, self.resolution or "")
