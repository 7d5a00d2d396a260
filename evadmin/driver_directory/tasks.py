"""Celery tasks of the directory: thin, the work and its state live in sync.py and the run's row."""

import logging

from celery import shared_task
from celery.signals import beat_init

from evadmin.driver_directory import export_jobs, sync

logger = logging.getLogger(__name__)

# A nightly full sync that finds a (short) incremental one running tries again this often,
# for up to an hour, rather than being skipped until the next night.
BUSY_RETRY_SECONDS = 60
BUSY_MAX_RETRIES = 60


@shared_task(name=sync.SYNC_TASK, bind=True, acks_late=True, ignore_result=True, max_retries=BUSY_MAX_RETRIES)
def directory_sync_step(self, kind: str = "incremental", sync_id: int | None = None) -> None:
    """Carry the running sync forward for one time slice, starting one of `kind` if none runs.

    Beat sends `kind` alone; continuations carry the run's `sync_id`. A run that must wait (rate
    budget share spent, 429, API outage) or used up its slice re-queues itself with a countdown.
    """
    progress = sync.directory_sync_step(kind=kind, sync_id=sync_id)
    if progress.busy:
        if kind == sync.FULL and sync_id is None and progress.kind != sync.FULL and not progress.finished:
            raise self.retry(countdown=BUSY_RETRY_SECONDS)
        return
    if not progress.finished:
        directory_sync_step.apply_async(
            kwargs={"kind": progress.kind, "sync_id": progress.sync_id}, countdown=progress.resume_in
        )
    elif kind == sync.FULL and progress.kind != sync.FULL:
        # This task finished someone else's incremental run; the full one asked for is still due.
        directory_sync_step.delay(kind=sync.FULL)


@beat_init.connect
def sync_a_directory_never_synced(sender=None, **kwargs) -> None:
    """Beat starting on a new install (it imports this module first): fill the directory now, not at the
    first incremental tick. Never stops beat: at worst the first tick starts the sync, as before."""
    try:
        sync.directory_sync_if_never_synced()
    except Exception:
        logger.exception("could not start the directory's first sync; beat's first tick will")


@shared_task(name=export_jobs.RUN_TASK, acks_late=True, ignore_result=True)
def location_export_run(export_id: int) -> None:
    """Write a large /locations/ export's file; a duplicate delivery finds it claimed or done."""
    export_jobs.location_export_run(export_id=export_id)


@shared_task(name="directory.export_purge_expired", ignore_result=True)
def location_export_purge_expired() -> None:
    """Beat, hourly: delete the files of exports past EVADMIN_EXPORT_KEEP_HOURS."""
    purged = export_jobs.location_export_purge_expired()
    if purged:
        logger.info("deleted the files of %s expired locations exports", purged)


@shared_task(name="directory.export_revive", ignore_result=True)
def location_exports_revive() -> None:
    """Beat, every 5 minutes: queue again the exports whose task was lost or whose worker died."""
    revived = export_jobs.location_exports_revive()
    if revived:
        logger.warning("queued %s locations exports again (their task was lost or their worker died)", revived)
