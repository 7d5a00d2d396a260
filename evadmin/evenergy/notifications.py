"""Typed notification resources: the notifications sent to a driver and their notification preferences.

Fields are the ones evadmin's pages read; `raw` keeps the rest. Titles and bodies are API text shown
escaped, never as markup. Preferences are a map of group name to opt-in state; the spec lists five
groups, and a group it adds later is kept and shown by its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from evadmin.evenergy.typed import ApiObject

# The spec's groups, in its order, in the words staff read.
PREFERENCE_GROUPS = {
    "charging_flow": "Charging flow: plug-in, schedule and complete",
    "charging_issues": "Charging issues: errors and failures during a session",
    "charging_optimisation": "Charging optimisation: smart-charging schedule and savings",
    "deals_and_offers": "Deals and offers (marketing, subject to the driver's consent)",
    "power_supply_notifications": "Power supply: grid and power-supply events",
}
CATEGORY_LABELS = {"ACTIONABLE": "actionable", "SERVICE": "service", "RETRY": "retry", "MARKETING": "marketing",
                   "INTERNAL": "internal"}


@dataclass
class Notification(ApiObject):
    id: str = ""
    message_id: str = ""
    category: str = ""
    event_time: datetime | None = None
    short_text_title: str = ""
    short_text_body: str = ""
    detail_page_title: str = ""
    detail_page_body: str = ""
    external_link: str | None = None
    external_button_label: str = ""
    read_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category or "no category")


@dataclass
class NotificationPreferences(ApiObject):
    groups: dict[str, bool] = field(default_factory=dict)

    @property
    def rows(self) -> list[tuple[str, str, bool]]:
        """(group, its words, opted in) for the spec's groups in order, then any the spec does not name."""
        named = [(group, label, bool(self.groups.get(group))) for group, label in PREFERENCE_GROUPS.items()
                 if group in self.groups]
        others = [(group, group.replace("_", " ").capitalize(), bool(value)) for group, value in self.groups.items()
                  if group not in PREFERENCE_GROUPS]
        return named + others

    @property
    def switched_off(self) -> list[str]:
        return [group for group, value in self.groups.items() if not value]

    @property
    def all_off(self) -> bool:
        """Every group switched off: the driver hears nothing from ev.energy."""
        return bool(self.groups) and not any(self.groups.values())
