"""Writes to bulk jobs after upload: submit (Start), approval, the existing-account policy, purging.

The upload itself is imports.bulk_job_create_from_upload. Every status change here is a
conditional step inside a transaction holding the job's row lock, so two clicks on Start (or
two approvers) cannot both move a job.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.bulk.models import EXISTING_ACCOUNT_MESSAGE, BulkFileChunk, BulkJob, BulkRow
from evadmin.bulk.selectors import bulk_job_can_approve, directory_user_ids_for

# Audit actions, `<entity>.<verb>` like evadmin/audit/actions.py.
BULK_JOB_UPLOAD = actions.BULK_JOB_UPLOAD
BULK_JOB_SUBMIT = actions.BULK_JOB_SUBMIT
BULK_JOB_APPROVE = actions.BULK_JOB_APPROVE
BULK_JOB_PURGE = actions.BULK_JOB_PURGE

# Emails per directory lookup: well under SQLite's 999 parameters per query.
DIRECTORY_LOOKUP_BATCH = 900


class BulkJobError(Exception):
    """A bulk job cannot do what was asked; `user_message` says why, for people."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


class ApprovalNotAllowed(BulkJobError):
    """The person asking may not approve this job (they uploaded it)."""


def bulk_job_start(*, job: BulkJob) -> None:
    """`job` has just become queued (inside the transaction that set it): start its pump chain.

    Called exactly once per job, from bulk_job_submit or bulk_job_approve. The task is sent on
    commit, so a worker never loads the job before status=queued is committed.
    """
    _pump_chain_new(job=job)


def _pump_chain_new(*, job: BulkJob, countdown: float = 0.0) -> None:
    """Name a new pump chain (any older task then does nothing) and queue its first run on commit."""
    from evadmin.bulk.tasks import bulk_pump_enqueue

    pump_id = uuid.uuid4().hex
    BulkJob.objects.filter(pk=job.pk).update(pump_id=pump_id, pump_due_at=timezone.now())
    job.pump_id = pump_id
    transaction.on_commit(partial(bulk_pump_enqueue, job_id=job.pk, pump_id=pump_id, countdown=countdown))


def bulk_job_control(*, job_id: int, actor, action: str, request: HttpRequest | None = None) -> BulkJob:
    """pause | resume | cancel | retry_failed, pressed on the job page."""
    allowed = {
        "pause": (BulkJob.Status.QUEUED, BulkJob.Status.RUNNING),
        "resume": (BulkJob.Status.PAUSED,),
        "cancel": (BulkJob.Status.DRAFT, BulkJob.Status.AWAITING_APPROVAL, BulkJob.Status.QUEUED,
                   BulkJob.Status.RUNNING, BulkJob.Status.PAUSED),
        "retry_failed": (BulkJob.Status.FINISHED,),
    }
    if action not in allowed:
        raise BulkJobError(f"Unknown action “{action}”.")
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status not in allowed[action]:
            raise BulkJobError(f"Job {job.pk} is {job.get_status_display().lower()}: it cannot be "
                               f"{action.replace('_', ' ')}{'d' if action.endswith('e') else 'ed'} now.")
        before = job.status
        now = timezone.now()
        retried = 0
        if action == "pause":
            job.status = BulkJob.Status.PAUSED
        elif action == "cancel":
            job.status, job.finished_at = BulkJob.Status.CANCELLED, now
        elif action == "resume":
            job.status = BulkJob.Status.RUNNING if job.started_at else BulkJob.Status.QUEUED
            # A job paused by evadmin (its directory sync kept failing) starts its attempts afresh.
            job.error, job.waiting_reason, job.precondition_failures = "", "", 0
        else:
            retried = job.rows.filter(state__in=(BulkRow.State.FAILED, BulkRow.State.PARKED)).update(
                state=BulkRow.State.PENDING, attempts=0, error="", updated_at=now)
            job.status, job.finished_at = BulkJob.Status.RUNNING, None
        job.save(update_fields=["status", "finished_at", "error", "waiting_reason", "precondition_failures"])
        if action in ("resume", "retry_failed"):
            _pump_chain_new(job=job)
        audit_record(actor=actor, action=actions.BULK_JOB_CONTROL, job_ref=job.pk, request=request,
                     after={"action": action, "from": before, "to": job.status, "rows_retried": retried})
    return job


def bulk_jobs_revive() -> int:
    """Start a new pump chain for every active job whose pump is overdue and silent (beat's watchdog).

    A chain is lost when the main worker process dies holding its message (the filesystem broker
    never redelivers; Redis only after the visibility timeout) or the broker loses it.
    """
    stale = timezone.now() - timedelta(seconds=settings.EVADMIN_BULK_STALE_SECONDS)
    overdue = BulkJob.objects.filter(status__in=BulkJob.ACTIVE_STATUSES).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    ).filter(Q(pump_due_at__isnull=True) | Q(pump_due_at__lt=stale))
    revived = 0
    for job_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job_id)
            if job.status in BulkJob.ACTIVE_STATUSES:
                _pump_chain_new(job=job)
                revived += 1
    return revived


