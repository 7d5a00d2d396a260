
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from evadmin.audit.services import audit_record
from evadmin.core.exports import csv_download
from evadmin.core.htmx import render_page, vary_on_htmx, wants_partial
from evadmin.data_quality import services
from evadmin.data_quality.exports import audit_findings_csv_rows
from evadmin.data_quality.forms import FindingFilterForm, RunReportForm
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.selectors import (
    audit_findings,
    audit_report_chart,
    audit_report_list,
    audit_report_rows,
    rule_summaries,
    rule_title,
)
from evadmin.driver_directory.selectors import directory_as_of
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

VIEW_AUDIT = roles.VIEW_AUDIT
REPORTS_PER_PAGE = 20
# Excel reads a UTF-8 CSV as Windows-1252 unless it starts with a byte order mark.


@require_safe
@staff_permission_required(VIEW_AUDIT)
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_report_list(), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    latest = AuditReport.objects.filter(status=AuditReport.Status.COMPLETE).order_by("-finished_at", "-pk").first()
    columns, rows = audit_report_rows(list(page.object_list))
    context = {
        "page": page,
        "columns": columns,
        "rows": rows,
        "latest": latest,
        "summaries": rule_summaries(latest),
        "unfinished": any(not row.report.is_finished for row in rows),
        "run_form": RunReportForm(),
        "chart": audit_report_chart(limit=settings.EVADMIN_REPORTS_CHART_REPORTS),
        "directory_as_of": directory_as_of(),
    }
    return render_page(request, "data_quality/list.html", context, partial="reports")


@require_POST
@staff_permission_required(VIEW_AUDIT)
def report_run(request: HttpRequest) -> HttpResponse:
    form = RunReportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The report options are not valid.")
    report = services.audit_report_request(actor=request.user, sync_first=form.cleaned_data["sync_first"],
                                           request=request)
    return redirect("audit_reports:detail", report_id=report.pk)


@require_safe
@staff_permission_required(VIEW_AUDIT)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(AuditReport.objects.select_related("started_by", "previous", "sync"), pk=report_id)
    form = FindingFilterForm(request.GET, report=report)
    findings = audit_findings(report=report, **form.selector_filters()) if form.is_valid() else report.findings.none()
    page = Paginator(findings, settings.EVADMIN_REPORTS_FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for finding in page.object_list:
        finding.rule_title = rule_title(finding.rule)
    context = {"report": report, "summaries": rule_summaries(report), "form": form, "page": page,
               "change": form.cleaned_data.get("change", "") if form.is_valid() else ""}
    progress = request.GET.get("part") == "progress"
    if progress and report.is_finished and wants_partial(request):
        # The progress panel polls while the report runs; once it is done the whole page reloads
        # to show the findings (and the polling stops with it).
        return vary_on_htmx(HttpResponseClientRefresh())
    return render_page(request, "data_quality/detail.html", context, partial="progress" if progress else "findings")


@require_safe
@staff_permission_required(VIEW_AUDIT)
def report_export_csv(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(AuditReport, pk=report_id, status=AuditReport.Status.COMPLETE)
    form = FindingFilterForm(request.GET, report=report)
    if not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid; correct them on the report's page.")
    filters = form.selector_filters()
    # A copy of customers' emails leaving evadmin belongs in the audit trail.
    audit_record(actor=request.user, action=services.REPORT_EXPORT, request=request, job_ref=f"audit-report-{report.pk}",
                 after={"report": report.pk, "format": "csv", "filters": {k: v for k, v in filters.items() if v}})
    rows = audit_findings_csv_rows(audit_findings(report=report, **filters).iterator(chunk_size=2000))
    suffix = "-".join(value for value in filters.values() if value)
    return csv_download(rows, f'audit-report-{report.pk}{"-" + suffix if suffix else ""}.csv')


