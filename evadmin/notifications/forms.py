from django import forms

from evadmin.evenergy.notifications import NotificationPreferences


class PreferencesForm(forms.Form):
    """One box per group the driver's preferences have (ticked: opted in), and a reason."""

    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why staff change them for the driver: kept in the audit trail.")

    def __init__(self, *args, preferences: NotificationPreferences, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.groups = [group for group, _, _ in preferences.rows]
        reason = self.fields.pop("reason")
        for group, label, value in preferences.rows:
            self.fields[f"group_{group}"] = forms.BooleanField(label=label, required=False, initial=value)
        self.fields["reason"] = reason

    def wanted(self) -> dict[str, bool]:
        return {group: bool(self.cleaned_data.get(f"group_{group}")) for group in self.groups}

    def group_fields(self):
        return [self[f"group_{group}"] for group in self.groups]