def bulk_job_submit(
    *, job_id: int, actor, existing_policy: str, strict_mode: bool, request: HttpRequest | None = None
) -> BulkJob:
    """Start pressed on the preview: fix the options, apply the policy, queue or await approval."""
    if existing_policy not in BulkJob.ExistingPolicy.values:
        raise BulkJobError(f"Unknown existing-account policy “{existing_policy}”.")
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status != BulkJob.Status.DRAFT:
            raise BulkJobError(f"Job {job.pk} has already been started ({job.get_status_display().lower()}).")
        if job.created_by_id != actor.pk:
            raise BulkJobError("Only the person who uploaded the file can start its job.")
        if job.purged_at is not None:
            raise BulkJobError(f"Job {job.pk}'s rows were deleted after the retention period: upload the file again.")
        if job.kind == BulkJob.Kind.UPDATE:  # every row names an existing account: no other policy applies
            existing_policy, strict_mode = BulkJob.ExistingPolicy.UPDATE, False
        job.existing_policy = existing_policy
        job.strict_mode = strict_mode
        bulk_rows_match_directory(job=job)
        bulk_rows_apply_existing_policy(job=job)
        if job.kind == BulkJob.Kind.UPDATE:
            bulk_rows_record_previewed(job=job)
        to_send = job.rows.filter(state=BulkRow.State.PENDING).count()
        needs_approval = to_send > settings.EVADMIN_BULK_APPROVAL_THRESHOLD
        job.status = BulkJob.Status.AWAITING_APPROVAL if needs_approval else BulkJob.Status.QUEUED
        job.submitted_at = timezone.now()
        job.save(update_fields=["existing_policy", "strict_mode", "status", "submitted_at"])
        audit_record(
            actor=actor, action=BULK_JOB_SUBMIT, job_ref=job.pk, request=request,
            after={"status": job.status, "existing_policy": existing_policy, "strict_mode": strict_mode,
                   "rows_to_send": to_send},
        )
        if not needs_approval:
            bulk_job_start(job=job)
    return job


def bulk_job_approve(*, job_id: int, actor, request: HttpRequest | None = None) -> BulkJob:
    """A second bulk operator or an admin lets a large job run."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status != BulkJob.Status.AWAITING_APPROVAL:
            raise BulkJobError(f"Job {job.pk} is not waiting for approval ({job.get_status_display().lower()}).")
        if not bulk_job_can_approve(job=job, actor=actor):
            raise ApprovalNotAllowed("You uploaded this file: another bulk operator or an admin must approve its job.")
        job.status = BulkJob.Status.QUEUED
        job.approved_by = actor
        job.approved_at = timezone.now()
        job.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=actor, action=BULK_JOB_APPROVE, job_ref=job.pk, request=request,
                     after={"status": job.status, "uploaded_by": job.created_by.get_username()})
        bulk_job_start(job=job)
    return job


def bulk_rows_record_previewed(*, job: BulkJob) -> None:
    """Update rows remember the values the preview showed (the directory's) for the fields they set.

    The engine compares them with the account as it reads it before the PATCH: a field changed
    in between is reported as a conflict on that row instead of being overwritten. Revert rows
    already carry what their job expects, and keep it.
    """
    from evadmin.directory.models import DirectoryAccount

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
    while batch := list(unmatched.filter(pk__gt=after).values_list("pk", "email_normalised")[:DIRECTORY_LOOKUP_BATCH]):
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


def bulk_job_purge(*, job: BulkJob) -> None:
    """Delete the file and the rows; the job, its counts and the audit trail stay."""
    with transaction.atomic():
        BulkFileChunk.objects.filter(job=job).delete()
        BulkRow.objects.filter(job=job).delete()
        job.purged_at = timezone.now()
        job.save(update_fields=["purged_at"])
        audit_record(actor=None, action=BULK_JOB_PURGE, job_ref=job.pk, after={"file_name": job.file_name})


def bulk_jobs_purge_expired() -> int:
    """Purge every job past its purge_after that is not in progress (for a daily beat task)."""
    due = BulkJob.objects.filter(purge_after__lte=timezone.now(), purged_at__isnull=True).filter(
        Q(status__in=BulkJob.FINAL_STATUSES) | Q(status=BulkJob.Status.DRAFT)
    )
    purged = 0
    for job in due.iterator():
        bulk_job_purge(job=job)
        purged += 1
    return purged
