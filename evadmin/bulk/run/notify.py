"""Telling a job's owner it ended: an email (console backend in development) and an in-app notice."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.urls import reverse

from evadmin.bulk.models import BulkJob, BulkNotice, BulkRow
from evadmin.bulk.selectors import bulk_job_state_counts

logger = logging.getLogger(__name__)


def bulk_job_summary(*, job: BulkJob) -> str:
    counts = bulk_job_state_counts(job=job)
    return ", ".join(f"{n} {BulkRow.State(state).label.lower()}" for state, n in counts.items() if n)


def bulk_job_notify_owner(*, job_id: int) -> BulkNotice:
    job = BulkJob.objects.select_related("created_by").get(pk=job_id)
    outcome = "finished" if job.status == BulkJob.Status.FINISHED else job.get_status_display().lower()
    message = f"Bulk job #{job.pk} ({job.file_name}) {outcome}: {bulk_job_summary(job=job)}."
    if job.error:
        message += f" {job.error}"
    notice = BulkNotice.objects.create(recipient=job.created_by, job=job, message=message)
    if job.created_by.email:
        body = f"{message}\n\nResults: {reverse('bulk:job', args=[job.pk])}\n"
        try:
            send_mail(f"evadmin: bulk job #{job.pk} {outcome}", body, None, [job.created_by.email])
        except Exception:  # the notice in the app is there either way
            logger.exception("bulk job %s: could not email %s", job.pk, job.created_by.email)
    return notice
