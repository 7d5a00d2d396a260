"""Update jobs: one row changes one existing account's location and tariff, and only what the file sets.

The account's current state is read with a GET just before its PATCH (2 requests a row), not
taken from the directory: the directory may be hours old, and the before-image recorded in the
audit trail is what a revert later restores, so it must be what the API held when we changed it.
The PATCH body is users.services.user_changes (the fields that differ; a changed address field
travels with address_1, city, postal_code and country_code, the API's address rule).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_diff, audit_record, flatten
from evadmin.bulk import outcomes
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.users.services import EMPTY_LOCATION, location_to_api, user_changes

State = BulkRow.State
# The error of an updated row whose account already had every value the file sets (no PATCH sent).
UNCHANGED_MESSAGE = "Nothing to change: the account already had these values."
# The error of a revert row whose account someone changed after the reverted job (state failed).
CONFLICT_PREFIX = "Conflict: "


def conflicts(*, expected: dict, current: dict) -> list[str]:
    """The dotted fields whose value is no longer what the reverted job set (`current` flattened)."""
    return [key for key, value in expected.items() if current.get(key) != value]


def bulk_row_update(*, job: BulkJob, row: BulkRow, beat: Callable, fail: Callable[[str], None]) -> float | None:
    """GET the account, PATCH what differs, commit the outcome with its audit event.

    Returns None to go on, seconds to wait (429), or -1 when the job failed (refused credentials).
    """
    client, budget = evenergy_client(), rate_budget()
    with transaction.atomic():
        beat(requests_spent=F("requests_spent") + 1)
        marked = BulkRow.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.IN_FLIGHT, attempts=F("attempts") + 1, sent_at=timezone.now(), updated_at=timezone.now()
        )
    if not marked:
        return None
    try:
        with budget.prepaid(1):
            current = client.users.get(row.directory_user_id)
        wanted = {**(current.editable_values()["default_location"] or EMPTY_LOCATION), **row.location}
        changes = user_changes(current, email=current.email, location=wanted)
        if not changes:
            row_unchanged(row=row)
            return None
        if "expected" in row.values:  # keep changes made since the preview (or since the reverted job)
            changed_since = conflicts(expected=row.values["expected"], current=flatten(current.editable_values()))
            if changed_since:
                source = "the job set" if job.reverts_id else "the preview showed"
                outcomes.row_failed(
                    row=row, message=conflict_message(changed_since, row.values["expected"], current, source)
                )
                return None
        beat(requests_spent=F("requests_spent") + 1)
        with budget.prepaid(1):
            updated = client.users.update(
                row.directory_user_id, changes={"default_location": location_to_api(changes["default_location"])}
            )
    except errors.RateLimited as exc:
        outcomes.row_back_to_pending(row=row, count_attempt=False)
        return exc.retry_after
    except (errors.Unauthorized, errors.Forbidden) as exc:
        outcomes.row_back_to_pending(row=row, count_attempt=False)
        fail(exc.user_message)
        return -1
    except (errors.ServerError, errors.TransportError) as exc:
        # Re-sending a PATCH cannot duplicate anyone: pending again (parked after too many tries).
        message = outcomes.api_message(exc) if isinstance(exc, errors.ServerError) else exc.user_message
        outcomes.row_back_to_pending(row=row, error=message)
    except errors.ApiError as exc:  # 400 (the API's rules), 404 (account gone): for good
        outcomes.row_failed(row=row, message=outcomes.api_message(exc))
    else:
        row_updated(job=job, row=row, before=current.editable_values(), after=updated.editable_values(),
                    user=updated)
    return None


def conflict_message(keys: list[str], expected: dict, current, source: str = "the job set") -> str:
    now = flatten(current.editable_values())
    details = "; ".join(f"{key.removeprefix('default_location.')} is {now.get(key)!r}, {source} {expected[key]!r}"
                        for key in keys)
    since = "the job" if source == "the job set" else "the preview"
    return f"{CONFLICT_PREFIX}changed since {since}, left as it is: {details}"


def row_unchanged(*, row: BulkRow) -> None:
    BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
        state=State.UPDATED, user_id=row.directory_user_id, error=UNCHANGED_MESSAGE, updated_at=timezone.now()
    )


def row_updated(*, job: BulkJob, row: BulkRow, before: dict, after: dict, user) -> None:
    """200: committed with an audit event whose before/after (dotted keys) a revert restores."""
    before_changed, after_changed = audit_diff(before, after)
    with transaction.atomic():
        changed = BulkRow.objects.filter(pk=row.pk, state=State.IN_FLIGHT).update(
            state=State.UPDATED, user_id=user.id, error="", updated_at=timezone.now()
        )
        if changed:
            audit_record(actor=job.created_by, action=actions.BULK_ROW_UPDATE, target_user_id=user.id,
                         job_ref=job.pk, before=before_changed, after=after_changed)
    if changed:
        outcomes._store_in_directory(user)
