"""Forms of the bulk pages: the upload, and the options chosen before Start."""

from __future__ import annotations

from django import forms

from evadmin.bulk.models import BulkJob


class UploadForm(forms.Form):
    # Empty files pass here so that parsing gives its own message, the same as for every other bad file.
    file = forms.FileField(label="CSV or XLSX file", allow_empty_file=True,
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))


class SubmitForm(forms.Form):
    existing_policy = forms.ChoiceField(
        label="Accounts that already exist", choices=BulkJob.ExistingPolicy.choices,
        initial=BulkJob.ExistingPolicy.SKIP, widget=forms.RadioSelect,
    )
    strict_mode = forms.BooleanField(
        label="Strict mode: look every email up through the API just before creating it",
        help_text="Two requests per new account instead of one. For when the directory may be out of date.",
        required=False,
    )
