"""The one shape of a driver page's lazily opened panel: one read (through the read cache), rendered as
the panel's fragment for htmx or as a page, announcing it has loaded so the summary strip re-reads.

An API error is the panel's own sentence (a missing scope by name, "Try again"): the rest of the
driver's page stands.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page
from evadmin.evenergy import errors
from evadmin.evenergy.resources import check_id


def checked_id(value: str, prefix: str) -> str:
    """`value` when it is an id of `prefix`, else 404 (never sent to the API)."""
    try:
        return check_id(value, prefix)
    except errors.NotFound as exc:
        raise Http404(str(exc)) from exc


def driver_panel(request: HttpRequest, user_id: str, template: str, read: Callable[..., object], *,
                 ids: dict[str, str] | None = None, decorate: Callable[[object], dict] | None = None) -> HttpResponse:
    """`read(user_id=..., refresh=..., **ids)` into the template's `panel` partial (`?refresh=1` reads live);
    `decorate(value)` adds what the template draws from a read that succeeded (a chart's figures)."""
    user_id = checked_id(user_id, "user")
    ids = ids or {}
    context = {"account_id": user_id, **ids, "read": None, "unavailable": None}
    try:
        context["read"] = read(user_id=user_id, refresh=bool(request.GET.get("refresh")), **ids)
    except errors.ApiError as exc:  # the panel says why; the rest of the driver's page stands
        context["unavailable"] = exc
    if decorate is not None and context["read"] is not None:
        context.update(decorate(context["read"].value))
    return announce_panel_loaded(render_page(request, template, context, partial="panel"))
