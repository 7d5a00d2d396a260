"""The ticket a staff member is working on, per driver, so the fixes they apply carry it by themselves.

Opening a ticket's page notes it in the staff member's session against the ticket's driver. A fix
form for that driver (within WORKING_HOURS) offers to record the fix against the ticket, ticked by
default; applying it sets `request.ticket_ref`, which `audit_record` writes into the event. A link
may also name the ticket itself (`?ticket=tick…`), e.g. a playbook's step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "tickets_working_on"
WORKING_HOURS = 8
KEPT = 20  # drivers remembered per session
TICKET_ID = re.compile(r"^tick[A-Z0-9]{26}$")


@dataclass(frozen=True)
class WorkingTicket:
    id: str
    external_id: str  # the help desk's number, as staff say it
    subject: str


def ticket_working_on_note(request: HttpRequest, *, user_id: str, ticket_id: str, external_id: str,
                           subject: str) -> None:
    noted = dict(request.session.get(SESSION_KEY, {}))
    noted[user_id] = {"id": ticket_id, "external_id": external_id, "subject": (subject or "")[:200],
                      "at": timezone.now().isoformat()}
    # Only the most recent KEPT drivers: a session is no place for a long history.
    newest = sorted(noted.items(), key=lambda item: item[1]["at"], reverse=True)[:KEPT]
    request.session[SESSION_KEY] = dict(newest)


def ticket_working_on(request: HttpRequest, *, user_id: str) -> WorkingTicket | None:
    """The ticket whose page this staff member opened for the driver in the last WORKING_HOURS."""
    noted = request.session.get(SESSION_KEY, {}).get(user_id) if hasattr(request, "session") else None
    if not noted:
        return None
    try:
        at = datetime.fromisoformat(noted["at"])
    except (KeyError, ValueError):
        return None
    if timezone.now() - at > timedelta(hours=WORKING_HOURS) or not TICKET_ID.match(noted.get("id", "")):
        return None
    return WorkingTicket(noted["id"], noted.get("external_id", ""), noted.get("subject", ""))


def ticket_ref_set(request: HttpRequest, ticket_id: str | None) -> None:
    """From here on, audit events this request records carry `ticket_id` (when it is a ticket's id)."""
    if ticket_id and TICKET_ID.match(ticket_id):
        request.ticket_ref = ticket_id
