"""The chart's geometry (charging/timeline.py): where bars, lines and markers fall, and the figures table."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evadmin.charging import timeline
from evadmin.charging.timeline import Interval, chart_build, nice_ceiling, table_rows

START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
END = START + timedelta(hours=12)
PLOT_WIDTH = timeline.WIDTH - timeline.LEFT - timeline.RIGHT
LONDON = ZoneInfo("Europe/London")


def x_at(hours: float) -> float:
    return round(timeline.LEFT + PLOT_WIDTH * hours / 12, 1)


def test_bars_sit_at_their_intervals_and_scale_to_a_round_maximum():
    energy = [Interval(START + timedelta(hours=6), 1800, 3700), Interval(START + timedelta(hours=6.5), 1800, 1850)]
    chart = chart_build(window_start=START, window_end=END, zone=UTC, energy=energy)
    assert chart.energy_max == 5000
    first, second = chart.bars
    assert first.x == x_at(6) and second.x == x_at(6.5)
    plot_height = chart.bottom - chart.top
    assert first.height == round(plot_height * 3700 / 5000, 1)
    assert second.height == round(plot_height * 1850 / 5000, 1)
    assert first.y + first.height == chart.bottom


def test_an_interval_without_energy_draws_no_bar():
    chart = chart_build(window_start=START, window_end=END, zone=UTC, energy=[Interval(START, 1800, 0)])
    assert chart.bars == []


def test_the_schedule_is_a_step_line_that_drops_to_zero_between_blocks():
    schedule = [Interval(START + timedelta(hours=1), 3600, 32), Interval(START + timedelta(hours=4), 1800, 16)]
    chart = chart_build(window_start=START, window_end=END, zone=UTC, schedule=schedule)
    points = [tuple(float(n) for n in point.split(",")) for point in chart.schedule_points.split()]
    base, top = chart.bottom, chart.top
    assert chart.current_max == 50
    ys = {32: round(base - (base - top) * 32 / 50, 1), 16: round(base - (base - top) * 16 / 50, 1)}
    assert points == [(x_at(1), base), (x_at(1), ys[32]), (x_at(2), ys[32]), (x_at(2), base),
                      (x_at(4), base), (x_at(4), ys[16]), (x_at(4.5), ys[16]), (x_at(4.5), base)]


def test_prices_use_their_own_axis_and_negative_prices_move_its_floor():
    prices = [Interval(START, 1800, -5), Interval(START + timedelta(minutes=30), 1800, 20)]
    chart = chart_build(window_start=START, window_end=END, zone=UTC, prices=prices)
    assert (chart.price_min, chart.price_max) == (-5, 20)
    labels = [tick.label for tick in chart.price_ticks]
    assert labels == ["-5", "0", "10", "20"]
    assert chart.price_ticks[-1].position == chart.top and chart.price_ticks[0].position == chart.bottom


def test_markers_outside_the_window_or_unknown_are_left_out():
    ready_by = START + timedelta(hours=13)  # 07:00 next day, past the window's end
    chart = chart_build(window_start=START, window_end=END, zone=UTC, markers=[
        (START + timedelta(hours=3), "Plugged in", "plug_in"), (ready_by, "Ready by", "ready_by"),
        (None, "Unplugged", "plug_out")])
    assert [(marker.kind, marker.x) for marker in chart.markers] == [("plug_in", x_at(3))]


def test_the_time_axis_is_in_the_drivers_zone():
    summer = datetime(2026, 7, 1, 17, 0, tzinfo=UTC)  # 18:00 in London (BST)
    chart = chart_build(window_start=summer, window_end=summer + timedelta(hours=12), zone=LONDON)
    assert chart.time_ticks[0].label == "18:00" and chart.time_ticks[0].position == timeline.LEFT
    assert len(chart.time_ticks) <= timeline.MAX_TIME_TICKS
    assert [tick.label for tick in chart.time_ticks][:3] == ["18:00", "20:00", "22:00"]


def test_nice_ceiling():
    assert [nice_ceiling(value) for value in (0, 0.7, 3, 7.5, 12, 2400, 3701)] == [1, 1, 5, 10, 20, 2500, 5000]


def test_the_table_puts_the_series_side_by_side_per_half_hour():
    energy = [Interval(START + timedelta(minutes=12), 1080, 1000), Interval(START + timedelta(minutes=30), 1800, 3000)]
    schedule = [Interval(START + timedelta(minutes=30), 1800, 32)]
    prices = [Interval(START, 1800, 25), Interval(START + timedelta(minutes=30), 1800, 27),
              Interval(START + timedelta(hours=1), 1800, 30)]
    rows = table_rows(energy=energy, schedule=schedule, prices=prices)
    assert [(row.period, row.energy_watt_hours, row.current_amps, row.price) for row in rows] == [
        (START, 1000, None, 25), (START + timedelta(minutes=30), 3000, 32, 27),
        (START + timedelta(hours=1), None, None, 30)]
