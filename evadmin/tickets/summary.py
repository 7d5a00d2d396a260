"""The tickets' part of the driver's summary strip, from the driver's tickets as evadmin last read
them (the tickets panel's read): never a request."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from evadmin.core.driver_page import OK, UNKNOWN, WARNING, SummaryPart
from evadmin.tickets.selectors import driver_tickets_seen

LABEL = "Tickets"


def tickets_summary(user_id: str) -> SummaryPart:
    url = reverse("users:detail", args=[user_id]) + "#driver-tickets-heading"
    held = driver_tickets_seen(user_id=user_id)
    if held is None:
        return SummaryPart(LABEL, "not known yet: the tickets panel reads them (1 request)", UNKNOWN, known=False,
                           url=url, order=30)
    tickets = held[0]
    open_tickets = [ticket for ticket in tickets if ticket.is_open]
    if not open_tickets:
        return SummaryPart(LABEL, f"no open ticket ({len(tickets)} in all)", OK, url=url, order=30)
    newest = max(open_tickets, key=lambda ticket: ticket.created_at or datetime.min.replace(tzinfo=UTC))
    subject = newest.subject or "no subject"
    more = f" and {len(open_tickets) - 1} more" if len(open_tickets) > 1 else ""
    return SummaryPart(LABEL, f"{len(open_tickets)} open: #{newest.external_ticket_id} “{subject}”{more}", WARNING,
                       url=reverse("tickets:detail", args=[newest.id]) if newest.id else url, order=30)
