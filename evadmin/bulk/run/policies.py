"""Which pending rows a job still sends: rows matched to the directory's accounts, the existing-account
policy applied to them, and what an update job's preview showed (so a change made since is a
conflict, not an overwrite). Run at submit (services.bulk_job_submit) and again by the engine
after it brings the directory up to date.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from evadmin.bulk.models import EXISTING_ACCOUNT_MESSAGE, BulkJob, BulkRow
from evadmin.bulk.selectors import directory_user_ids_for

# Emails per directory lookup: well under SQLite's 999 parameters per query.
DIRECTORY_LOOKUP_BATCH = 900


def bulk_rows_record_previewed(*, job: BulkJob) -> None:
    """Update rows remember the values the preview showed (the directory's) for the fields they set.

    The engine compares them with the account as it reads it before the PATCH: a field changed
    in between is reported as a conflict on that row instead of being overwritten. Revert rows
    already carry what their job expects, and keep it.
    """
    from evadmin.driver_directory.models import DirectoryAccount

    rows = list(job.rows.filter(state=BulkRow.State.PENDING).exclude(directory_user_id=""))
    accounts = DirectoryAccount.objects.in_bulk([row.directory_user_id for row in rows], field_name="user_id")
    changed = []
    for row in rows:
        account = accounts.get(row.directory_user_id)
        if account is None or "expected" in row.values:
            continue
        row.values = {**row.values, "expected": previewed_values(account, row.location)}
        changed.append(row)
    BulkRow.objects.bulk_update(changed, ["values"], batch_size=1000)


def previewed_values(account, location: dict) -> dict:
    """The directory's values of the fields `location` sets, keyed as the audit trail flattens users."""
    expected: dict = {}
    for key in location:
        if key == "coordinates":
            expected["default_location.coordinates.latitude"] = account.latitude
            expected["default_location.coordinates.longitude"] = account.longitude
        elif key in ("tariff", "evse_site"):
            expected[f"default_location.{key}"] = getattr(account, f"{key}_id") or None
        else:
            expected[f"default_location.{key}"] = getattr(account, key, "") or None
    return expected


def bulk_rows_match_directory(*, job: BulkJob) -> int:
    """Note the directory's account on pending rows that have none yet; returns how many matched.

    Run at submit and, by the engine, again after it refreshes the directory, then
    bulk_rows_apply_existing_policy.
    """
    unmatched = job.rows.filter(state=BulkRow.State.PENDING, directory_user_id="").order_by("pk")
    matched, after = 0, 0
    # Keyset pages rather than one open cursor: the loop writes to the rows it reads.
    while batch := list(unmatched.filter(pk__gt=after).values_list("pk", "match_key")[:DIRECTORY_LOOKUP_BATCH]):
        matched += _match_batch(batch)
        after = batch[-1][0]
    return matched


def _match_batch(batch: list[tuple[int, str]]) -> int:
    known = directory_user_ids_for(email for _pk, email in batch)
    rows = [BulkRow(pk=pk, directory_user_id=known[email], updated_at=timezone.now())
            for pk, email in batch if email in known]
    BulkRow.objects.bulk_update(rows, ["directory_user_id", "updated_at"])
    return len(rows)


def bulk_rows_apply_existing_policy(*, job: BulkJob) -> int:
    """Settle pending rows whose account exists (directory_user_id set) by the job's policy.

    skip: -> existed (user_id := the account), no request; error: -> invalid with a message;
    update: left pending for the engine to PATCH. Returns the rows changed.
    """
    existing = job.rows.filter(state=BulkRow.State.PENDING).exclude(directory_user_id="")
    now = timezone.now()
    if job.existing_policy == BulkJob.ExistingPolicy.SKIP:
        return existing.update(state=BulkRow.State.EXISTED, user_id=F("directory_user_id"), updated_at=now)
    if job.existing_policy == BulkJob.ExistingPolicy.ERROR:
        return existing.update(
            state=BulkRow.State.INVALID, updated_at=now,
            error=Concat(Value(EXISTING_ACCOUNT_MESSAGE), F("directory_user_id")),
        )
    return 0
