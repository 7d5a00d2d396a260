from django import forms

PAGE_SIZES = (25, 50, 100)


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The audit trail's filter form beyond its filters (evadmin.audit.filters.AuditEventFilter adds those):
    the page size, and "To" not before "From"."""

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
        self.fields["per_page"] = self.fields.pop("per_page")  # after the filters, as the page shows it

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "“To” must be on or after “From”.")
        return cleaned

    def page_size(self) -> int:
        if self.is_valid():
            return self.cleaned_data["per_page"]
        return PAGE_SIZES[0]
