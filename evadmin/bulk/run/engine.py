"""The job engine: one self-re-queuing "pump" per job sends its rows within the rate budget.

A pump run (tasks.bulk_job_pump calls `bulk_job_pump` here) claims the job, then:
1. on the job's first run brings the directory up to date, records the newest user id as the
   job's watermark and re-applies the existing-account policy (rows already known cost nothing);
2. reconciles rows a crash or timeout left in flight or uncertain (reconcile.py), before any send;
3. claims as many pending rows as the budget grants and sends them one by one: each row is
   marked in flight and committed BEFORE its request, and its outcome committed after;
4. stops after a time slice (or to wait for the budget) and asks to be queued again.

Fairness: with several jobs active, each may send at most an equal part of the bulk share of the
hour (`_fair_allowance`), so the first pump to run cannot spend the whole share and starve the rest.

Exactly one pump works on a job: it holds the job's lease (evadmin.core.jobs: a claim by
conditional UPDATE, a heartbeat on every write; a claim silent for EVADMIN_BULK_STALE_SECONDS
belongs to a dead worker and is taken over). `pump_id` names the live chain of tasks (chain.py):
each run hands the next one a new id, so a stray duplicate task finds itself superseded.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import notify, outcomes, updates
from evadmin.bulk.run.outcomes import GO_ON, RowResult
from evadmin.bulk.run.policies import bulk_rows_apply_existing_policy, bulk_rows_match_directory
from evadmin.bulk.run.reconcile import bulk_job_reconcile
from evadmin.core.jobs import Lease, LostClaim, job_claim
from evadmin.evenergy import errors
from evadmin.evenergy.attribution import JOB, Source, on_behalf_of
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.payloads import location_to_api
from evadmin.evenergy.ratelimit import WINDOW_SECONDS, RateBudget, rate_budget

logger = logging.getLogger(__name__)

State = BulkRow.State
Status = BulkJob.Status
# One run sends for at most this long, then re-queues itself: far inside the task's soft time
# limit (CELERY_TASK_SOFT_TIME_LIMIT, 540 s), and other tasks get the worker in between.
SLICE_SECONDS = 60.0
# Rows reserved from the budget at once: small, so two jobs running together interleave fairly.
BATCH_ROWS = 10
# The longest countdown a pump asks for; a longer wait (Retry-After, share spent) is waited out in
# several hops. Far below the Redis visibility timeout (7,200 s, settings/base.py).
MAX_COUNTDOWN = 300.0
# When the budget can't say when our share frees up, look again after this long (costs nothing).
SHARE_RECHECK_SECONDS = 30.0
# The directory sync a job runs first failed: wait this long after the 1st, 2nd, 3rd failure; the
# next failure pauses the job and tells its owner. A failed sync is usually configuration (scopes,
# credentials) or an API fault that takes minutes, not seconds, to clear.
PRECONDITION_BACKOFF_SECONDS = (60.0, 180.0, 600.0)
# A job's watermark when the directory has no account at all: smaller than every user id.
ZERO_USER_ID = "user" + "0" * 26


@dataclass(frozen=True)
class PumpOutcome:
    again: bool  # queue the next run (with pump_id) after `countdown` seconds
    countdown: float = 0.0
    pump_id: str = ""
    note: str = ""


class InjectedCrash(RuntimeError):
    """Test-only (EVADMIN_BULK_TEST_CRASH_AFTER_CREATE, evadmin/settings/test.py): the worker 'dies' after a 201."""


def stale_after() -> timedelta:
    return timedelta(seconds=settings.EVADMIN_BULK_STALE_SECONDS)


def bulk_job_pump(*, job_id: int, pump_id: str) -> PumpOutcome:
    """One run of the job's pump: returns whether (and when) to run again."""
    job = BulkJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in BulkJob.ACTIVE_STATUSES:
        return PumpOutcome(again=False, note="job not active")
    if job.pump_id != pump_id:
        return PumpOutcome(again=False, note="superseded by another pump chain")
    lease = job_claim(BulkJob, pk=job_id, stale_after=stale_after(),
                      when=Q(pump_id=pump_id, status__in=BulkJob.ACTIVE_STATUSES))
    if lease is None:
        # Held by a pump that is alive, or that died a moment ago: look again once it would be stale.
        # A live holder hands the chain a new id when it lets go, so this task then does nothing.
        return PumpOutcome(again=True, countdown=settings.EVADMIN_BULK_STALE_SECONDS + 1, pump_id=pump_id,
                           note="claimed by another pump")
    job.refresh_from_db()
    try:
        with on_behalf_of(source=Source(JOB, f"bulk job {job_id}")):
            outcome = _run(job, lease)
    except LostClaim:
        logger.warning("bulk job %s: another pump took over", job_id)
        return PumpOutcome(again=False, note="lost the claim")
    except BaseException:
        lease.release()
        raise
    if not outcome.again:
        lease.release()
        return outcome
    # Hand the chain a new id for the next run: a stray duplicate of this task then does nothing.
    next_id = uuid.uuid4().hex
    released = lease.release(due_in=outcome.countdown, pump_id=next_id)
    return PumpOutcome(again=released, countdown=outcome.countdown, pump_id=next_id if released else "",
                       note=outcome.note)


