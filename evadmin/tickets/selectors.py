"""Reads of the ticket desk, each one request at most and kept in the shared read cache.

A ticket is read with its driver and its messages (`expand=user,messages`): one request gives the
whole ticket page before its panels. A page of the queue is one request, with the drivers expanded
so the queue shows names. The taxonomy changes with a release of the API, not from one ticket to the
next: it is kept for a day. The team statistics are kept for ten minutes: a chart of three months
does not change by the minute, and seven charts must not cost seven requests per look.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import (
    SUPPORT_TICKETS,
    TICKET_CATEGORIES,
    TICKET_STATS_PRIORITY,
    TICKET_STATS_RESOLUTION,
    TICKET_STATS_SANKEY,
    TICKET_STATS_SOURCE,
    TICKET_STATS_STATUS,
    TICKET_STATS_TOP_CATEGORIES,
    TICKET_STATS_VOLUME,
    Operation,
    call,
)
from evadmin.evenergy.pagination import CursorPage
from evadmin.evenergy.read_cache import Read, read_cache_peek, read_cache_seen, read_cache_store, read_through
from evadmin.evenergy.tickets import SupportTicket, TicketTaxonomy

QUEUE_SCOPE = "tickets:queue"
STATS_SCOPE = "tickets:stats"
TAXONOMY_SCOPE = "tickets:taxonomy"
TICKET_EXPAND = ("user", "messages")
QUEUE_PAGE_SIZE = 25
DRIVER_PANEL_SIZE = 100  # a driver's tickets, one page (the most a page holds): open ones first
TAXONOMY_SECONDS = 24 * 3600
STATS_SECONDS = 600


def _key(filters: dict[str, Any]) -> str:
    return ":".join(f"{name}={value.isoformat() if isinstance(value, datetime) else value}"
                    for name, value in sorted(filters.items()))


def ticket_list_page(*, filters: dict[str, Any], page_after: str | None = None, page_before: str | None = None,
                     refresh: bool = False) -> Read[CursorPage]:
    """One page of the queue, newest first: one request, the drivers expanded (names, not ids)."""
    return read_through(
        scope=QUEUE_SCOPE, name=f"page:{_key(filters)}:{page_after or ''}:{page_before or ''}", refresh=refresh,
        fetch=lambda: evenergy_client().collection(SUPPORT_TICKETS).list(
            page_size=QUEUE_PAGE_SIZE, page_after=page_after, page_before=page_before, **filters))


def ticket_get(*, ticket_id: str, refresh: bool = False) -> Read[SupportTicket]:
    """The ticket with its driver and messages: one request."""
    return read_through(scope=ticket_id, name="ticket", refresh=refresh,
                        fetch=lambda: evenergy_client().collection(SUPPORT_TICKETS).get(ticket_id,
                                                                                       expand=TICKET_EXPAND))


def ticket_seen(*, ticket_id: str) -> SupportTicket | None:
    """The ticket as evadmin last read it (any age), never a request; None when it has not."""
    seen = read_cache_seen(scope=ticket_id, name="ticket")
    return seen.value if seen else None


def ticket_store(ticket: SupportTicket) -> Read[SupportTicket]:
    """A write's answer is the ticket's new state (its driver and messages kept from the read before)."""
    return read_cache_store(scope=ticket.id, name="ticket", value=ticket)


def ticket_id_by_external_id(*, external_id: str) -> str | None:
    """The ticket the help desk numbers `external_id` (Freshdesk), or None: one request."""
    page = evenergy_client().collection(SUPPORT_TICKETS).list(page_size=1, expand=(),
                                                              external_ticket_id=external_id.strip())
    return page.items[0].id if page.items else None


def driver_tickets(*, user_id: str, refresh: bool = False, with_messages: bool = False) -> Read[list[SupportTicket]]:
    """The driver's tickets, open ones first then newest first: one request (one page of them). The
    timeline asks for their conversations too (`expand=messages`), held under a name of their own."""
    expand = ("messages",) if with_messages else ()

    def fetch() -> list[SupportTicket]:
        page = evenergy_client().collection(SUPPORT_TICKETS).list(page_size=DRIVER_PANEL_SIZE, expand=expand,
                                                                  user=user_id)
        return sorted(page.items, key=lambda ticket: (not ticket.is_open,
                                                     -(ticket.created_at.timestamp() if ticket.created_at else 0)))
    return read_through(scope=user_id, name="tickets:messages" if with_messages else "tickets", refresh=refresh,
                        fetch=fetch)


def driver_tickets_seen(*, user_id: str) -> tuple[list[SupportTicket], bool] | None:
    """(tickets, with their messages) as evadmin last read them, never a request; None when it has not."""
    for name, with_messages in (("tickets:messages", True), ("tickets", False)):
        seen = read_cache_seen(scope=user_id, name=name)
        if seen is not None:
            return seen.value, with_messages
    return None


def driver_tickets_replace(*, user_id: str, ticket: SupportTicket) -> None:
    """A write's answer replaces the ticket in the driver's cached list (no request, the rest stays)."""
    seen = read_cache_peek(scope=user_id, name="tickets")
    if seen is not None:
        read_cache_store(scope=user_id, name="tickets",
                         value=[ticket if kept.id == ticket.id else kept for kept in seen.value])


def ticket_taxonomy() -> TicketTaxonomy:
    """The categories and subcategories: one request a day (the last copy when the API is out)."""
    return read_through(scope=TAXONOMY_SCOPE, name="taxonomy", seconds=TAXONOMY_SECONDS,
                        fetch=lambda: call(evenergy_client(), TICKET_CATEGORIES)).value


# The stats page's charts, each one request (kept STATS_SECONDS): name -> (operation, its parameters).
STATS_CHARTS: dict[str, tuple[Operation, dict[str, Any]]] = {
    "volume": (TICKET_STATS_VOLUME, {"group_by": "week"}),
    "resolution": (TICKET_STATS_RESOLUTION, {}),
    "status": (TICKET_STATS_STATUS, {}),
    "priority": (TICKET_STATS_PRIORITY, {}),
    "source": (TICKET_STATS_SOURCE, {}),
    "top_categories": (TICKET_STATS_TOP_CATEGORIES, {"limit": 10}),
    "category_flow": (TICKET_STATS_SANKEY, {}),
}
VOLUME_GROUPS = ("day", "week", "month")


def ticket_stat(*, name: str, refresh: bool = False, **overrides: Any) -> Read:
    """One chart's data: one request, kept ten minutes (stats change slowly)."""
    operation, params = STATS_CHARTS[name]
    params = {**params, **overrides}
    return read_through(scope=STATS_SCOPE, name=f"{name}:{_key(params)}", refresh=refresh, seconds=STATS_SECONDS,
                        fetch=lambda: call(evenergy_client(), operation, **params))
