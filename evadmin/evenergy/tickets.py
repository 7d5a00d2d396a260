"""Typed support-ticket resources: a ticket from the help desk (Freshdesk), its messages, the category
taxonomy, and the team statistics the API serves.

Fields are the ones evadmin's pages read; `raw` keeps the rest (typed.py says how they are read).
A ticket's `user` is the driver expanded (`expand=user`), or None: either the ticket has no driver
(a web-form inquiry before sign-up) or it was served as a URL (`ticket.related_id("user")`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from evadmin.evenergy.resources import User
from evadmin.evenergy.typed import ApiObject

# The help desk's message types, in the words staff read.
MESSAGE_TYPE_LABELS = {
    "INITIAL_REQUEST": "Driver's request",
    "CUSTOMER_RESPONSE": "Driver",
    "HUMAN_AGENT_RESPONSE": "Agent",
    "AI_AGENT_RESPONSE": "AI agent",
}


@dataclass
class TicketMessage(ApiObject):
    id: str = ""
    position: int = 0
    message_type: str = ""
    message: str = ""
    message_clean: str | None = None
    created_at: datetime | None = None

    @property
    def type_label(self) -> str:
        return MESSAGE_TYPE_LABELS.get(self.message_type, self.message_type or "Message")

    @property
    def from_driver(self) -> bool:
        return self.message_type in ("INITIAL_REQUEST", "CUSTOMER_RESPONSE")


@dataclass
class SupportTicket(ApiObject):
    id: str = ""
    external_ticket_id: str = ""  # the help desk's (Freshdesk's) id
    user: User | None = None  # expanded; see the module docstring
    subject: str | None = None
    status: str | None = None
    priority: str | None = None
    source: str | None = None
    human_verified_category: str | None = None
    human_verified_subcategory: str | None = None
    ai_generated_category: str | None = None
    ai_generated_subcategory: str | None = None
    tags: list[str] = field(default_factory=list)
    messages: list[TicketMessage] = field(default_factory=list)  # expanded (`expand=messages`)
    conversation_summary: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    ticket_updated_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user is not None else self.related_id("user")

    @property
    def category(self) -> str | None:
        """The category staff act on: a person's when one has set it, else the AI's."""
        return self.human_verified_category or self.ai_generated_category

    @property
    def subcategory(self) -> str | None:
        return self.human_verified_subcategory or self.ai_generated_subcategory

    @property
    def awaiting_human_category(self) -> bool:
        return not self.human_verified_category

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None and (self.status or "").lower() not in ("resolved", "closed")

    @property
    def messages_in_order(self) -> list[TicketMessage]:
        return sorted(self.messages, key=lambda message: message.position)


@dataclass
class TaxonomyEntry(ApiObject):
    value: str = ""
    label: str = ""


@dataclass
class TicketTaxonomy(ApiObject):
    """The categories and subcategories a ticket may carry (flat lists, as the API serves them)."""

    categories: list[TaxonomyEntry] = field(default_factory=list)
    subcategories: list[TaxonomyEntry] = field(default_factory=list)

    def category_label(self, value: str | None) -> str:
        return _label(self.categories, value)

    def subcategory_label(self, value: str | None) -> str:
        return _label(self.subcategories, value)


def _label(entries: list[TaxonomyEntry], value: str | None) -> str:
    if not value:
        return ""
    return next((entry.label for entry in entries if entry.value == value), value)


# --- Team statistics (/support-ticket-stats/…) -----------------------------------------------

@dataclass
class VolumePoint(ApiObject):
    period: str = field(default="", metadata={"api": "date"})  # the period's first day, ISO 8601
    count: int = 0

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.period)
        except ValueError:
            return None


@dataclass
class TicketVolume(ApiObject):
    time_series: list[VolumePoint] = field(default_factory=list)


@dataclass
class TicketResolution(ApiObject):
    resolution_rate: float = 0.0
    avg_resolution_time_hours: float | None = None
    median_resolution_time_hours: float | None = None
    total_resolved: int = 0
    total_unresolved: int = 0


@dataclass
class BreakdownRow(ApiObject):
    """One row of a status, priority or source breakdown; `value` is the row's status (or …)."""

    value: str = ""
    count: int = 0
    percentage: float = 0.0


def breakdown_type(key: str):
    """The typed breakdown whose rows name their value under `key` (status, priority, source)."""

    @dataclass
    class Breakdown(ApiObject):
        breakdown: list[BreakdownRow] = field(default_factory=list)

        @classmethod
        def from_api(cls, data: dict):
            found = super().from_api(data)
            for row in found.breakdown:
                row.value = str(row.raw.get(key) or "")
            return found

    Breakdown.__name__ = Breakdown.__qualname__ = f"{key.title()}Breakdown"
    return Breakdown


StatusBreakdown = breakdown_type("status")
PriorityBreakdown = breakdown_type("priority")
SourceBreakdown = breakdown_type("source")


@dataclass
class CategoryCount(ApiObject):
    category: str = ""
    subcategory: str = ""
    count: int = 0
    percentage: float = 0.0


@dataclass
class TopCategories(ApiObject):
    categories: list[CategoryCount] = field(default_factory=list)
    subcategories: list[CategoryCount] = field(default_factory=list)


@dataclass
class SankeyNode(ApiObject):
    id: str = ""
    label: str = ""


@dataclass
class SankeyLink(ApiObject):
    source: str = ""
    target: str = ""
    value: int = 0


@dataclass
class CategoryFlow(ApiObject):
    """The sankey data: tickets flowing from categories to subcategories, as the API counts them."""

    nodes: list[SankeyNode] = field(default_factory=list)
    links: list[SankeyLink] = field(default_factory=list)
