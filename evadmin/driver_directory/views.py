"""Directory pages: /locations/ (browse, filter, export) and the admin's sync state page.

/users/ in directory mode builds its table with `directory_table` too (evadmin/drivers/views.py).
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.core.exports import csv_download
from evadmin.core.htmx import render_page
from evadmin.driver_directory import export_jobs, selectors
from evadmin.driver_directory.exports import LOCATION_HEADINGS, location_rows, locations_xlsx
from evadmin.driver_directory.forms import DirectorySearchForm
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync, LocationExport
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
    form, table, accounts = directory_table(request, LocationTable)
    country_counts = []
    if form.is_valid():
        # Counted without the country filter, so every country stays a link to narrow by.
        others = directory_search(form.query(), replace(form.filters(), country=""))
        country_counts = selectors.directory_country_counts(others)
    context = {
        "form": form, "table": table, "country_counts": country_counts,
        "selected_country": form.cleaned_data.get("country", "") if form.is_valid() else "",
        "directory": selectors.directory_status(),
        "large_export": form.is_valid() and _large(table, accounts),
    }
    return render_page(request, "driver_directory/locations.html", context, partial="results")


def _large(table: LocationTable, accounts: QuerySet[DirectoryAccount]) -> bool:
    """More matches than EVADMIN_EXPORT_INLINE_ROWS? The table's capped count (at most COUNT_CAP, read anyway)
    answers most searches; only past it are up to EVADMIN_EXPORT_INLINE_ROWS + 1 rows counted."""
    if settings.EVADMIN_EXPORT_INLINE_ROWS >= table.paginator.cap and not table.paginator.capped:
        return False
    return export_jobs.location_export_is_large(accounts)


@require_safe
@staff_permission_required(VIEW)
def location_export(request: HttpRequest, file_format: str) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid; correct them on the locations page.")
    accounts = directory_search(form.query(), form.filters(), request.GET.get("sort", ""))
    if export_jobs.location_export_is_large(accounts):
        # Too many to write while the request waits (100,000 rows as XLSX: ~18 s): offer the background job.
        return render(request, "driver_directory/export_large.html",
                      {"inline_rows": settings.EVADMIN_EXPORT_INLINE_ROWS})
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


@require_POST
@staff_permission_required(VIEW)
def location_export_start(request: HttpRequest) -> HttpResponse:
    """Start a background export of the /locations/ filters in the query string (the format is POSTed)."""
    form = DirectorySearchForm(request.GET)
    file_format = request.POST.get("file_format", "")
    if not form.is_valid() or file_format not in LocationExport.Format.values:
        return HttpResponseBadRequest("The filters or the format are not valid; correct them on the locations page.")
    query_string = request.GET.copy()
    query_string.pop("page", None)
    sort = request.GET.get("sort", "")
    if not export_jobs.location_export_is_large(directory_search(form.query(), form.filters(), sort)):
        # Small enough after all (the directory changed since the page was drawn): download it now.
        url = "directory:export_csv" if file_format == "csv" else "directory:export_xlsx"
        return redirect(f"{reverse(url)}?{query_string.urlencode()}")
    export = export_jobs.location_export_request(
        actor=request.user, file_format=file_format, query=form.query(), filters=form.filters(), sort=sort,
        query_string=query_string.urlencode(), request=request,
    )
    return redirect("directory:export", export_id=export.pk)


def _own_export(request: HttpRequest, export_id: int) -> LocationExport:
    """The export, if the requester or an admin asks; 404 for anyone else (its filters are theirs)."""
    exports = LocationExport.objects.select_related("requested_by")
    if not request.user.has_perm(ADMIN):
        exports = exports.filter(requested_by=request.user)
    return get_object_or_404(exports, pk=export_id)


@require_safe
@staff_permission_required(VIEW)
def location_export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    expired = export.purged_at is not None or bool(export.expires_at and export.expires_at <= timezone.now())
    context = {"export": export, "expired": expired, "keep_hours": settings.EVADMIN_EXPORT_KEEP_HOURS}
    return render_page(request, "driver_directory/export.html", context, partial="progress")


@require_safe
@staff_permission_required(VIEW)
def location_export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    try:
        chunks = export_jobs.location_export_file(export=export)
    except export_jobs.ExportExpired:
        return HttpResponse(f"This export was deleted {settings.EVADMIN_EXPORT_KEEP_HOURS:g} hours after it was "
                            "ready; export again from the locations page.", status=410, content_type="text/plain")
    except export_jobs.ExportNotReady:
        message = (f"This export failed ({export.error}); start it again from the locations page."
                   if export.status == LocationExport.Status.FAILED
                   else f"This export is not ready yet ({export.rows_written} of {export.rows_total} rows written); "
                        "its page shows the download link once it is.")
        return HttpResponse(message, status=409, content_type="text/plain")
    export_jobs.location_export_record_download(export=export, actor=request.user, request=request)
    content_type = "text/csv; charset=utf-8" if export.file_format == LocationExport.Format.CSV else XLSX_TYPE
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Content-Length"] = str(export.file_size)
    return response



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
