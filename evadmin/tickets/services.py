"""Writes of the ticket desk: a ticket's human category, set with a reason and on record.

The API's PATCH changes categorisation only and has no idempotency key: it is sent once. Before it,
the category and subcategory are checked against the API's own taxonomy, so a value outside it is
refused here with a sentence, not sent. A lost answer is recorded as outcome unknown and re-raised
(the page says what to check); a change that happened is recorded with before, after and the reason,
and its event carries the ticket (ticket_ref), so the ticket's history lists it.
"""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import SUPPORT_TICKETS
from evadmin.evenergy.read_cache import read_cache_forget
from evadmin.evenergy.tickets import SupportTicket
from evadmin.tickets.selectors import (
    QUEUE_SCOPE,
    driver_tickets_replace,
    ticket_get,
    ticket_store,
    ticket_taxonomy,
)

CHECK_RECATEGORISED = "Reload the ticket: its human category shows the new one if the change happened."


class OutsideTaxonomy(Exception):
    """A category or subcategory the API's taxonomy does not have: `field` names which, `message` says so."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(message)


class NothingToChange(Exception):
    pass


def _categories(ticket: SupportTicket) -> dict:
    return {"human_verified_category": ticket.human_verified_category,
            "human_verified_subcategory": ticket.human_verified_subcategory}


def ticket_recategorise(*, ticket_id: str, category: str, subcategory: str, actor, reason: str,
                        request: HttpRequest | None = None) -> SupportTicket:
    """Set the ticket's human category and subcategory (from the taxonomy) and record why."""
    taxonomy = ticket_taxonomy()
    if category not in {entry.value for entry in taxonomy.categories}:
        raise OutsideTaxonomy("category", f"“{category}” is not a category of the API's taxonomy: choose one of "
                                          f"{', '.join(entry.label for entry in taxonomy.categories)}.")
    if subcategory not in {entry.value for entry in taxonomy.subcategories}:
        raise OutsideTaxonomy("subcategory", f"“{subcategory}” is not a subcategory of the API's taxonomy: choose "
                                             "one from the list.")
    # As the help desk has it now (one request): the audit's "before" and the nothing-to-change check must
    # not come from a copy another agent or the help desk has since changed.
    current = ticket_get(ticket_id=ticket_id, refresh=True).value
    before = _categories(current)
    after = {"human_verified_category": category, "human_verified_subcategory": subcategory}
    if before == after:
        raise NothingToChange("The ticket already has this human category and subcategory.")
    event = {"actor": actor, "action": actions.TICKET_RECATEGORISE, "target_user_id": current.user_id or "",
             "reason": reason, "request": request, "ticket_ref": current.id}
    try:
        answer = evenergy_client().collection(SUPPORT_TICKETS).update(current.id, after, check=CHECK_RECATEGORISED,
                                                                      expand=())
    except errors.OutcomeUnknown as exc:
        audit_record(**event, before=before, after={"outcome": "unknown", "check": exc.check})
        read_cache_forget(scope=current.id)
        raise
    # The PATCH takes no expand (its answer, if any, names the driver and messages by URL): keep the ones read.
    updated = replace(answer or current, **({} if answer else after), user=current.user, messages=current.messages)
    audit_record(**event, before=before, after=_categories(updated))
    ticket_store(updated)
    read_cache_forget(scope=QUEUE_SCOPE)  # the queue's pages filter on categories
    if current.user_id:
        driver_tickets_replace(user_id=current.user_id, ticket=updated)
    return updated
