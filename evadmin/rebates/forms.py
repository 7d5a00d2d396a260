from django import forms


class SubmitRebateForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why staff submit it for the driver: kept in the audit trail.")
    confirm = forms.BooleanField(
        label="I have checked the evidence with the driver: submitting cannot be undone",
        error_messages={"required": "Tick the box to confirm: a submitted application cannot be taken back."})
