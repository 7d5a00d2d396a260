"""Typed charging resources: sessions, sub-sessions and what explains them (flags, assessment,
energy usage, schedules, debug metadata, dispatcher logs) and a tariff's prices.

Fields are the ones evadmin's pages read; `raw` keeps the rest (typed.py says how they are read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evadmin.evenergy.resources import Evse, Tariff, Vehicle
from evadmin.evenergy.typed import ApiObject


@dataclass
class Flag(ApiObject):
    name: str = ""
    root_cause: str = ""


@dataclass
class SubSessionFlags(ApiObject):
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Assessment(ApiObject):
    """The assessment's red/amber/green ratings, `overall` among them, and the figures behind them."""

    energy_delivered_to_capacity_percentage: int | None = None
    energy_delivery_percentage: int | None = None
    average_charge_rate_watts: int | None = None
    max_charge_rate_watts: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    ratings: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def overall(self) -> str | None:
        rating = self.ratings.get("overall")
        return rating if isinstance(rating, str) else None


@dataclass
class UsageInterval(ApiObject):
    started_at: datetime | None = None
    interval_seconds: int | None = None
    total_energy_delivered_watt_hours: int | None = None


@dataclass
class EnergyUsage(ApiObject):
    currency: str = ""
    intervals: list[UsageInterval] = field(default_factory=list)
    last_updated_at: datetime | None = None


@dataclass
class ScheduleInterval(ApiObject):
    started_at: datetime | None = None
    interval_seconds: int | None = None
    current_milliamps: int | None = None
    schedule_type: str = ""


@dataclass
class Schedules(ApiObject):
    schedules: list[ScheduleInterval] = field(default_factory=list)


@dataclass
class SchedulePlan(ApiObject):
    id: str = ""
    created_at: datetime | None = None
    ready_by_time: datetime | None = None


@dataclass
class SchedulePlans(ApiObject):
    schedule_plans: list[SchedulePlan] = field(default_factory=list)


@dataclass
class DebugMetadata(ApiObject):
    start_reason: str | None = None
    finish_reason: str | None = None
    is_energy_delivered_capped: bool | None = None
    energy_usage_calculation_method: str | None = None


@dataclass
class ChargingSubSession(ApiObject):
    id: str = ""
    url: str = ""
    start: datetime | None = None
    end: datetime | None = None  # null while it runs
    mode: str = ""
    energy_delivered_watt_hours: int | None = None
    cost: int | None = None
    currency: str = ""
    cost_per_kilowatt_hour: int | None = None
    savings_cost: int | None = None
    percentage_added: float | None = None
    duration_minutes: int | None = None
    co2_intensity_classification: str | None = None
    labels: list[str] = field(default_factory=list)
    location: dict[str, Any] = field(default_factory=dict)
    # Related resources and sub-resources: set when expanded, else None (their URL: .link(name)).
    vehicle: Vehicle | None = None
    evse: Evse | None = None
    tariff: Tariff | None = None
    flags: SubSessionFlags | None = None
    assessment: Assessment | None = None
    energy_usage: EnergyUsage | None = None
    schedules: Schedules | None = None
    debug_metadata: DebugMetadata | None = None

    @property
    def is_finished(self) -> bool:
        return self.end is not None


@dataclass
class ChargingSession(ApiObject):
    id: str = ""
    url: str = ""
    start: datetime | None = None
    end: datetime | None = None
    vehicle: Vehicle | None = None
    evse: Evse | None = None
    sub_sessions: list[ChargingSubSession] = field(default_factory=list)  # when expanded, newest first

    @property
    def sub_session_urls(self) -> list[str]:
        value = self.raw.get("sub_sessions")
        return [item if isinstance(item, str) else item.get("url", "") for item in value or []
                if isinstance(item, (str, dict))]


@dataclass
class DispatcherLog(ApiObject):
    logged_at: datetime | None = None
    schedule_valid_period_start: datetime | None = None
    schedule_created_at: datetime | None = None
    internal_command_id: str = ""
    device_type: str = ""
    reason_not_sent: str | None = None  # why no command went to the device; null when one did


@dataclass
class Price(ApiObject):
    started_at: datetime | None = None
    interval_seconds: int | None = None
    price_minor_units: int | None = None


@dataclass
class EnergyRecalculation(ApiObject):
    """The answer of recalculate_energy_usages: the figures before and after (a dry run's "after" is
    what a real run would set)."""

    status: str = ""
    previous_energy_delivered_watt_hours: int | None = None
    new_energy_delivered_watt_hours: int | None = None
