from django import forms

from evadmin.audit.selectors import audit_action_names

PAGE_SIZES = (25, 50, 100)


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Staff member", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False)
    target_user_id = forms.CharField(label="Target user id", required=False, max_length=64)
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    per_page = forms.TypedChoiceField(
        label="Per page",
        required=False,
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        empty_value=PAGE_SIZES[0],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action")] + [(name, name) for name in audit_action_names()]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "“To” must be on or after “From”.")
        return cleaned

    def selector_filters(self) -> dict:
        """Keyword arguments for audit_event_list (call after is_valid())."""
        data = self.cleaned_data
        return {
            "actor_username": data.get("actor", "").strip(),
            "action": data.get("action", ""),
            "target_user_id": data.get("target_user_id", "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    def page_size(self) -> int:
        if self.is_valid():
            return self.cleaned_data["per_page"]
        return PAGE_SIZES[0]
