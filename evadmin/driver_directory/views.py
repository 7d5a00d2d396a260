"""Directory pages: /locations/ (browse, filter, export) and the admin's sync state page.

/users/ in directory mode builds its table with `directory_table` too (evadmin/drivers/views.py).
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.core.exports import csv_download
from evadmin.core.htmx import render_page
from evadmin.driver_directory import selectors
from evadmin.driver_directory.exports import LOCATION_HEADINGS, location_rows, locations_xlsx
from evadmin.driver_directory.forms import DirectorySearchForm
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.search import directory_search
from evadmin.driver_directory.sync import directory_sync_request
from evadmin.driver_directory.tables import CappedCountPaginator, DirectoryTable, LocationTable
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

VIEW = roles.VIEW_USERS
# Admin-only: the admin role is the one holding manage_staff (evadmin/staff/roles.py).
ADMIN = roles.MANAGE_STAFF
LOCATIONS_EXPORT = actions.DIRECTORY_EXPORT_LOCATIONS
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def directory_table(
    request: HttpRequest, table_class: type[DirectoryTable]
) -> tuple[DirectorySearchForm, DirectoryTable, QuerySet[DirectoryAccount]]:
    """The search form, and the matching accounts as a sorted, paginated table (from GET)."""
    form = DirectorySearchForm(request.GET)
    if form.is_valid():
        accounts = directory_search(form.query(), form.filters(), request.GET.get("sort", ""))
    else:
        accounts = DirectoryAccount.objects.none()
    table = table_class(accounts)
    paginate = {"per_page": form.per_page(), "paginator_class": CappedCountPaginator, "queryset": accounts}
    RequestConfig(request, paginate=paginate).configure(table)
    return form, table, accounts


@require_safe
@staff_permission_required(VIEW)
def location_list(request: HttpRequest) -> HttpResponse:
    form, table, _ = directory_table(request, LocationTable)
    country_counts = []
    if form.is_valid():
        # Counted without the country filter, so every country stays a link to narrow by.
        others = directory_search(form.query(), replace(form.filters(), country=""))
        country_counts = selectors.directory_country_counts(others)
    context = {
        "form": form, "table": table, "country_counts": country_counts,
        "selected_country": form.cleaned_data.get("country", "") if form.is_valid() else "",
        "directory": selectors.directory_status(),
    }
    return render_page(request, "driver_directory/locations.html", context, partial="results")


@require_safe
@staff_permission_required(VIEW)
def location_export(request: HttpRequest, file_format: str) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid; correct them on the locations page.")
    accounts = directory_search(form.query(), form.filters(), request.GET.get("sort", ""))
    # Customer addresses leaving evadmin: who took them, and which, belongs in the audit trail.
    audit_record(
        actor=request.user, action=LOCATIONS_EXPORT, request=request,
        after={"format": file_format, "query": form.query(), "filters": form.filters().active()},
    )
    filename = f"evadmin-locations-{timezone.now():%Y%m%d-%H%M%S}.{file_format}"
    if file_format == "csv":
        return csv_download(_with_heading(location_rows(accounts)), filename)
    response = HttpResponse(locations_xlsx(location_rows(accounts)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_heading(rows):
    yield LOCATION_HEADINGS
    yield from rows




@require_safe
@staff_permission_required(ADMIN)
def sync_state(request: HttpRequest) -> HttpResponse:
    context = {"overview": selectors.directory_sync_overview()}
    return render_page(request, "driver_directory/sync_state.html", context, partial="state")


@require_POST
@staff_permission_required(ADMIN)
def sync_now(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind")
    if kind not in DirectorySync.Kind.values:
        kind = DirectorySync.Kind.FULL
    sync, started = directory_sync_request(kind=kind, started_by=request.user)
    if started:
        messages.success(request, f"{sync.get_kind_display()} sync started.")
    else:
        messages.warning(request, f"A {sync.get_kind_display().lower()} sync is already running; it continues.")
    return redirect("directory:sync_state")
