"""Update jobs: one row changes one existing account's location and tariff, and only what the file sets.

The account's current state is read with a GET just before its PATCH (2 requests a row), not
taken from the directory: the directory may be hours old, and the before-image recorded in the
audit trail is what a revert later restores, so it must be what the API held when we changed it.
The PATCH body is evenergy.payloads.user_changes (the fields that differ; a changed address field
travels with address_1, city, postal_code and country_code, the API's address rule).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evadmin.audit.services import flatten
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import outcomes
from evadmin.bulk.run.outcomes import GO_ON, RowResult
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.payloads import EMPTY_LOCATION, location_to_api, user_changes
from evadmin.evenergy.ratelimit import rate_budget

State = BulkRow.State
# The error of a revert row whose account someone changed after the reverted job (state failed).
CONFLICT_PREFIX = "Conflict: "


def conflicts(*, expected: dict, current: dict) -> list[str]:
    """The dotted fields whose value is no longer what the reverted job set (`current` flattened)."""
    return [key for key, value in expected.items() if current.get(key) != value]


def bulk_row_update(*, job: BulkJob, row: BulkRow, beat: Callable[..., None]) -> RowResult:
    """GET the account, PATCH what differs, commit the outcome with its audit event.

    `beat` is the job's heartbeat (Lease.beat, handed down by the engine); each request is counted
    on the job through it.
    """
    client, budget = evenergy_client(), rate_budget()
    with transaction.atomic():
        beat(requests=1)
        marked = BulkRow.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.IN_FLIGHT, attempts=F("attempts") + 1, sent_at=timezone.now(), updated_at=timezone.now()
        )
    if not marked:
        return GO_ON
    try:
        with budget.prepaid(1):
            current = client.users.get(row.directory_user_id)
        wanted = {**(current.editable_values()["default_location"] or EMPTY_LOCATION), **row.location}
        changes = user_changes(current, email=current.email, location=wanted)
        if not changes:
            outcomes.row_unchanged(row=row)
            return GO_ON
        if "expected" in row.values:  # keep changes made since the preview (or since the reverted job)
            changed_since = conflicts(expected=row.values["expected"], current=flatten(current.editable_values()))
            if changed_since:
                source = "the job set" if job.reverts_id else "the preview showed"
                outcomes.row_failed(
                    row=row, message=conflict_message(changed_since, row.values["expected"], current, source)
                )
                return GO_ON
        beat(requests=1)
        with budget.prepaid(1):
            updated = client.users.update(
                row.directory_user_id, changes={"default_location": location_to_api(changes["default_location"])}
            )
    except errors.ApiError as exc:
        # Re-sending a PATCH cannot duplicate anyone: trouble puts the row back to pending.
        return outcomes.row_settle_api_failure(row=row, exc=exc, resendable=True)
    outcomes.row_updated(job=job, row=row, before=current.editable_values(), after=updated.editable_values(),
                         user=updated)
    return GO_ON


def conflict_message(keys: list[str], expected: dict, current, source: str = "the job set") -> str:
    now = flatten(current.editable_values())
    details = "; ".join(f"{key.removeprefix('default_location.')} is {now.get(key)!r}, {source} {expected[key]!r}"
                        for key in keys)
    since = "the job" if source == "the job set" else "the preview"
    return f"{CONFLICT_PREFIX}changed since {since}, left as it is: {details}"
