
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from evadmin.accounts import roles
from evadmin.accounts.permissions import staff_permission_required
from evadmin.audit import actions
from evadmin.audit.exports import audit_csv_rows
from evadmin.audit.forms import AuditFilterForm
from evadmin.audit.models import AuditEvent
from evadmin.audit.selectors import audit_event_list
from evadmin.audit.services import audit_record
from evadmin.core.exports import csv_download
from evadmin.core.htmx import vary_on_htmx, wants_partial

# Excel reads a UTF-8 CSV as Windows-1252 unless it starts with a byte order mark.


@require_safe
@staff_permission_required(roles.VIEW_AUDIT)
def audit_trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events = audit_event_list(**form.selector_filters()) if form.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, form.page_size()).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    template = "audit/trail.html#results" if wants_partial(request) else "audit/trail.html"
    return vary_on_htmx(render(request, template, context))


@require_safe
@staff_permission_required(roles.VIEW_AUDIT)
def audit_export_csv(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid; correct them on the audit page.")
    filters = form.selector_filters()
    # Who took a copy of the trail, and of what, belongs in the trail itself.
    audit_record(
        actor=request.user,
        action=actions.AUDIT_EXPORT,
        after={"format": "csv", "filters": {key: value for key, value in filters.items() if value}},
        request=request,
    )
    rows = audit_csv_rows(audit_event_list(**filters).iterator(chunk_size=1000))
    return csv_download(rows, f"evadmin-audit-{timezone.now():%Y%m%d-%H%M%S}.csv")


