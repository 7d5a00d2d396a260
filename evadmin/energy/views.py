"""A driver's energy panels: solar arrays, inverters, home batteries and HEM systems (each one request,
cached), and per HEM system its live power and its energy statistics as a chart (one request each).
Read-only: thin views over selectors.py."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from evadmin.core.driver_panels import checked_id, driver_panel
from evadmin.energy import selectors
from evadmin.evenergy.energy import STATS_SERIES
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


def _panel(request: HttpRequest, template: str, read, *, chart=None, user_id: str, **ids: str) -> HttpResponse:
    """A driver panel (core.driver_panels); a chart's figures, when it has one, as a dict and as escaped JSON."""
    def with_chart(value) -> dict:
        figures = chart(value)
        return {"chart": figures, "chart_json": json.dumps(figures)}  # escaped into an attribute by the template
    return driver_panel(request, user_id, template, read, ids=ids, decorate=with_chart if chart else None)


def stats_chart(stats) -> dict:
    """What the chart draws (the canvas's data-chart): the buckets' times and one series per statistic, in kWh."""
    return {"labels": [bucket.period_start.strftime("%H:%M") if bucket.period_start else "" for bucket in stats.buckets],
            "series": [{"label": words, "data": [None if value is None else round(value / 1000, 2)
                                                 for value in (getattr(bucket, name) for bucket in stats.buckets)]}
                       for name, words in STATS_SERIES]}


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_solar_arrays(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's solar arrays with their inverter: one request."""
    return _panel(request, "energy/solar_panel.html", selectors.driver_solar_arrays, user_id=checked_id(user_id, "user"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_inverters(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's inverters with their model and latest state: one request."""
    return _panel(request, "energy/inverters_panel.html", selectors.driver_inverters, user_id=checked_id(user_id, "user"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_home_batteries(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's home batteries with their latest state (charge, power, when): one request."""
    return _panel(request, "energy/batteries_panel.html", selectors.driver_home_batteries,
                  user_id=checked_id(user_id, "user"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_hem_systems(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's HEM systems, each with its live power and energy statistics to open: one request."""
    return _panel(request, "energy/hem_panel.html", selectors.driver_hem_systems, user_id=checked_id(user_id, "user"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def hem_live_power(request: HttpRequest, user_id: str, hem_id: str) -> HttpResponse:
    """A HEM system's live power flows: one request."""
    return _panel(request, "energy/live_power_panel.html", selectors.hem_live_power,
                  user_id=checked_id(user_id, "user"), hem_id=checked_id(hem_id, "hems"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def hem_energy_stats(request: HttpRequest, user_id: str, hem_id: str) -> HttpResponse:
    """A HEM system's energy statistics over the last day as a chart and a table: one request."""
    return _panel(request, "energy/energy_stats_panel.html", selectors.hem_energy_stats, chart=stats_chart,
                  user_id=checked_id(user_id, "user"), hem_id=checked_id(hem_id, "hems"))
