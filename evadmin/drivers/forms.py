"""The user form: email and location, checked with the API's address rule before anything is sent."""

from __future__ import annotations

import json
import math
from typing import Any

from django import forms
from django_countries import countries

from evadmin.data_quality.rules.countries import postcode_warning
from evadmin.evenergy.resources import ADDRESS_FIELDS, EvseSite, Tariff, User, is_resource_id
from evadmin.evenergy.validation import address_rule_errors

LOCATION_FIELDS = (*ADDRESS_FIELDS, "latitude", "longitude", "tariff", "evse_site")
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}


def country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, f"{name} ({code})") for code, name in countries)]


class UserForm(forms.Form):
    email = forms.EmailField(max_length=254)
    address_1 = forms.CharField(label="Address line 1", required=False, max_length=255)
    address_2 = forms.CharField(label="Address line 2", required=False, max_length=255)
    city = forms.CharField(required=False, max_length=255)
    state = forms.CharField(label="State or county", required=False, max_length=255)
    postal_code = forms.CharField(label="Postcode", required=False, max_length=32)
    country_code = forms.ChoiceField(label="Country", required=False, choices=country_choices)
    # Ranges are checked in clean(): a value the API already stores out of range is kept while the
    # agent leaves it alone (issue 11), only a new one must fit.
    latitude = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"min": -90, "max": 90, "step": "any"}))
    longitude = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"min": -180, "max": 180, "step": "any"}))
    tariff = forms.ChoiceField(required=False)
    evse_site = forms.ChoiceField(label="EVSE site", required=False)
    reason = forms.CharField(
        label="Reason or ticket", required=False, max_length=500,
        help_text="Optional: why this change is made, e.g. a ticket reference. Kept in the audit trail.",
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)
    # What the API stores that the form cannot offer as it is (a tariff or EVSE site no list has,
    # coordinates out of range), as JSON from the account as loaded: kept exactly unless the agent
    # changes that field, so saving another field never clears or refuses it (issue 11).
    stored = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tariffs: list[Tariff], evse_sites: list[EvseSite], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stored_values = stored_values(self.data.get("stored") if self.is_bound else self.initial.get("stored"))
        tariff_choices = [("", "No tariff"), *tariff_choice_groups(tariffs)]
        site_choices = [("", "No EVSE site"), *((site.id, site.label) for site in evse_sites)]
        for name, choices, known in (("tariff", tariff_choices, {t.id for t in tariffs}),
                                     ("evse_site", site_choices, {site.id for site in evse_sites})):
            current = self.stored_values.get(name)
            if current and current not in known:
                choices.insert(1, (current, f"current: {current}, not in the list"))
            self.fields[name].choices = choices
        for name, limit in COORDINATE_LIMITS.items():
            current = self.stored_values.get(name)
            if current is not None:
                self.fields[name].help_text = (
                    f"The API stores {current:g}, outside −{limit} to {limit}: correct it, or clear both "
                    "coordinates. Left as it is, it is not changed.")
        for name in ("address_1", "city", "postal_code", "country_code"):
            self.fields[name].widget.attrs["data-address-required"] = "true"

    @classmethod
    def initial_for(cls, user: User, *, tariffs: list[Tariff], evse_sites: list[EvseSite]) -> dict[str, Any]:
        location = (user.default_location.editable_values() if user.default_location else {}) or {}
        coordinates = location.pop("coordinates", None) or {}
        stored = {}
        if location.get("tariff") and location["tariff"] not in {t.id for t in tariffs}:
            stored["tariff"] = location["tariff"]
        if location.get("evse_site") and location["evse_site"] not in {site.id for site in evse_sites}:
            stored["evse_site"] = location["evse_site"]
        for name, limit in COORDINATE_LIMITS.items():
            value = coordinates.get(name)
            if value is not None and not -limit <= value <= limit:
                stored[name] = value
        return {
            "email": user.email, **{k: v for k, v in location.items() if v is not None},
            "latitude": coordinates.get("latitude"), "longitude": coordinates.get("longitude"),
            "fingerprint": user.fingerprint, "stored": json.dumps(stored) if stored else "",
        }

    @property
    def postcode_warning(self) -> str | None:
        """The audit report's postcode rule, as a warning while typing (never an error)."""
        if not self.is_bound:
            return None
        return postcode_warning(self.data.get("country_code", ""), self.data.get("postal_code", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, limit in COORDINATE_LIMITS.items():
            value = cleaned.get(name)
            if value is not None and not -limit <= value <= limit and value != self.stored_values.get(name):
                self.add_error(name, f"Ensure this value is between −{limit} and {limit}.")
        coordinates_invalid = self.has_error("latitude") or self.has_error("longitude")
        for name, message in address_rule_errors(cleaned).items():
            # A field that failed its own check already says why; an unreadable coordinate
            # makes the "give both" message misleading.
            if self.has_error(name) or (name in ("latitude", "longitude") and coordinates_invalid):
                continue
            self.add_error(name, message)
        return cleaned

    def location_values(self) -> dict[str, Any]:
        """The location in the shape services compare and send (empty strings become null)."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: (data.get(name) or "").strip() or None for name in ADDRESS_FIELDS}
        has_coordinates = data.get("latitude") is not None and data.get("longitude") is not None
        values["coordinates"] = {"latitude": data["latitude"], "longitude": data["longitude"]} if has_coordinates else None
        values["tariff"] = data.get("tariff") or None
        values["evse_site"] = data.get("evse_site") or None
        return values

    def add_api_errors(self, field_errors: dict[str, list[str]]) -> None:
        """Show the API's field_errors on the matching fields ("default_location.postal_code" -> postal_code)."""
        for key, messages in field_errors.items():
            field = next((part for part in reversed(key.split(".")) if part in self.fields), None)
            for message in messages:
                self.add_error(field, message if field else f"{key}: {message}")


def stored_values(raw: str | None) -> dict[str, Any]:
    """The form's `stored` field read back: only well-formed ids and finite coordinates."""
    try:
        values = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(values, dict):
        return {}
    kept: dict[str, Any] = {}
    for name, prefix in (("tariff", "tari"), ("evse_site", "site")):
        value = values.get(name)
        if is_resource_id(value, prefix):
            kept[name] = value
    for name in COORDINATE_LIMITS:
        value = values.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            kept[name] = float(value)
    return kept


def tariff_choice_groups(tariffs: list[Tariff]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Tariffs grouped by supplier, as <optgroup>s, so the supplier is shown with each tariff."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for tariff in tariffs:
        supplier = tariff.supplier.name if tariff.supplier else "Other suppliers"
        groups.setdefault(supplier, []).append((tariff.id, f"{tariff.name} ({tariff.currency})"))
    return list(groups.items())


class UserLookupForm(forms.Form):
    """The list page's controls: exact email lookup and page size."""

    email = forms.EmailField(required=False, label="Email (exact)")
    page_size = forms.TypedChoiceField(choices=[(n, n) for n in (25, 50, 100)], coerce=int, required=False, empty_value=25)


class TimelineFilterForm(forms.Form):
    """The driver's timeline: which kinds of entry, and between which days (UTC, both included)."""

    kind = forms.MultipleChoiceField(label="Show", required=False, widget=forms.CheckboxSelectMultiple)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The last day comes before the first.")
        return data

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"kinds": self.cleaned_data["kind"], "since": self.cleaned_data["since"],
                "until": self.cleaned_data["until"]}
