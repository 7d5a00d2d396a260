
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_safe

from evadmin.audit import actions
from evadmin.audit.exports import audit_csv_rows
from evadmin.audit.filters import AuditEventFilter
from evadmin.audit.models import AuditEvent
from evadmin.audit.selectors import driver_emails, event_value_names
from evadmin.audit.services import audit_record
from evadmin.core.exports import csv_download
from evadmin.core.htmx import render_page
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_AUDIT)
def audit_trail(request: HttpRequest) -> HttpResponse:
    filters = AuditEventFilter(request.GET)
    events = filters.qs if filters.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, filters.form.page_size()).get_page(request.GET.get("page"))
    emails = driver_emails(user_ids={event.target_user_id for event in page.object_list if event.target_user_id})
    for event in page.object_list:  # drivers by email, the id on hover (one query for the page)
        event.target_email = emails.get(event.target_user_id, "")
    # Tariffs and sites in the changes by name, the id on hover (evadmin's own copies, no request).
    context = {"form": filters.form, "page": page, "names": event_value_names(page.object_list)}
    return render_page(request, "audit/trail.html", context, partial="results")


@require_safe
@staff_permission_required(roles.VIEW_AUDIT)
def audit_export_csv(request: HttpRequest) -> HttpResponse:
    filters = AuditEventFilter(request.GET)
    if not filters.is_valid():
        return HttpResponseBadRequest("The filters are not valid; correct them on the audit page.")
    # Who took a copy of the trail, and of what, belongs in the trail itself.
    audit_record(actor=request.user, action=actions.AUDIT_EXPORT, request=request,
                 after={"format": "csv", "filters": filters.in_use()})
    rows = audit_csv_rows(filters.qs.iterator(chunk_size=1000))
    return csv_download(rows, f"evadmin-audit-{timezone.now():%Y%m%d-%H%M%S}.csv")
