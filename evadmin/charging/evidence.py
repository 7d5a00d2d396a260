"""What a page knows about one charging night, for the verdict rules (verdicts/) and the pages.

`Evidence` holds what has been read for a window of time: a sub-session (its flags, assessment,
energy use, schedules and debug metadata expanded), the prices, the ready-by time, the devices and
whichever logs the page has loaded. Each log is None until it has been read: a rule needing a log
the page has not read does not run (it says nothing rather than guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo

from evadmin.evenergy.charging import ChargingSubSession, DispatcherLog, Price
from evadmin.evenergy.devices import (
    EvseCommandLog,
    EvseConnectivity,
    EvseErrorLog,
    EvseStatusLog,
    OcppLog,
    VehicleCommandLog,
    VehicleErrorLog,
    VehicleStatusLog,
)
from evadmin.evenergy.resources import Evse, Vehicle

# The log sources a page can load, each one request: their names are the keys of Evidence.logs.
EVSE_STATUS, EVSE_OCPP, EVSE_ERRORS, EVSE_COMMANDS = "evse_status", "evse_ocpp", "evse_errors", "evse_commands"
VEHICLE_STATUS, VEHICLE_ERRORS, VEHICLE_COMMANDS = "vehicle_status", "vehicle_errors", "vehicle_commands"
DISPATCHER = "dispatcher"
LOG_SOURCES = (EVSE_STATUS, EVSE_OCPP, EVSE_ERRORS, EVSE_COMMANDS, VEHICLE_STATUS, VEHICLE_ERRORS, VEHICLE_COMMANDS,
               DISPATCHER)


@dataclass
class Evidence:
    window_start: datetime  # UTC; a sub-session's start, or the evening of a night without one
    window_end: datetime
    zone: tzinfo  # the driver's, for the words of a verdict
    sub_session: ChargingSubSession | None = None
    ready_by: datetime | None = None
    prices: list[Price] | None = None  # of the window's whole local days: prices_window() gives the bounds
    vehicle: Vehicle | None = None
    evse: Evse | None = None
    connectivity: EvseConnectivity | None = None
    # source name (LOG_SOURCES) -> its entries in the window, oldest first; absent until read
    logs: dict[str, list] = field(default_factory=dict)
    # sources read only in part (the window held more than a page: its latest entries), so what they
    # show first is not when it began
    truncated: set[str] = field(default_factory=set)

    def has(self, *sources: str) -> bool:
        return all(source in self.logs for source in sources)

    # Typed views of the loaded logs, [] when not loaded (rules check `has` first).
    @property
    def evse_status(self) -> list[EvseStatusLog]:
        return self.logs.get(EVSE_STATUS, [])

    @property
    def evse_ocpp(self) -> list[OcppLog]:
        return self.logs.get(EVSE_OCPP, [])

    @property
    def evse_errors(self) -> list[EvseErrorLog]:
        return self.logs.get(EVSE_ERRORS, [])

    @property
    def evse_commands(self) -> list[EvseCommandLog]:
        return self.logs.get(EVSE_COMMANDS, [])

    @property
    def vehicle_status(self) -> list[VehicleStatusLog]:
        return self.logs.get(VEHICLE_STATUS, [])

    @property
    def vehicle_errors(self) -> list[VehicleErrorLog]:
        return self.logs.get(VEHICLE_ERRORS, [])

    @property
    def vehicle_commands(self) -> list[VehicleCommandLog]:
        return self.logs.get(VEHICLE_COMMANDS, [])

    @property
    def dispatcher(self) -> list[DispatcherLog]:
        return self.logs.get(DISPATCHER, [])


def prices_window(start: datetime, end: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The bounds (started_at__gte, started_at__lte, UTC) of the prices to read for a window: its whole
    local days, because the "charged at peak" rule judges a day's peak from all of that day's prices.
    A night's window touches two days: 96 half-hours, one request at page_size=100."""
    first = datetime.combine(start.astimezone(zone).date(), time(), tzinfo=zone)
    after = datetime.combine(end.astimezone(zone).date() + timedelta(days=1), time(), tzinfo=zone)
    return first.astimezone(UTC), after.astimezone(UTC) - timedelta(seconds=1)
