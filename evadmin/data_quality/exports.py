"""A report's findings as CSV rows, safe to open in a spreadsheet."""

from collections.abc import Iterable, Iterator

from evadmin.core.exports import neutralise_row
from evadmin.data_quality.models import AuditFinding
from evadmin.data_quality.selectors import rule_summaries

CSV_HEADER = ("report", "rule", "rule_title", "severity", "user_id", "email", "detail", "new")


def audit_findings_csv_rows(findings: Iterable[AuditFinding]) -> Iterator[list]:
    """The header, then one row per finding; every cell neutralised, as emails and details are user data."""
    rules = {summary.name: summary for summary in rule_summaries(None)}
    yield list(CSV_HEADER)
    for finding in findings:
        rule = rules.get(finding.rule)
        yield neutralise_row([
            finding.report_id, finding.rule, rule.title if rule else finding.rule, rule.severity if rule else "",
            finding.user_id, finding.email, finding.detail, "yes" if finding.is_new else "no",
        ])
