"""Reading audit reports: lists, findings (new, resolved), per-rule summaries and the chart's data."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.data_quality.rules import Severity, all_rules, get_rule
from evadmin.driver_directory.models import DirectoryAccount

CHANGE_NEW = "new"
CHANGE_RESOLVED = "resolved"


def directory_accounts_audited() -> QuerySet:
    """The accounts a report checks: everyone in the directory the API still lists."""
    return DirectoryAccount.objects.filter(gone_at__isnull=True)


def audit_report_list() -> QuerySet:
    return AuditReport.objects.select_related("started_by")


def audit_findings(*, report: AuditReport, rule: str = "", change: str = "") -> QuerySet:
    """A report's findings, or with change="resolved" the previous report's that this one no longer has."""
    findings = audit_findings_resolved(report=report) if change == CHANGE_RESOLVED else report.findings.all()
    if change == CHANGE_NEW:
        findings = findings.filter(is_new=True)
    if rule:
        findings = findings.filter(rule=rule)
    return findings.order_by("rule", "user_id")


def audit_findings_resolved(*, report: AuditReport) -> QuerySet:
    """Findings of the report compared against that are gone now, for the rules both reports ran."""
    if report.previous_id is None:
        return AuditFinding.objects.none()
    same_now = AuditFinding.objects.filter(report=report, rule=OuterRef("rule"), user_id=OuterRef("user_id"))
    compared = [rule for rule in report.counts if rule in report.previous.counts]
    return AuditFinding.objects.filter(report_id=report.previous_id, rule__in=compared).filter(~Exists(same_now))


@dataclass(frozen=True)
class RuleSummary:
    name: str
    title: str
    severity: str
    explanation: str
    count: int | None  # None: the report did not run this rule
    new: int | None  # None: nothing to compare with
    resolved: int | None


def _rule_names(reports) -> list[str]:
    """Today's rules in their order, then any rule these reports ran that no longer exists."""
    names = [rule.name for rule in all_rules()]
    return names + sorted({name for report in reports if report for name in report.counts if name not in names})


def rule_summaries(report: AuditReport | None, *, names: list[str] | None = None) -> list[RuleSummary]:
    """One row per rule (`names`, or those of _rule_names) with the report's numbers for it."""
    summaries = []
    for name in names if names is not None else _rule_names([report]):
        rule = get_rule(name)
        summaries.append(RuleSummary(
            name=name,
            title=rule.title if rule else name,
            severity=rule.severity if rule else Severity.NOTICE,
            explanation=rule.explanation if rule else "This rule no longer exists.",
            count=report.counts.get(name) if report else None,
            new=report.new_counts.get(name) if report else None,
            resolved=report.resolved_counts.get(name) if report else None,
        ))
    return summaries


@dataclass(frozen=True)
class ReportRow:
    report: AuditReport
    rules: list[RuleSummary]  # in the order of the table's columns


def audit_report_rows(reports: list[AuditReport]) -> tuple[list[RuleSummary], list[ReportRow]]:
    """A table of reports with a column per rule: (the columns, one row per report)."""
    names = _rule_names(reports)
    return rule_summaries(None, names=names), [ReportRow(report, rule_summaries(report, names=names))
                                               for report in reports]


def rule_title(name: str) -> str:
    rule = get_rule(name)
    return rule.title if rule else name


def audit_report_chart(*, limit: int) -> dict:
    """Findings per rule over the last `limit` complete reports, oldest first, for the chart script."""
    reports = list(AuditReport.objects.filter(status=AuditReport.Status.COMPLETE)
                   .order_by("-finished_at", "-pk")[:limit])[::-1]
    return {
        "labels": [f"#{report.pk} {report.finished_at:%d %b %H:%M}" for report in reports],
        "series": [
            {"rule": name, "label": rule_title(name), "counts": [report.counts.get(name) for report in reports]}
            for name in _rule_names(reports)
        ],
    }
