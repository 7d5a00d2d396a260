"""Reverting a finished update job: each account set back to its before-image from the audit trail.

The revert is itself an update job (kind update, `reverts` = the original), so it runs on the
same pump, budget and approval rules. Each of its rows carries the account's before-image as
`location` and the original job's after-image as `values["expected"]`; updates.bulk_row_update
compares the account (read just before the PATCH) with that after-image and, when someone changed
it since, reports the row as a conflict instead of overwriting their change. The API cannot delete
users, so an onboarding job cannot be undone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.audit.services import audit_record
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.services import BulkJobError, bulk_job_submit
from evadmin.driver_directory.models import DirectoryAccount
from evadmin.evenergy.payloads import EMPTY_LOCATION

ONBOARD_NOT_UNDOABLE = "An onboarding job cannot be undone: the API has no way to delete users."
PREFIX = "default_location."


def bulk_job_revert(*, job_id: int, actor, request: HttpRequest | None = None) -> BulkJob:
    """Make and submit the revert job of a finished update job; returns the new job."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.kind != BulkJob.Kind.UPDATE:
            raise BulkJobError(ONBOARD_NOT_UNDOABLE)
        if job.status != BulkJob.Status.FINISHED:
            raise BulkJobError(f"Job {job.pk} is {job.get_status_display().lower()}: only a finished update job "
                               "can be reverted.")
        earlier = BulkJob.objects.filter(reverts=job).exclude(status=BulkJob.Status.CANCELLED).first()
        if earlier is not None:
            raise BulkJobError(f"Job {job.pk} is already being reverted by job {earlier.pk}.")
        events = AuditEvent.objects.filter(action=actions.BULK_ROW_UPDATE, job_ref=str(job.pk)).order_by("pk")
        images = {}  # user id -> (before, after): one row per account, its first change by the job
        for event in events.only("target_user_id", "before", "after"):
            images.setdefault(event.target_user_id, (event.before or {}, event.after or {}))
        if not images:
            raise BulkJobError(f"Job {job.pk} changed no account: there is nothing to revert.")
        revert = BulkJob.objects.create(
            kind=BulkJob.Kind.UPDATE, existing_policy=BulkJob.ExistingPolicy.UPDATE, reverts=job, created_by=actor,
            file_name=f"revert-of-job-{job.pk}", file_format=BulkJob.FileFormat.CSV, file_size=0, file_sha256="",
            columns=["user_id"], notes=[f"Reverts job {job.pk} ({job.file_name}) from its audit trail."],
            rows_total=len(images), rows_valid=len(images), rows_existing=len(images),
            purge_after=timezone.now() + timedelta(days=settings.EVADMIN_BULK_RETENTION_DAYS),
        )
        emails = dict(DirectoryAccount.objects.filter(user_id__in=list(images)).values_list("user_id", "email"))
        BulkRow.objects.bulk_create(
            BulkRow(job=revert, row_number=number, email=emails.get(user_id, ""), match_key=user_id, directory_user_id=user_id,
                    values={"user_id": user_id, "expected": after}, location=location_from_image(before))
            for number, (user_id, (before, after)) in enumerate(images.items(), start=2)
        )
        audit_record(actor=actor, action=actions.BULK_JOB_CONTROL, job_ref=job.pk, request=request,
                     after={"action": "revert", "revert_job": revert.pk, "accounts": len(images)})
        return bulk_job_submit(job_id=revert.pk, actor=actor, existing_policy=BulkJob.ExistingPolicy.UPDATE,
                               strict_mode=False, request=request)


def location_from_image(image: dict[str, Any]) -> dict[str, Any]:
    """An audit image's dotted default_location keys back to a form-shaped location."""
    if PREFIX.rstrip(".") in image:  # the account had no location at all: clear what the job set
        return dict(EMPTY_LOCATION)
    location: dict[str, Any] = {}
    for key, value in image.items():
        if not key.startswith(PREFIX):
            continue
        name, _, part = key.removeprefix(PREFIX).partition(".")
        if part:  # coordinates.latitude / coordinates.longitude
            location.setdefault(name, {})[part] = value
        else:
            location[name] = value
    return location