def _run(job: BulkJob, lease: Lease) -> PumpOutcome:
    if job.status == Status.QUEUED:
        job.started_at = job.started_at or timezone.now()
        lease.beat(status=Status.RUNNING, started_at=job.started_at)
        job.status = Status.RUNNING
    deadline = time.monotonic() + SLICE_SECONDS
    if not job.watermark_user_id:
        waiting = _prepare(job, lease, deadline)
        if waiting is not None:
            return waiting
    wait = bulk_job_reconcile(job=job, beat=lease.beat)
    if wait is not None:
        return _wait(lease, wait, "checking with the API whether rows sent before a failure made accounts.")
    if job.waiting_reason:
        lease.beat(waiting_reason="")
    return _send_loop(job, lease, deadline)


def _prepare(job: BulkJob, lease: Lease, deadline: float) -> PumpOutcome | None:
    """Directory up to date, watermark recorded, existing-account policy applied; else how the job waits."""
    from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
    from evadmin.driver_directory.sync import FULL, INCREMENTAL, directory_sync_step

    complete = DirectorySync.objects.filter(status=DirectorySync.Status.COMPLETE)
    max_age = timedelta(hours=settings.EVADMIN_BULK_FULL_SYNC_MAX_AGE_HOURS)
    last_full = complete.filter(kind=FULL).order_by("-finished_at").values_list("finished_at", flat=True).first()
    needs_full = last_full is None or last_full < timezone.now() - max_age
    done = complete.filter(started_at__gte=job.started_at)
    if needs_full:
        done = done.filter(kind=FULL)
    while not done.exists():
        if time.monotonic() >= deadline:
            return PumpOutcome(again=True, note="bringing the directory up to date")
        lease.beat()
        step_seconds = max(1.0, min(settings.EVADMIN_BULK_STALE_SECONDS / 3, deadline - time.monotonic()))
        progress = directory_sync_step(kind=FULL if needs_full else INCREMENTAL, max_seconds=step_seconds)
        if progress.busy:  # another worker is walking the directory: ours starts when it is done
            return _wait(lease, 5.0, "another directory sync is running; this job starts when it ends.")
        if not progress.finished and progress.resume_in > 0:
            why = DirectorySync.objects.filter(pk=progress.sync_id).values_list("waiting_reason", "error").first()
            detail = next((text for text in why or () if text), "its share of the API budget is spent for now.")
            return _wait(lease, progress.resume_in, f"the directory sync this job runs first is waiting: {detail}")
        if progress.note == "failed":
            return _precondition_failed(job, lease, sync_id=progress.sync_id)
    newest = DirectoryAccount.objects.order_by("-user_id").values_list("user_id", flat=True).first()
    with transaction.atomic():
        lease.beat(watermark_user_id=newest or ZERO_USER_ID, waiting_reason="", precondition_failures=0)
        job.watermark_user_id = newest or ZERO_USER_ID
        bulk_rows_match_directory(job=job)
        bulk_rows_apply_existing_policy(job=job)
    logger.info("bulk job %s: directory up to date, watermark %s", job.pk, job.watermark_user_id)
    return None


