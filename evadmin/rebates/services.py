"""Writes of this app: submitting a driver's rebate application on their behalf, with a reason, on record.

POST /user_rebates/{id}:submit has no idempotency key and cannot be undone: it is sent once, never
retried. Before it, the application is read as the API has it now (one request): one already
submitted, or still missing evidence, is refused here with a sentence and not sent. A lost answer is
recorded as outcome unknown and re-raised (the page says what to check).
"""

from __future__ import annotations

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import user_rebate_submit
from evadmin.evenergy.read_cache import read_cache_forget
from evadmin.evenergy.rebates import UserRebate
from evadmin.rebates.selectors import driver_rebates


class CannotSubmit(Exception):
    """The application cannot be submitted now: the message says why."""


def rebate_find(*, user_id: str, rebate_id: str, refresh: bool = False) -> UserRebate | None:
    return next((item for item in driver_rebates(user_id=user_id, refresh=refresh).value if item.id == rebate_id),
                None)


def rebate_submit(*, user_id: str, rebate_id: str, actor, reason: str, request: HttpRequest | None = None) -> None:
    current = rebate_find(user_id=user_id, rebate_id=rebate_id, refresh=True)
    if current is None:
        raise CannotSubmit("The driver has no such rebate application.")
    if current.in_review:
        raise CannotSubmit("This application has already been submitted: it is in evidence review.")
    if current.missing:
        raise CannotSubmit("It cannot be submitted yet: " + "; ".join(current.missing) + ".")
    title = current.rebate_type.title if current.rebate_type else ""
    event = {"actor": actor, "action": actions.REBATE_SUBMIT, "target_user_id": user_id, "reason": reason,
             "request": request, "before": {"user_rebate": current.id, "rebate": title, "status": current.status}}
    try:
        user_rebate_submit(evenergy_client(), current.id, user=user_id)
    except errors.OutcomeUnknown as exc:
        audit_record(**event, after={"outcome": "unknown", "check": exc.check})
        read_cache_forget(scope=user_id)
        raise
    audit_record(**event, after={"user_rebate": current.id, "rebate": title, "status": "COMPLETE"})
    read_cache_forget(scope=user_id)  # the next look reads the application as submitted
