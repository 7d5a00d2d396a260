"""The directory's search and filter form, shared by /users/ (directory mode) and /locations/."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from evadmin.driver_directory.search import DirectoryFilters
from evadmin.driver_directory.selectors import directory_filter_choices

PAGE_SIZES = (25, 50, 100)
# Any of these in the query string asks /users/ for the directory rather than the API's pages
# (`directory` is the search form's own hidden marker; `sort` and `page` come from its table).
DIRECTORY_PARAMS = ("directory", "q", "country", "tariff", "supplier", "evse_site", "no_location", "no_tariff",
                    "sort", "page")


def wants_directory(params: QueryDict) -> bool:
    return any(params.get(name) for name in DIRECTORY_PARAMS)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=200,
        help_text="Part of an email, a name, a postcode (with or without its space), a city, an address or a user id.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. smith sw1a1aa"}),
    )
    country = forms.ChoiceField(required=False)
    tariff = forms.ChoiceField(required=False)
    supplier = forms.ChoiceField(required=False)
    evse_site = forms.ChoiceField(label="EVSE site", required=False)
    no_location = forms.BooleanField(label="Has no location", required=False)
    no_tariff = forms.BooleanField(label="Has no tariff", required=False)
    page_size = forms.TypedChoiceField(
        label="Per page", choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False, empty_value=PAGE_SIZES[0]
    )

    def __init__(self, *args, **kwargs) -> None:
        # /users/ also has the exact-email form: keep the two forms' element ids apart.
        kwargs.setdefault("auto_id", "directory_%s")
        super().__init__(*args, **kwargs)
        choices = directory_filter_choices()
        self.fields["country"].choices = [("", "Any country"), *choices.countries]
        self.fields["tariff"].choices = [("", "Any tariff"), *choices.tariffs]
        self.fields["supplier"].choices = [("", "Any supplier"), *choices.suppliers]
        self.fields["evse_site"].choices = [("", "Any EVSE site"), *choices.evse_sites]

    def query(self) -> str:
        return self.cleaned_data.get("q") or ""

    def filters(self) -> DirectoryFilters:
        data = self.cleaned_data
        return DirectoryFilters(
            country=data.get("country") or "", tariff=data.get("tariff") or "", supplier=data.get("supplier") or "",
            evse_site=data.get("evse_site") or "", no_location=bool(data.get("no_location")),
            no_tariff=bool(data.get("no_tariff")),
        )

    def per_page(self) -> int:
        return (self.cleaned_data.get("page_size") if self.is_valid() else None) or PAGE_SIZES[0]
