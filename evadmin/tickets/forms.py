"""The ticket desk's forms: the queue's filters (the API's own, so filtering costs what paging does),
its saved views, opening a ticket by its help-desk number, and recategorising a ticket."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from evadmin.evenergy.tickets import TicketTaxonomy

STATUSES = ("Open", "Pending", "Waiting on Customer", "Resolved", "Closed")
PRIORITIES = ("Low", "Medium", "High", "Urgent")
SOURCES = ("Email", "Phone", "Chat", "Portal", "Feedback Widget")
ANY = ""
HUMAN_CATEGORY_CHOICES = ((ANY, "Set or not"), ("missing", "Not set yet"), ("set", "Set"))
DRIVER_CHOICES = ((ANY, "With or without"), ("with", "With a driver"), ("without", "Without a driver"))
RESOLVED_CHOICES = ((ANY, "Resolved or not"), ("no", "Not resolved"), ("yes", "Resolved"))
CATEGORY_BY_CHOICES = (("human", "Human category"), ("ai", "AI category"))
DATE = forms.DateInput(attrs={"type": "date"})


def _choices(values: tuple[str, ...], anything: str) -> list[tuple[str, str]]:
    return [(ANY, anything), *((value, value) for value in values)]


def _taxonomy_choices(form: forms.Form, taxonomy: TicketTaxonomy, any_category: str, any_subcategory: str) -> None:
    """The form's category and subcategory choices from the API's taxonomy (subcategories by label)."""
    form.fields["category"].choices = [(ANY, any_category), *(
        (entry.value, entry.label) for entry in taxonomy.categories)]
    form.fields["subcategory"].choices = [(ANY, any_subcategory), *sorted(
        ((entry.value, entry.label) for entry in taxonomy.subcategories), key=lambda choice: choice[1])]


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _end(day: date) -> datetime:
    return _start(day + timedelta(days=1)) - timedelta(microseconds=1)


# Form field -> the API's filter, for the ones that pass straight through.
# driver_id goes as the client's `user`: the EvEnergy-User header, how API-NOTES lists one driver's tickets.
DIRECT = {"status": "status", "priority": "priority", "source": "source", "tag": "tags", "driver_id": "user"}
# (form's from, form's to) -> the API's date-time field; days are whole UTC days.
RANGES = {("created_from", "created_to"): "created_at", ("resolved_from", "resolved_to"): "resolved_at",
          ("updated_from", "updated_to"): "ticket_updated_at"}


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=_choices(STATUSES, "Any status"))
    priority = forms.ChoiceField(required=False, choices=_choices(PRIORITIES, "Any priority"))
    source = forms.ChoiceField(required=False, choices=_choices(SOURCES, "Any source"))
    category_by = forms.ChoiceField(label="Category as set by", required=False, choices=CATEGORY_BY_CHOICES,
                                    initial="human")
    category = forms.ChoiceField(required=False)
    subcategory = forms.ChoiceField(required=False)
    human_category = forms.ChoiceField(label="Human category", required=False, choices=HUMAN_CATEGORY_CHOICES)
    tag = forms.CharField(required=False, max_length=100)
    driver = forms.ChoiceField(required=False, choices=DRIVER_CHOICES)
    driver_id = forms.RegexField(label="Driver id", required=False, regex=r"^user[A-Z0-9]{26}$", max_length=30,
                                 error_messages={"invalid": "A driver id is “user” and 26 capitals or digits."})
    resolved = forms.ChoiceField(required=False, choices=RESOLVED_CHOICES)
    created_from = forms.DateField(label="Created from", required=False, widget=DATE)
    created_to = forms.DateField(label="Created up to", required=False, widget=DATE)
    resolved_from = forms.DateField(label="Resolved from", required=False, widget=DATE)
    resolved_to = forms.DateField(label="Resolved up to", required=False, widget=DATE)
    updated_from = forms.DateField(label="Updated from", required=False, widget=DATE)
    updated_to = forms.DateField(label="Updated up to", required=False, widget=DATE)

    def __init__(self, *args, taxonomy: TicketTaxonomy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_choices(self, taxonomy, "Any category", "Any subcategory")

    def clean(self):
        cleaned = super().clean()
        for (low, high), _field in RANGES.items():
            if cleaned.get(low) and cleaned.get(high) and cleaned[low] > cleaned[high]:
                self.add_error(high, "Pick a day on or after the first one.")
        if cleaned.get("driver") == "without" and cleaned.get("driver_id"):
            self.add_error("driver_id", "A ticket without a driver has no driver id: clear one of the two.")
        return cleaned

    def api_filters(self) -> dict[str, Any]:
        """The list's query filters, by the spec's names ({} until the form is valid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        filters: dict[str, Any] = {api: data[name] for name, api in DIRECT.items() if data.get(name)}
        who = "ai_generated" if data.get("category_by") == "ai" else "human_verified"
        for level in ("category", "subcategory"):
            if data.get(level):
                filters[f"{who}_{level}"] = data[level]
        if data.get("human_category"):
            filters["human_verified_category__isnull"] = data["human_category"] == "missing"
        if data.get("driver"):
            filters["user__isnull"] = data["driver"] == "without"
        if data.get("resolved"):
            filters["resolved_at__isnull"] = data["resolved"] == "no"
        for (low, high), field in RANGES.items():
            if data.get(low):
                filters[f"{field}__gte"] = _start(data[low])
            if data.get(high):
                filters[f"{field}__lte"] = _end(data[high])
        return filters

    def in_use(self) -> dict[str, str]:
        """The filters given, as the query string keeps them (for the pager and saved views)."""
        if not self.is_bound:
            return {}
        return {name: self.data[name] for name in self.fields if self.data.get(name)}


def saved_views(today: date | None = None) -> list[tuple[str, str, dict[str, str]]]:
    """The common queues, as (slug, label, the queue's query): links, so a view is bookmarkable."""
    today = today or timezone.now().date()
    week_ago = (today - timedelta(days=6)).isoformat()
    return [
        ("open-charging-uncategorised", "Open, charging, no human category",
         {"status": "Open", "category_by": "ai", "category": "CHARGING_SESSION", "human_category": "missing"}),
        ("high-priority-this-week", "High priority this week", {"priority": "High", "created_from": week_ago}),
        ("urgent-open", "Urgent and open", {"priority": "Urgent", "status": "Open"}),
        ("awaiting-category", "Open, awaiting a human category", {"status": "Open", "human_category": "missing"}),
        ("no-driver", "Open, no driver", {"status": "Open", "driver": "without"}),
    ]


class OpenByExternalIdForm(forms.Form):
    external_id = forms.RegexField(
        label="Freshdesk ticket number", regex=r"^\s*\d{1,20}\s*$", max_length=40,
        error_messages={"invalid": "A Freshdesk ticket number is digits only, e.g. 48213."})


class RecategoriseForm(forms.Form):
    category = forms.ChoiceField(label="Human category")
    subcategory = forms.ChoiceField(label="Human subcategory")
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why this category: kept in the audit trail and the ticket's history.")

    def __init__(self, *args, taxonomy: TicketTaxonomy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_choices(self, taxonomy, "Choose a category", "Choose a subcategory")
        for name in ("category", "subcategory"):
            self.fields[name].error_messages["invalid_choice"] = (
                "“%(value)s” is not in the API's taxonomy: choose one from the list.")
