from django import forms

from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.selectors import CHANGE_NEW, CHANGE_RESOLVED, rule_summaries


class RunReportForm(forms.Form):
    sync_first = forms.BooleanField(
        label="Sync the directory first", required=False,
        help_text="A full sync costs one API request per 100 accounts and may take a while.",
    )


class FindingFilterForm(forms.Form):
    rule = forms.ChoiceField(label="Rule", required=False)
    change = forms.ChoiceField(label="Compared with the previous report", required=False, choices=[
        ("", "All findings"), (CHANGE_NEW, "New findings only"), (CHANGE_RESOLVED, "Resolved since then"),
    ])

    def __init__(self, *args, report: AuditReport, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "Every rule")] + [
            (summary.name, summary.title) for summary in rule_summaries(report) if summary.count is not None
        ]

    def selector_filters(self) -> dict:
        """Keyword arguments for audit_findings (call after is_valid())."""
        return {"rule": self.cleaned_data.get("rule", ""), "change": self.cleaned_data.get("change", "")}
