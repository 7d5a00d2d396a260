"""Celery tasks of bulk jobs: thin, named like the service they call; the work and its state live in run/ and the rows."""

from __future__ import annotations

from celery import shared_task

from evadmin.bulk import services
from evadmin.bulk.run import chain, engine


# A crash inside a run (database hiccup, bug) retries the run with backoff; the rows' states make
# that safe. Bounded: after max_retries the watchdog (beat, every minute) revives the job.
@shared_task(name=chain.PUMP_TASK, bind=True, acks_late=True, ignore_result=True, autoretry_for=(Exception,),
             retry_backoff=2, retry_backoff_max=60, retry_jitter=False, max_retries=10)
def bulk_job_pump(self, job_id: int, pump_id: str) -> None:
    """Carry the job forward for one time slice, then queue the next slice (if any)."""
    outcome = engine.bulk_job_pump(job_id=job_id, pump_id=pump_id)
    if outcome.again:
        chain.bulk_pump_enqueue(job_id=job_id, pump_id=outcome.pump_id,
                                countdown=min(outcome.countdown, engine.MAX_COUNTDOWN))


@shared_task(name="bulk.watchdog", ignore_result=True)
def bulk_jobs_revive() -> int:
    """Revive active jobs whose pump chain was lost (beat runs this every minute)."""
    return chain.bulk_jobs_revive()


@shared_task(name="bulk.purge_expired", ignore_result=True)
def bulk_jobs_purge_expired() -> int:
    """Delete uploaded files and row data past their retention (beat runs this daily)."""
    return services.bulk_jobs_purge_expired()
