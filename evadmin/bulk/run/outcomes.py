"""Committing a row's outcome: each function is one transition of BulkRow's state diagram.

Every transition is a conditional UPDATE from the state the row must be in, so a stale caller
changes nothing. Created and updated accounts are audit events by the job's owner. An API failure
becomes a transition in one place (row_settle_api_failure), which also says what it means for the
job (RowResult).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_diff, audit_record
from evadmin.bulk.models import EXISTING_ACCOUNT_MESSAGE, BulkJob, BulkRow
from evadmin.evenergy import errors
from evadmin.evenergy.read_cache import read_cache_forget
from evadmin.evenergy.resources import User

logger = logging.getLogger(__name__)

State = BulkRow.State
# The error of an updated row whose account already had every value the file sets (no PATCH sent).
UNCHANGED_MESSAGE = "Nothing to change: the account already had these values."


@dataclass(frozen=True)
class RowResult:
    """What sending one row means for its job."""

    wait: float | None = None  # hold off sending for this long (a 429's Retry-After)
    job_failure: str = ""  # the job cannot go on (refused credentials or scope): why, for people


GO_ON = RowResult()


def row_settle_api_failure(*, row: BulkRow, exc: errors.ApiError, resendable: bool) -> RowResult:
    """The outcome of a row in flight whose request failed, by what the failure says about it.

    `resendable`: sending the request again cannot duplicate anyone (a PATCH); a POST that may have
    reached the API is uncertain instead, and reconciled before anything is sent again.
    """
    if isinstance(exc, errors.RateLimited):
        row_back_to_pending(row=row, count_attempt=False)  # not the row's fault
        return RowResult(wait=exc.retry_after)
    if isinstance(exc, (errors.Unauthorized, errors.Forbidden)):
        row_back_to_pending(row=row, count_attempt=False)  # refused before anything was done
        return RowResult(job_failure=exc.user_message)
    if isinstance(exc, errors.ServerError):
        # A 5xx after a POST may come after the account was stored.
        if resendable:
            row_back_to_pending(row=row, error=api_message(exc))
        else:
            row_uncertain(row=row, error=api_message(exc))
    elif isinstance(exc, errors.TransportError):
        if exc.request_sent and not resendable:
            row_uncertain(row=row, error=exc.user_message)
        else:
            row_back_to_pending(row=row, error=exc.user_message)
    else:  # 400 (the API's rules), 404, 409 and other refusals: for good
        row_failed(row=row, message=api_message(exc))
    return GO_ON


def api_message(exc: errors.ApiError) -> str:
    """The API's own words for a refusal: its field errors, else its title and detail."""
    fields = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in getattr(exc, "field_errors", {}).items())
    text = fields or " ".join(part for part in (exc.title, exc.detail) if part) or exc.user_message
    return f"{text} (HTTP {exc.status})" if exc.status else text


def _max_attempts_reached(row: BulkRow) -> bool:
    attempts = BulkRow.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or 0
    return attempts >= settings.EVADMIN_BULK_MAX_ATTEMPTS


def row_back_to_pending(*, row: BulkRow, error: str = "", count_attempt: bool = True,
                        from_states=(State.IN_FLIGHT,)) -> None:
    """No account was made (or a PATCH may be re-sent): pending again, or parked after too many tries."""
    now = timezone.now()
    rows = BulkRow.objects.filter(pk=row.pk, state__in=from_states)
    if not count_attempt:
        rows.update(state=State.PENDING, attempts=F("attempts") - 1, updated_at=now)
    elif _max_attempts_reached(row):
        rows.update(state=State.PARKED, updated_at=now,
                    error=f"Gave up after {settings.EVADMIN_BULK_MAX_ATTEMPTS} attempts. {error}".strip())
    else:
        rows.update(state=State.PENDING, error=error, updated_at=now)


def row_uncertain(*, row: BulkRow, error: str) -> None:
    BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
        state=State.UNCERTAIN, error=error, updated_at=timezone.now()
    )


def row_failed(*, row: BulkRow, message: str) -> None:
    BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
        state=State.FAILED, error=message, updated_at=timezone.now()
    )


def row_sent(*, job: BulkJob, row: BulkRow, user: User, updated: bool) -> None:
    """201 or 200: the account exists as the row asked. Committed with its audit event."""
    with transaction.atomic():
        changed = BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
            state=State.UPDATED if updated else State.CREATED, user_id=user.id, error="", updated_at=timezone.now()
        )
        if changed:
            audit_record(
                actor=job.created_by, action=actions.BULK_ROW_UPDATE if updated else actions.BULK_ROW_CREATE,
                target_user_id=user.id, job_ref=job.pk,
                after={"email": user.email, "row_number": row.row_number, "location": row.location},
            )
    if changed:
        _store_in_directory(user)


def row_resolved(*, job: BulkJob, row: BulkRow, user_id: str, email: str) -> None:
    """Reconciliation found the account an uncertain row's POST made (after the watermark) or an older one."""
    created = user_id > job.watermark_user_id
    with transaction.atomic():
        changed = BulkRow.objects.filter(pk=row.pk, state__in=BulkRow.UNRESOLVED_STATES).update(
            state=State.CREATED if created else State.EXISTED, user_id=user_id, error="", updated_at=timezone.now()
        )
        if changed and created:
            audit_record(actor=job.created_by, action=actions.BULK_ROW_CREATE, target_user_id=user_id, job_ref=job.pk,
                         after={"email": email, "row_number": row.row_number, "location": row.location,
                                "found_by": "reconciliation"})


def row_found_existing(*, job: BulkJob, row: BulkRow, user_id: str) -> None:
    """Strict mode's lookup found the email: the row takes the existing-account policy."""
    now = timezone.now()
    rows = BulkRow.objects.filter(pk=row.pk, state=State.PENDING)
    if job.existing_policy == BulkJob.ExistingPolicy.SKIP:
        rows.update(state=State.EXISTED, directory_user_id=user_id, user_id=user_id, updated_at=now)
    elif job.existing_policy == BulkJob.ExistingPolicy.ERROR:
        rows.update(state=State.INVALID, directory_user_id=user_id, updated_at=now,
                    error=EXISTING_ACCOUNT_MESSAGE + user_id)
    else:
        rows.update(directory_user_id=user_id, updated_at=now)  # stays pending: the next pass PATCHes it


def row_unchanged(*, row: BulkRow) -> None:
    """An update row whose account already had every value the file sets: no PATCH was sent."""
    BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
        state=State.UPDATED, user_id=row.directory_user_id, error=UNCHANGED_MESSAGE, updated_at=timezone.now()
    )


def row_updated(*, job: BulkJob, row: BulkRow, before: dict, after: dict, user: User) -> None:
    """200 to a PATCH: committed with an audit event whose before/after (dotted keys) a revert restores."""
    before_changed, after_changed = audit_diff(before, after)
    with transaction.atomic():
        changed = BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
            state=State.UPDATED, user_id=user.id, error="", updated_at=timezone.now()
        )
        if changed:
            audit_record(actor=job.created_by, action=actions.BULK_ROW_UPDATE, target_user_id=user.id,
                         job_ref=job.pk, before=before_changed, after=after_changed)
    if changed:
        _store_in_directory(user)


def _store_in_directory(user: User) -> None:
    """So a file uploaded again finds the account at once; the next sync repairs any miss."""
    from evadmin.driver_directory.services import directory_upsert_user

    try:
        directory_upsert_user(user)
        read_cache_forget(scope=user.id)  # a page showing this driver reads them afresh
    except Exception:  # never turn a created account into an error
        logger.exception("bulk: could not store %s in the directory", user.id)
