"""A bulk job's pump chain: one live chain of `bulk.pump` tasks per job, named by its pump_id.

Starting or resuming a job names a new chain (an older task still queued then finds itself
superseded and does nothing) and queues its first run once the transaction commits; each run
queues the next (tasks.bulk_job_pump). Beat's watchdog revives a chain that was lost.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from evadmin.bulk.models import BulkJob
from evadmin.core.jobs import job_enqueue

PUMP_TASK = "bulk.pump"


def bulk_pump_enqueue(*, job_id: int, pump_id: str, countdown: float = 0.0) -> None:
    job_enqueue(PUMP_TASK, countdown=countdown, queue=settings.EVADMIN_BULK_QUEUE, job_id=job_id, pump_id=pump_id)


def bulk_pump_chain_new(*, job: BulkJob, countdown: float = 0.0) -> None:
    """Name a new pump chain (any older task then does nothing) and queue its first run on commit."""
    pump_id = uuid.uuid4().hex
    BulkJob.objects.filter(pk=job.pk).update(pump_id=pump_id, due_at=timezone.now())
    job.pump_id = pump_id
    transaction.on_commit(partial(bulk_pump_enqueue, job_id=job.pk, pump_id=pump_id, countdown=countdown))


def bulk_jobs_revive() -> int:
    """Start a new pump chain for every active job whose pump is overdue and silent (beat's watchdog).

    A chain is lost when the main worker process dies holding its message (the filesystem broker
    never redelivers; Redis only after the visibility timeout) or the broker loses it.
    """
    stale = timezone.now() - timedelta(seconds=settings.EVADMIN_BULK_STALE_SECONDS)
    overdue = BulkJob.objects.filter(status__in=BulkJob.ACTIVE_STATUSES).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    ).filter(Q(due_at__isnull=True) | Q(due_at__lt=stale))
    revived = 0
    for job_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job_id)
            if job.status in BulkJob.ACTIVE_STATUSES:
                bulk_pump_chain_new(job=job)
                revived += 1
    return revived
