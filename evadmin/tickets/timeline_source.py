"""The tickets' source of the driver's timeline: each ticket opened (and resolved) and each message of
its conversation, linking to the ticket's page. Held: the timeline's own read (with the messages);
loading is one request (`expand=messages`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from evadmin.core.driver_page import NEUTRAL, OK, WARNING, TimelineEntry, TimelineSource
from evadmin.evenergy.tickets import SupportTicket
from evadmin.tickets.selectors import driver_tickets, driver_tickets_seen

KIND = "tickets"
MESSAGE_WORDS = 40  # a message's first words in the stream; the whole of it on the ticket's page


def _entries(tickets: list[SupportTicket]) -> list[TimelineEntry]:
    entries = []
    for ticket in tickets:
        url = reverse("tickets:detail", args=[ticket.id])
        number = f"#{ticket.external_ticket_id}" if ticket.external_ticket_id else "A ticket"
        subject = ticket.subject or "no subject"
        if ticket.created_at:
            entries.append(TimelineEntry(at=ticket.created_at, kind=KIND, title=f"Ticket {number} opened: {subject}",
                                         detail=f"{ticket.status or 'status not known'}, priority "
                                                f"{ticket.priority or 'not set'}",
                                         url=url, tone=WARNING if ticket.is_open else NEUTRAL))
        if ticket.resolved_at:
            entries.append(TimelineEntry(at=ticket.resolved_at, kind=KIND, title=f"Ticket {number} resolved",
                                         detail=subject, url=url, tone=OK))
        for message in ticket.messages:
            if message.created_at:
                entries.append(TimelineEntry(
                    at=message.created_at, kind=KIND, title=f"{message.type_label} on ticket {number}",
                    detail=Truncator(message.message_clean or message.message).words(MESSAGE_WORDS),
                    url=f"{url}#message-{message.position}"))
    return entries


def peek(user_id: str) -> list[TimelineEntry] | None:
    """Held only with the conversations: the tickets panel's read alone would leave the messages out
    and not say so."""
    held = driver_tickets_seen(user_id=user_id)
    return _entries(held[0]) if held and held[1] else None


def load(user_id: str, refresh: bool) -> list[TimelineEntry]:
    return _entries(driver_tickets(user_id=user_id, refresh=refresh, with_messages=True).value)


SOURCE = TimelineSource(kind=KIND, label="Tickets and their messages", cost="1 request", peek=peek, load=load,
                        order=30)
