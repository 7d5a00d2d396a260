"""Reconciliation: settle the rows whose POST may or may not have created an account, before any send.

Rows left in flight (the worker died between marking and committing) or uncertain (timeout,
connection lost, 5xx after a POST) are looked for in the API, whichever way is cheaper:
- listing the users created after a safe starting id, 100 per request: the job's watermark, or
  a later account this job created well before (5 s) the earliest unsettled row was sent (ULIDs
  sort by creation, so the lost account, if any, comes after it);
- looking each email up (one request per row).
Found: created (id after the watermark) or existed. Not found after a complete listing or a
lookup: pending again, safe to send (or parked after the bounded number of attempts).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import outcomes
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.pagination import MAX_PAGE_SIZE, iter_cursor_pages, next_cursor_after_last_item
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.evenergy.validation import normalise_email

logger = logging.getLogger(__name__)

State = BulkRow.State
# Clock and ordering slack between "our 201 was stored" and "the next POST was sent".
LISTING_SAFETY_MARGIN = timedelta(seconds=5)
API_TROUBLE_WAIT = 30.0
INTERRUPTED = "The worker stopped before the answer was stored; checking whether the account exists."


def bulk_job_reconcile(*, job: BulkJob, beat: Callable[..., None]) -> float | None:
    """Settle every in-flight or uncertain row; returns None when done, else seconds to wait.

    Call only while holding the job's claim: then no request of this job is outstanding, so an
    in-flight row is one whose worker died.
    """
    now = timezone.now()
    # Re-sending a PATCH cannot duplicate anyone: those go straight back to pending.
    job.rows.filter(state=State.IN_FLIGHT).exclude(directory_user_id="").update(state=State.PENDING, updated_at=now)
    job.rows.filter(state=State.IN_FLIGHT).update(state=State.UNCERTAIN, error=INTERRUPTED, updated_at=now)
    uncertain = list(job.rows.filter(state=State.UNCERTAIN).order_by("row_number"))
    if not uncertain:
        return None
    start = listing_start(job=job, rows=uncertain)
    # Users after `start` include at least this job's accounts created since: an estimate of pages.
    pages_estimate = job.rows.filter(state=State.CREATED, user_id__gt=start).count() // MAX_PAGE_SIZE + 1
    logger.info("bulk job %s: reconciling %s rows (listing from %s, ~%s pages)", job.pk, len(uncertain), start,
                pages_estimate)
    try:
        remaining = uncertain
        if len(uncertain) > pages_estimate:
            remaining = _by_listing(job, uncertain, start=start, max_pages=len(uncertain) - 1, beat=beat)
        _by_lookup(job, remaining, beat=beat)
    except _Wait as wait:  # the share is spent or the API in trouble: what is settled stays settled
        return wait.seconds
    return None


def listing_start(*, job: BulkJob, rows: list[BulkRow]) -> str:
    sent = [row.sent_at for row in rows if row.sent_at]
    if not sent:
        return job.watermark_user_id
    cutoff = min(sent) - LISTING_SAFETY_MARGIN
    before = (job.rows.filter(state=State.CREATED, updated_at__lt=cutoff, user_id__gt=job.watermark_user_id)
              .order_by("-user_id").values_list("user_id", flat=True).first())
    return before or job.watermark_user_id


def _reserve(beat) -> float | None:
    budget = rate_budget()
    if budget.reserve(1, max_share=settings.EVADMIN_BULK_BUDGET_SHARE, yield_to_staff=True):
        return None
    beat()
    room = budget.background_room(max_share=settings.EVADMIN_BULK_BUDGET_SHARE)
    return max(1.0, room.wait_seconds or API_TROUBLE_WAIT)


class _Wait(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _reserved_read(read, *args, beat, **kwargs):
    """One read from the bulk share of the budget, counted on the job; raises _Wait with how long
    to wait when the share is spent or the API is in trouble (the caller checkpoints and returns)."""
    wait = _reserve(beat)
    if wait is not None:
        raise _Wait(wait)
    try:
        with rate_budget().prepaid(1):
            return read(*args, **kwargs)
    except errors.RateLimited as exc:
        raise _Wait(max(1.0, exc.retry_after)) from exc
    except (errors.ServerError, errors.TransportError) as exc:
        raise _Wait(API_TROUBLE_WAIT) from exc
    finally:
        beat(requests=1)


def _by_listing(job, rows, *, start: str, max_pages: int, beat) -> list[BulkRow]:
    """List users after `start`; returns the rows still unsettled ([] if the list was complete).

    At most `max_pages` (then looking the rest up is cheaper); a listing that does not move
    forward stops (PaginationStalled, logged) and its rows are looked up one by one instead.
    """
    client = evenergy_client()
    oldest: dict[str, str] = {}
    pages = iter_cursor_pages(
        lambda cursor: _reserved_read(client.users.list, page_size=MAX_PAGE_SIZE, page_after=cursor, beat=beat),
        start_after=start, collection="users", next_cursor=next_cursor_after_last_item,
    )
    complete = False
    try:
        for page in itertools.islice(pages, max_pages):
            for user in page.items:
                oldest.setdefault(normalise_email(user.email), user.id)
            complete = not page.has_next or not page.items
    except errors.PaginationStalled:
        complete = False
    unsettled = []
    for row in rows:
        if row.match_key in oldest:
            outcomes.row_resolved(job=job, row=row, user_id=oldest[row.match_key], email=row.email)
        elif complete:
            outcomes.row_back_to_pending(row=row, error="", from_states=(State.UNCERTAIN,))
        else:
            unsettled.append(row)
    return unsettled


def _by_lookup(job, rows, *, beat) -> None:
    client = evenergy_client()
    for row in rows:
        matches = _reserved_read(client.users.find_by_email, row.email, beat=beat)
        if matches:
            found = min(matches, key=lambda user: user.id)
            outcomes.row_resolved(job=job, row=row, user_id=found.id, email=row.email)
        else:
            outcomes.row_back_to_pending(row=row, error="", from_states=(State.UNCERTAIN,))
