"""The playbook editor: its steps (a formset: text and where it leads), the reason, and starting a
playbook for another subcategory."""

from __future__ import annotations

from django import forms

from evadmin.playbooks.links import NO_LINK, link_choices

SUBCATEGORY_PATTERN = r"^[A-Z][A-Z0-9_]{1,59}$"
EXTRA_ROWS = 2  # blank rows offered for new steps; blank rows are ignored


class StepForm(forms.Form):
    text = forms.CharField(label="Step", max_length=300, required=False,
                           widget=forms.TextInput(attrs={"size": 70}))
    link = forms.ChoiceField(label="Leads to", required=False, choices=link_choices)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("text", "").strip() and cleaned.get("link", NO_LINK) != NO_LINK:
            self.add_error("text", "Say what to do at this step, or set its link to “No link”.")
        return cleaned


class BaseStepFormSet(forms.BaseFormSet):
    def steps(self) -> list[dict[str, str]]:
        """The filled steps, in order (blank rows skipped)."""
        return [{"text": form.cleaned_data["text"].strip(), "link": form.cleaned_data.get("link", NO_LINK)}
                for form in self.forms if form.cleaned_data.get("text", "").strip()]

    def clean(self):
        super().clean()
        if not any(form.errors for form in self.forms) and not self.steps():
            raise forms.ValidationError("A playbook needs at least one step.")


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=EXTRA_ROWS, max_num=20,
                                    validate_max=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why this change: kept with the revision and in the audit trail.")


class NewPlaybookForm(forms.Form):
    subcategory = forms.RegexField(
        label="Subcategory", regex=SUBCATEGORY_PATTERN, max_length=60,
        error_messages={"invalid": "A subcategory is the API's value: capitals and underscores, e.g. NO_CHARGE."})
