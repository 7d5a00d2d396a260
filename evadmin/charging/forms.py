"""The Charging panel's filters: the API's own sub-session filters, so filtering costs what paging does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django import forms

from evadmin.charging.words import MODES

FINISHED_CHOICES = (("", "Finished or running"), ("true", "Finished"), ("false", "Still running"))


class SubSessionFilterForm(forms.Form):
    start_from = forms.DateField(label="Started from", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    start_to = forms.DateField(label="Started up to (including)", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    mode = forms.ChoiceField(required=False, choices=(("", "Any mode"), *MODES.items()))
    finished = forms.ChoiceField(label="Finished", required=False, choices=FINISHED_CHOICES)

    def clean(self):
        cleaned = super().clean()
        start_from, start_to = cleaned.get("start_from"), cleaned.get("start_to")
        if start_from and start_to and start_from > start_to:
            self.add_error("start_to", "Pick a day on or after the first one.")
        return cleaned

    def api_filters(self, zone: tzinfo) -> dict:
        """The list's query filters: days are the driver's local days (start__gt/start__lt are exclusive)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        filters = {}
        if data.get("start_from"):
            filters["start__gt"] = _midnight(data["start_from"], zone) - timedelta(seconds=1)
        if data.get("start_to"):
            filters["start__lt"] = _midnight(data["start_to"] + timedelta(days=1), zone)
        if data.get("mode"):
            filters["mode"] = data["mode"]
        if data.get("finished"):
            filters["is_finished"] = data["finished"] == "true"
        return filters


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
