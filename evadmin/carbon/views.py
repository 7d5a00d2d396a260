"""A driver's Grid carbon intensity and Tariff prices panels: each loads when opened and costs at most one
request (the carbon panel a second, once, when evadmin does not know the driver's feed yet: selectors.py
says why). Thin views: the reads are in selectors.py.

A chart's figures travel as JSON in its canvas's `data-chart` attribute (escaped like any attribute), not
json_script: htmx here runs with allowScriptTags false and drops <script> elements, JSON ones included,
from the panels it swaps in."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from evadmin.carbon import selectors
from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page
from evadmin.core.timezones import zone_named
from evadmin.drivers.selectors import USER, user_get_or_local
from evadmin.evenergy import errors
from evadmin.evenergy.read_cache import read_cache_seen
from evadmin.evenergy.resources import check_id
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


def _driver(request: HttpRequest, user_id: str):
    """The driver as held by the driver's page (no request); read once when evadmin has never seen them.
    (user id, the driver or None, the API's error when they could not be read)."""
    try:
        user_id = check_id(user_id, "user")
    except errors.NotFound as exc:
        raise Http404(str(exc)) from exc
    held = read_cache_seen(scope=user_id, name=USER)  # the API's copy (the directory's lacks the tariff's zone)
    if held is not None:
        return user_id, held.value, None
    try:
        return user_id, user_get_or_local(user_id=user_id).value, None
    except errors.ApiError as exc:
        return user_id, None, exc


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return announce_panel_loaded(render_page(request, template, context, partial="panel"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_carbon(request: HttpRequest, user_id: str) -> HttpResponse:
    """The location's grid carbon intensity now and for the next 12 hours, as a chart and a table."""
    user_id, user, unavailable = _driver(request, user_id)
    location = selectors.location_of(user)
    tariff = selectors.tariff_of(user)
    context = {"account_id": user_id, "location": location, "outlook": None, "reads": [], "unavailable": unavailable,
               "zone": zone_named(tariff.timezone_name if tariff else None), "driver_read": user is not None}
    if location is not None:
        try:
            context["outlook"], context["reads"] = selectors.driver_carbon(
                user_id=user_id, refresh=bool(request.GET.get("refresh")))
        except errors.ApiError as exc:  # the panel says why; the rest of the driver's page stands
            context["unavailable"] = exc
    outlook = context["outlook"]
    context["chart"] = json.dumps(outlook.chart(context["zone"])) if outlook and outlook.intensities else None
    context["requests_spent"] = sum(read.live for read in context["reads"])
    return _render(request, "carbon/carbon_panel.html", context)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_tariff_prices(request: HttpRequest, user_id: str) -> HttpResponse:
    """The tariff's prices today and tomorrow, in the tariff's time zone and currency: one request."""
    user_id, user, unavailable = _driver(request, user_id)
    tariff = selectors.tariff_of(user)
    context = {"account_id": user_id, "tariff": tariff, "days": [], "read": None, "unavailable": unavailable,
               "chart": None, "zone": zone_named(tariff.timezone_name if tariff else None),
               "driver_read": user is not None}
    if tariff is not None:
        try:
            context["days"], context["read"] = selectors.driver_tariff_prices(
                user_id=user_id, tariff=tariff, refresh=bool(request.GET.get("refresh")))
        except errors.ApiError as exc:
            context["unavailable"] = exc
    zone = context["zone"]
    prices = [price for day in context["days"] for price in day.prices]
    if prices:
        context["chart"] = json.dumps({
            "labels": [timezone.localtime(price.started_at, zone).strftime("%a %H:%M") for price in prices],
            "values": [price.price_minor_units for price in prices],
            "currency": tariff.currency,
        })
    return _render(request, "carbon/prices_panel.html", context)
