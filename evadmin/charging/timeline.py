"""The geometry of a sub-session's timeline chart: pure functions, no Django, no API.

The page draws it as inline SVG (no chart library: nothing to run under the CSP, and a test can
read the numbers). One time axis in the driver's zone; energy delivered per interval as bars on the
left axis; the planned schedule (current per interval) as a step line scaled to its own maximum;
the price per interval as a step line on the right axis; the ready-by time and the plug-in and
plug-out as vertical lines. `table_rows` gives the same numbers per half-hour for the data table
beside the chart (screen readers, and anyone who wants the figures).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

WIDTH, HEIGHT = 720, 260
# Margins: the energy axis's labels on the left, the price axis's on the right, the hours below.
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 20, 36
HALF_HOUR = timedelta(minutes=30)
TICK_STEPS_HOURS = (1, 2, 3, 4, 6, 12, 24)
MAX_TIME_TICKS = 9


@dataclass(frozen=True)
class Interval:
    started_at: datetime
    seconds: int
    value: float

    @property
    def ends_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float


@dataclass(frozen=True)
class Tick:
    position: float  # x for the time axis, y for the value axes
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    kind: str  # "ready_by", "plug_in", "plug_out"


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    schedule_points: str = ""  # an SVG polyline's points
    price_points: str = ""
    markers: list[Marker] = field(default_factory=list)
    time_ticks: list[Tick] = field(default_factory=list)
    energy_ticks: list[Tick] = field(default_factory=list)
    price_ticks: list[Tick] = field(default_factory=list)
    energy_max: float = 0
    current_max: float = 0
    price_min: float = 0
    price_max: float = 0


@dataclass(frozen=True)
class Row:
    """One half-hour of the data table: None where a series has nothing for it."""

    period: datetime
    energy_watt_hours: float | None = None
    current_amps: float | None = None
    price: float | None = None


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at least `value`: a readable axis maximum."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude + 1e-9:
            return step * magnitude
    return 10 * magnitude


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds() or 1
    share = min(1.0, max(0.0, (moment - start).total_seconds() / span))
    return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)


def _y(value: float, low: float, high: float) -> float:
    share = (value - low) / ((high - low) or 1)
    return round(HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM), 1)


def _step_line(intervals: list[Interval], start: datetime, end: datetime, low: float, high: float) -> str:
    """A step line through each interval's value, down to `low` across any gap between intervals."""
    points: list[tuple[float, float]] = []
    base = _y(max(low, 0) if low <= 0 else low, low, high)
    previous_end: datetime | None = None
    for interval in sorted(intervals, key=lambda item: item.started_at):
        x0, x1 = _x(interval.started_at, start, end), _x(interval.ends_at, start, end)
        y = _y(interval.value, low, high)
        if previous_end is None or interval.started_at > previous_end:
            if points:
                points.append((points[-1][0], base))
            points.append((x0, base))
        points += [(x0, y), (x1, y)]
        previous_end = interval.ends_at
    if points:
        points.append((points[-1][0], base))
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def time_ticks(start: datetime, end: datetime, zone: tzinfo) -> list[Tick]:
    """Whole local hours, every 1, 2, 3... hours so that at most MAX_TIME_TICKS fit."""
    hours = (end - start).total_seconds() / 3600
    step = next((step for step in TICK_STEPS_HOURS if hours / step <= MAX_TIME_TICKS), TICK_STEPS_HOURS[-1])
    local = start.astimezone(zone)
    moment = local.replace(minute=0, second=0, microsecond=0)
    ticks = []
    # Walk whole hours in UTC (a local hour can repeat or vanish at a clock change).
    moment_utc = moment.astimezone(UTC)
    while moment_utc <= end:
        shown = moment_utc.astimezone(zone)
        if moment_utc >= start and shown.hour % step == 0:
            ticks.append(Tick(_x(moment_utc, start, end), shown.strftime("%H:%M")))
        moment_utc += timedelta(hours=1)
    return ticks


def chart_build(*, window_start: datetime, window_end: datetime, zone: tzinfo, energy: Iterable[Interval] = (),
                schedule: Iterable[Interval] = (), prices: Iterable[Interval] = (),
                markers: Iterable[tuple[datetime | None, str, str]] = ()) -> Chart:
    """The chart of one window. `markers`: (moment, label, kind), None moments and those outside left out."""
    start, end = window_start, window_end
    energy = [item for item in energy if item.ends_at > start and item.started_at < end]
    schedule = [item for item in schedule if item.ends_at > start and item.started_at < end]
    prices = [item for item in prices if item.ends_at > start and item.started_at < end]
    chart = Chart()
    chart.energy_max = nice_ceiling(max((item.value for item in energy), default=0))
    chart.current_max = nice_ceiling(max((item.value for item in schedule), default=0))
    chart.price_min = min(0.0, min((item.value for item in prices), default=0))
    chart.price_max = nice_ceiling(max((item.value for item in prices), default=0))
    for item in energy:
        if item.value <= 0:
            continue
        x0, x1 = _x(item.started_at, start, end), _x(item.ends_at, start, end)
        y = _y(item.value, 0, chart.energy_max)
        chart.bars.append(Bar(x=x0, y=y, width=max(1.0, round(x1 - x0 - 1, 1)), height=round(chart.bottom - y, 1),
                              value=item.value))
    chart.schedule_points = _step_line(schedule, start, end, 0, chart.current_max)
    chart.price_points = _step_line(prices, start, end, chart.price_min, chart.price_max)
    chart.markers = [Marker(_x(moment, start, end), label, kind) for moment, label, kind in markers
                     if moment is not None and start <= moment <= end]
    chart.time_ticks = time_ticks(start, end, zone)
    chart.energy_ticks = [Tick(_y(value, 0, chart.energy_max), f"{value:g}")
                          for value in (0, chart.energy_max / 2, chart.energy_max)]
    chart.price_ticks = [Tick(_y(value, chart.price_min, chart.price_max), f"{value:g}")
                         for value in sorted({chart.price_min, 0, chart.price_max / 2, chart.price_max})]
    return chart


def half_hour_of(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)


def table_rows(*, energy: Iterable[Interval] = (), schedule: Iterable[Interval] = (),
               prices: Iterable[Interval] = ()) -> list[Row]:
    """The series per half-hour (energy summed, the highest current, the price), oldest first; only
    the half-hours where at least one series has something."""
    energy_at: dict[datetime, float] = {}
    current_at: dict[datetime, float] = {}
    price_at: dict[datetime, float] = {}
    for item in energy:
        period = half_hour_of(item.started_at)
        energy_at[period] = energy_at.get(period, 0) + item.value
    for item in schedule:
        period = half_hour_of(item.started_at)
        current_at[period] = max(current_at.get(period, 0), item.value)
    for item in prices:
        price_at.setdefault(half_hour_of(item.started_at), item.value)
    periods = sorted(set(energy_at) | set(current_at) | set(price_at))
    return [Row(period, energy_at.get(period), current_at.get(period), price_at.get(period)) for period in periods]
