"""Data quality's part of the driver's summary strip: what the latest audit report found for this
driver (evadmin's own tables: never a request). A Glasgow address with Boston coordinates looks normal
on the page; the report's rule says otherwise."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import OK, PROBLEM, UNKNOWN, WARNING, SummaryPart
from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.data_quality.rules import Severity, get_rule
from evadmin.staff import roles

LABEL = "Data quality"


def data_quality_summary(user_id: str) -> SummaryPart:
    report = AuditReport.objects.filter(status=AuditReport.Status.COMPLETE).order_by("-finished_at", "-pk").first()
    if report is None:
        return SummaryPart(LABEL, "no audit report has run yet", UNKNOWN, known=False,
                           url=reverse("audit_reports:list"), order=80, url_permission=roles.VIEW_AUDIT)
    url = reverse("audit_reports:detail", args=[report.pk])
    findings = list(AuditFinding.objects.filter(report=report, user_id=user_id).order_by("rule"))
    as_of = f"report #{report.pk}, {report.finished_at:%d %b %H:%M} UTC" if report.finished_at else f"report #{report.pk}"
    if not findings:
        return SummaryPart(LABEL, f"nothing found ({as_of})", OK, url=url, order=80, url_permission=roles.VIEW_AUDIT)
    rules = [get_rule(finding.rule) for finding in findings]
    words = "; ".join(f"{rule.title if rule else finding.rule}: {finding.detail}" if finding.detail
                      else (rule.title if rule else finding.rule) for finding, rule in zip(findings, rules, strict=True))
    tone = PROBLEM if any(rule and rule.severity == Severity.ERROR for rule in rules) else WARNING
    return SummaryPart(LABEL, f"{words} ({as_of})", tone, url=url, order=80, url_permission=roles.VIEW_AUDIT)
