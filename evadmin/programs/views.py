"""The driver's Programs panel: one request (0 within the cache time)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from evadmin.core.htmx import render_page
from evadmin.evenergy import errors
from evadmin.programs import selectors
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_programs(request: HttpRequest, user_id: str) -> HttpResponse:
    context = {"account_id": user_id, "read": None, "unavailable": None}
    try:
        context["read"] = selectors.driver_programs(user_id=user_id, refresh=request.GET.get("refresh") == "1")
    except errors.ApiError as exc:  # the panel says why; the rest of the driver's page stands
        context["unavailable"] = exc
    return render_page(request, "programs/driver_programs.html", context, partial="panel")
