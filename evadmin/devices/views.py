"""A driver's vehicles and chargers, one panel each, and the parts of a panel read only when opened.

Each view is one page and its htmx fragment. A panel that cannot be read says why and the rest of
the driver's page stands: API errors are caught here rather than left to the middleware's banner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page
from evadmin.core.timezones import zone_label
from evadmin.devices import panels, selectors
from evadmin.drivers.selectors import driver_zone_seen, user_chargers, user_device, user_devices, user_vehicles
from evadmin.evenergy import errors
from evadmin.evenergy.read_cache import Read
from evadmin.evenergy.resources import Evse, Vehicle
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


def _refresh(request: HttpRequest) -> bool:
    return bool(request.GET.get("refresh"))


def _zone(user_id: str) -> dict:
    """The driver's zone as evadmin last read them (a panel costs only its own request); UTC, saying
    so, when it has not read them yet."""
    zone = driver_zone_seen(user_id=user_id)
    return {"zone": zone or UTC, "zone_label": zone_label(zone or UTC), "zone_known": zone is not None}


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def device_list(request: HttpRequest, user_id: str) -> HttpResponse:
    """Two requests (vehicles, chargers; their latest status and names by expand), cached."""
    context = {"account_id": user_id, **_zone(user_id), "read": None, "unavailable": None, "vehicle_panels": [],
               "evse_panels": []}
    try:
        read = user_devices(user_id=user_id, refresh=_refresh(request))
    except errors.ApiError as exc:  # no copy at all: the panel says so, the rest of the page stands
        context["unavailable"] = exc
    else:
        vehicles, evses = read.value
        context.update(read=read, **panels.device_panels(vehicles=vehicles, evses=evses, zone=context["zone"]))
    return announce_panel_loaded(render_page(request, "devices/list.html", context, partial="devices"))


# The driver page's two device panels: (read, what it is called, the context the template takes).
DEVICE_KINDS = {
    "vehicles": (user_vehicles, "Vehicles", "the driver's vehicles",
                 lambda devices, zone: panels.device_panels(vehicles=devices, evses=[], zone=zone)),
    "chargers": (user_chargers, "Chargers", "the driver's chargers",
                 lambda devices, zone: panels.device_panels(vehicles=[], evses=devices, zone=zone)),
}


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def device_kind_list(request: HttpRequest, user_id: str, kind: str) -> HttpResponse:
    """The driver's vehicles, or their chargers: one request (latest status and names by expand), cached."""
    read_devices, heading, what, device_panels = DEVICE_KINDS[kind]
    context = {"account_id": user_id, **_zone(user_id), "kind": kind, "heading": heading, "what": what,
               "read": None, "unavailable": None, "vehicle_panels": [], "evse_panels": []}
    try:
        context["read"] = read_devices(user_id=user_id, refresh=_refresh(request))
    except errors.ApiError as exc:  # no copy at all: the panel says so, the rest of the page stands
        context["unavailable"] = exc
    else:
        context.update(device_panels(context["read"].value, context["zone"]))
    return announce_panel_loaded(render_page(request, "devices/kind_panel.html", context, partial="panel"))


def _seen(user_id: str, kind: str, device_id: str):
    """The driver's vehicle or charger (usually no request): a device not theirs is a 404."""
    device = user_device(user_id=user_id, device_id=device_id)
    if not isinstance(device, Vehicle if kind == "vehicle" else Evse):
        raise Http404("Not one of this driver's devices.")
    return device


def _opened(context: dict, read: Callable[[], Read | Any]) -> Read | Any | None:
    """A part of a panel the agent opened, or None with the reason in context["problem"]: the panel
    says why it can't be shown and the rest of the page stands."""
    try:
        return read()
    except errors.ApiError as exc:
        context["problem"] = exc
        return None


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def evse_connectivity(request: HttpRequest, user_id: str, evse_id: str) -> HttpResponse:
    """The charger's connectivity: one request, cached."""
    context = {"account_id": user_id, "evse_id": evse_id, "panel_id": f"evse-{evse_id}", **_zone(user_id),
               "read": None, "problem": None}
    evse = context["evse"] = _opened(context, lambda: _seen(user_id, "evse", evse_id))
    read = evse and _opened(context, lambda: selectors.evse_connectivity(
        user_id=user_id, evse_id=evse_id, refresh=_refresh(request)))
    if read:
        context.update(read=read, connectivity=read.value, verdicts=panels.connectivity_verdicts(
            zone=context["zone"], evse=evse, connectivity=read.value, as_of=read.fetched_at,
            panel_id=context["panel_id"]))
    return render_page(request, "devices/connectivity.html", context, partial="connectivity")


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def vehicle_errors(request: HttpRequest, user_id: str, vehicle_id: str) -> HttpResponse:
    """The vehicle's error log over the last two weeks: one request, cached."""
    context = {"account_id": user_id, "vehicle_id": vehicle_id, "panel_id": f"vehicle-{vehicle_id}",
               **_zone(user_id), "read": None, "problem": None}
    vehicle = context["vehicle"] = _opened(context, lambda: _seen(user_id, "vehicle", vehicle_id))
    read = vehicle and _opened(context, lambda: selectors.vehicle_errors(
        user_id=user_id, vehicle_id=vehicle_id, refresh=_refresh(request)))
    if read:
        context.update(read=read, log=read.value, verdicts=panels.vehicle_error_verdicts(
            zone=context["zone"], vehicle=vehicle, log=read.value, panel_id=context["panel_id"]))
    return render_page(request, "devices/vehicle_errors.html", context, partial="errors")
