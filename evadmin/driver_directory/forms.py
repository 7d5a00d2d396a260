"""The directory's search and filter form, shared by /users/ (directory mode) and /locations/."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict

from evadmin.driver_directory.search import DirectoryFilters
from evadmin.driver_directory.selectors import directory_filter_choices

PAGE_SIZES = (25, 50, 100)
# Any of these in the query string asks /users/ for the directory rather than the API's pages
# (`directory` is the search form's own hidden marker; `sort` and `page` come from its table).
DIRECTORY_PARAMS = ("directory", "q", "country", "tariff", "supplier", "evse_site", "no_location", "no_tariff",
                    "sort", "page")


FILTER_FIELDS = ("country", "tariff", "supplier", "evse_site", "no_location", "no_tariff", "page_size")


def wants_directory(params: QueryDict) -> bool:
    return any(params.get(name) for name in DIRECTORY_PARAMS)


def exact_email(params: QueryDict) -> str | None:
    """The search box holding one whole email and nothing else narrowing the search: the API answers
    it exactly (one request), finding an account the directory has not synced yet."""
    query = (params.get("q") or "").strip()
    if " " in query or "@" not in query or any(params.get(name) for name in FILTER_FIELDS if name != "page_size"):
        return None
    try:
        validate_email(query)
    except ValidationError:
        return None
    return query


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=200,
        help_text="Part of a name, an email, a postcode, a city, an address or a user id; a whole email is looked "
                  "up in the API (one request). Press / on any page to search.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. smith sw1a1aa, or an exact email",
                                      "autofocus": True, "data-search-box": "true"}),
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

    def filters_in_use(self) -> bool:
        """Whether a filter narrows the search (the folded filters then show open)."""
        return any(self.data.get(name) for name in FILTER_FIELDS if name != "page_size")

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