def _wait(lease: Lease, seconds: float, reason: str) -> PumpOutcome:
    """Say on the job's page why it is not sending (it resumes at due_at), and wait."""
    seconds = min(max(seconds, 1.0), MAX_COUNTDOWN)
    lease.beat(waiting_reason=reason[:1000])
    return PumpOutcome(again=True, countdown=seconds, note=reason)


def _precondition_failed(job: BulkJob, lease: Lease, *, sync_id: int | None) -> PumpOutcome:
    """The directory sync a job runs first failed: back off, then pause the job and tell its owner.

    Starting a new sync at once would fail the same way and spend requests each time (issue 11:
    a job re-queued itself every 27 s while its page said "Running 0%").
    """
    from evadmin.driver_directory.models import DirectorySync

    failures = job.precondition_failures + 1
    job.precondition_failures = failures
    error = DirectorySync.objects.filter(pk=sync_id).values_list("error", flat=True).first() or "no reason given"
    attempts = len(PRECONDITION_BACKOFF_SECONDS) + 1
    if failures < attempts:
        lease.beat(precondition_failures=failures)
        reason = (f"the directory sync this job runs first failed ({error}). Nothing has been sent; evadmin tries "
                  f"again (attempt {failures + 1} of {attempts}). An admin can look at /directory/; you can "
                  "pause or cancel the job.")
        return _wait(lease, PRECONDITION_BACKOFF_SECONDS[failures - 1], reason)
    message = (f"Paused: the directory sync this job runs first failed {failures} times (last: {error}). Nothing "
               "was sent. Resume the job once /directory/ shows a complete sync.")
    with transaction.atomic():
        lease.beat(status=Status.PAUSED, precondition_failures=failures, waiting_reason="", error=message[:2000])
        transaction.on_commit(lambda: notify.bulk_job_notify_owner(job_id=job.pk))
    logger.error("bulk job %s paused: %s", job.pk, message)
    return PumpOutcome(again=False, note="paused: the directory sync failed")


