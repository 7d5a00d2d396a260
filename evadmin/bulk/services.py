"""Writes to bulk jobs after upload: submit (Start), approval, job control, purging.

The upload itself is upload.drafts.bulk_job_create_from_upload; which rows a job still sends is
run.policies; its pump chain is run.chain. Every status change here is a conditional step inside a
transaction holding the job's row lock, so two clicks on Start (or two approvers) cannot both move
a job.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.bulk.models import BulkFileChunk, BulkJob, BulkRow
from evadmin.bulk.run.chain import bulk_pump_chain_new
from evadmin.bulk.run.policies import (
    bulk_rows_apply_existing_policy,
    bulk_rows_match_directory,
    bulk_rows_record_previewed,
)
from evadmin.bulk.selectors import bulk_job_can_approve


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
    bulk_pump_chain_new(job=job)


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
            bulk_pump_chain_new(job=job)
        audit_record(actor=actor, action=actions.BULK_JOB_CONTROL, job_ref=job.pk, request=request,
                     after={"action": action, "from": before, "to": job.status, "rows_retried": retried})
    return job


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
            actor=actor, action=actions.BULK_JOB_SUBMIT, job_ref=job.pk, request=request,
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
        audit_record(actor=actor, action=actions.BULK_JOB_APPROVE, job_ref=job.pk, request=request,
                     after={"status": job.status, "uploaded_by": job.created_by.get_username()})
        bulk_job_start(job=job)
    return job


def bulk_job_purge(*, job: BulkJob) -> None:
    """Delete the file and the rows; the job, its counts and the audit trail stay."""
    with transaction.atomic():
        BulkFileChunk.objects.filter(job=job).delete()
        BulkRow.objects.filter(job=job).delete()
        job.purged_at = timezone.now()
        job.save(update_fields=["purged_at"])
        audit_record(actor=None, action=actions.BULK_JOB_PURGE, job_ref=job.pk, after={"file_name": job.file_name})


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