def _send_loop(job: BulkJob, lease: Lease, deadline: float) -> PumpOutcome:
    budget, share = rate_budget(), settings.EVADMIN_BULK_BUDGET_SHARE
    # Strict mode looks up before each POST; an update job reads each account before its PATCH.
    per_row = 2 if job.strict_mode or job.kind == BulkJob.Kind.UPDATE else 1
    while True:
        status = BulkJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status != Status.RUNNING:
            return PumpOutcome(again=False, note=f"job is {status}")
        pending = job.rows.filter(state=State.PENDING).order_by("row_number")
        if not pending.exists():
            if job.rows.filter(state__in=BulkRow.UNRESOLVED_STATES).exists():
                return PumpOutcome(again=True, countdown=0, note="reconcile what is left")
            _finish(job, lease)
            return PumpOutcome(again=False, note="finished")
        if time.monotonic() >= deadline:
            return PumpOutcome(again=True, countdown=0, note="end of time slice")
        wanted = min(BATCH_ROWS, pending.count()) * per_row
        allowance = _fair_allowance(job, budget, share, per_row)
        if allowance < per_row:
            return _wait(lease, SHARE_RECHECK_SECONDS, "other bulk jobs are using their part of the budget.")
        granted = budget.reserve(min(wanted, allowance), max_share=share, yield_to_staff=True)
        if granted < per_row:
            room = budget.background_room(max_share=share, per_request=per_row)
            return _wait(lease, room.wait_seconds or SHARE_RECHECK_SECONDS, room.describe("the bulk jobs'"))
        for row in list(pending[: granted // per_row]):
            result = _send_row(job, lease, row)
            if result.job_failure:
                _fail(job, lease, result.job_failure)
                return PumpOutcome(again=False, note="job failed")
            if result.wait is not None:
                return PumpOutcome(again=True, countdown=min(max(result.wait, 1.0), MAX_COUNTDOWN),
                                   note="the API answered 429")


def _fair_allowance(job: BulkJob, budget: RateBudget, share: float, per_row: int) -> int:
    """Requests this job may still send in the window: an equal part of the bulk share per active job.

    Alone, a job may use the whole share. Its spending is counted from its rows' sent_at (one per
    row, two in strict mode): close enough for sharing, while the budget itself stays exact.
    """
    active = BulkJob.objects.filter(status__in=BulkJob.ACTIVE_STATUSES).count()
    if active <= 1:
        return BATCH_ROWS * per_row
    part = math.ceil(math.floor(budget.effective_limit() * share) / active)
    since = timezone.now() - timedelta(seconds=WINDOW_SECONDS)
    return part - job.rows.filter(sent_at__gt=since).count() * per_row


def _send_row(job: BulkJob, lease: Lease, row: BulkRow) -> RowResult:
    """Send one row (its lookup first in strict mode), commit its outcome; say what it means for the job."""
    if job.kind == BulkJob.Kind.UPDATE:
        return updates.bulk_row_update(job=job, row=row, beat=lease.beat)
    client, budget = evenergy_client(), rate_budget()
    if job.strict_mode and not row.directory_user_id:
        try:
            with budget.prepaid(1):
                matches = client.users.find_by_email(row.email)
        except errors.RateLimited as exc:
            return RowResult(wait=exc.retry_after)
        except (errors.ServerError, errors.TransportError):
            return GO_ON  # still pending, nothing was created: try again later in this slice
        finally:
            lease.beat(requests=1)
        if matches:
            outcomes.row_found_existing(job=job, row=row, user_id=min(user.id for user in matches))
            return GO_ON
    is_patch = bool(row.directory_user_id)
    with transaction.atomic():
        lease.beat(requests=1)
        marked = BulkRow.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.IN_FLIGHT, attempts=F("attempts") + 1, sent_at=timezone.now(), updated_at=timezone.now()
        )
    if not marked:
        return GO_ON
    location = location_to_api(row.location) if row.location else None
    try:
        with budget.prepaid(1):
            if is_patch:
                user = client.users.update(row.directory_user_id, changes={"default_location": location or {}})
            else:
                user = client.users.create(email=row.email, default_location=location)
    except errors.ApiError as exc:
        # A POST that may have reached the API is uncertain (reconciled before any resend); a PATCH is resent.
        return outcomes.row_settle_api_failure(row=row, exc=exc, resendable=is_patch)
    if not is_patch and row.email in getattr(settings, "EVADMIN_BULK_TEST_CRASH_AFTER_CREATE", ()):
        raise InjectedCrash(f"test crash after the 201 for {row.email}")
    outcomes.row_sent(job=job, row=row, user=user, updated=is_patch)
    return GO_ON


def _finish(job: BulkJob, lease: Lease) -> None:
    with transaction.atomic():
        lease.beat(status=Status.FINISHED, finished_at=timezone.now())
        transaction.on_commit(lambda: notify.bulk_job_notify_owner(job_id=job.pk))
    logger.info("bulk job %s finished", job.pk)


def _fail(job: BulkJob, lease: Lease, message: str) -> None:
    with transaction.atomic():
        lease.beat(status=Status.FAILED, finished_at=timezone.now(), error=message)
        transaction.on_commit(lambda: notify.bulk_job_notify_owner(job_id=job.pk))
    logger.error("bulk job %s failed: %s", job.pk, message)
