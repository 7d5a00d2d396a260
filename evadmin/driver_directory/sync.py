"""Walking the API's user list into the directory, within a share of the hourly rate budget.

One request lists 100 accounts with tariff, supplier and EVSE site expanded, so a full sync of
N accounts costs N/100 requests. A run is a DirectorySync row and any worker can carry it on:

- Each page is stored together with the run's checkpoint (`cursor`, the last user id stored) in
  one transaction; the next request asks for `page_after=cursor`. A run cut short anywhere resumes
  from its last stored page, never from the start.
- A worker *claims* the run (`claim_token`) and beats a heartbeat on every page. A claimed run
  whose heartbeat is older than STALE_AFTER belongs to a worker that died: the next task (a beat
  tick, "Sync now") takes it over and continues from the checkpoint.
- Every request is reserved from the shared RateBudget first, at most `max_share` of the hour,
  so staff browsing always has the rest. When the share is spent, or the API answers 429, the run
  waits: short waits in place, long ones by letting go of the run and re-queueing the task with a
  countdown (`SyncProgress.resume_in`), so no worker sits idle for an hour.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from evadmin.core.jobs import Lease, LostClaim, job_claim, job_enqueue
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.services import GoneMarking, directory_mark_gone, directory_store_users
from evadmin.evenergy import errors
from evadmin.evenergy.attribution import SYNC, Source, on_behalf_of
from evadmin.evenergy.client import UsersApi, evenergy_client
from evadmin.evenergy.pagination import MAX_PAGE_SIZE, MAX_PAGES
from evadmin.evenergy.ratelimit import rate_budget

logger = logging.getLogger(__name__)

SYNC_TASK = "directory.sync"
FULL, INCREMENTAL = DirectorySync.Kind.FULL, DirectorySync.Kind.INCREMENTAL
RUNNING, COMPLETE, FAILED = DirectorySync.Status.RUNNING, DirectorySync.Status.COMPLETE, DirectorySync.Status.FAILED

# A live worker beats at least once per page; a page takes at most ~55 s (10 s timeout, 3
# retries, waits capped at 5 s: settings.EVADMIN_API_*) and in-place waits are shorter than
# MAX_INLINE_WAIT. Two minutes of silence means the worker is gone.
STALE_AFTER = timedelta(seconds=120)
# One task runs for at most this long, then re-queues itself: well inside
# CELERY_TASK_SOFT_TIME_LIMIT (540 s), and other tasks get the worker in between.
SLICE_SECONDS = 240.0
# Waits up to this long happen in place (heartbeat first); longer ones re-queue the task.
MAX_INLINE_WAIT = 15.0
# The budget can't say when our share frees up (other callers' requests leave the window too):
# look again after a minute. Looking costs no API request.
SHARE_RECHECK_SECONDS = 60.0
# API outages: wait this long after the 1st, 2nd... consecutive failure; then the run fails.
FAILURE_BACKOFF_SECONDS = (30, 60, 120, 300, 600)
# A checkpoint the API rejects (the account was deleted) steps back to the previous known
# account this many times, then the walk starts again from the beginning.
MAX_STEP_BACKS = 5
# A continuation task may arrive a little before due_at when worker clocks differ.
CLOCK_SLACK = timedelta(seconds=5)


@dataclass(frozen=True)
class SyncProgress:
    """Where a run stands after a step: finished, to be resumed, or held by another worker."""

    sync_id: int | None
    kind: str
    finished: bool = False
    resume_in: float = 0.0  # not finished: continue after this many seconds
    busy: bool = False  # another worker holds the running sync; nothing was done
    note: str = ""


def directory_sync_last_complete(*, kind: str | None = None) -> DirectorySync | None:
    complete = DirectorySync.objects.filter(status=COMPLETE)
    if kind:
        complete = complete.filter(kind=kind)
    return complete.order_by("-finished_at", "-pk").first()


def directory_sync_begin(*, kind: str, started_by=None) -> DirectorySync | None:
    """Create a running sync, or return None when one is already running.

    An incremental sync starts after the last account a complete sync walked to: every account
    up to that id has been listed, and new accounts have later ids (ULIDs). Without a complete
    sync there is nothing to start from, so it becomes a full one. Raises IntegrityError if
    another process created a running sync at the same moment (one_running_sync constraint).
    """
    if DirectorySync.objects.filter(status=RUNNING).exists():
        return None
    cursor = ""
    if kind == INCREMENTAL:
        last = directory_sync_last_complete()
        if last is None:
            kind = FULL
        else:
            cursor = last.cursor
    return DirectorySync.objects.create(kind=kind, cursor=cursor, started_by=started_by, heartbeat_at=timezone.now())


def directory_sync_step(
    *, kind: str = INCREMENTAL, sync_id: int | None = None, max_pages: int | None = None,
    max_seconds: float = SLICE_SECONDS,
) -> SyncProgress:
    """Carry the running sync forward (starting one of `kind` if none runs) for one time slice.

    With `sync_id` this is a continuation of that run. Returns what happened; the task re-queues
    itself when the result is neither finished nor busy.
    """
    sync, lease = _claim(kind=kind, sync_id=sync_id)
    if lease is None:
        return SyncProgress(sync.pk if sync else sync_id, sync.kind if sync else kind, busy=True,
                            finished=sync is not None and sync.status != RUNNING)
    try:
        with on_behalf_of(source=Source(SYNC, f"directory sync {sync.pk}")):
            return _walk(sync, lease, max_pages=max_pages, max_seconds=max_seconds)
    except LostClaim:
        logger.warning("directory sync %s was taken over by another worker", sync.pk)
        return SyncProgress(sync.pk, sync.kind, busy=True, note="taken over")
    except Exception as exc:  # a bug or the database: record it, let the task fail loudly
        try:
            _record_failure(sync, lease, exc)
        except Exception:
            logger.exception("directory sync %s: could not record the failure", sync.pk)
        raise


def directory_sync_if_never_synced() -> DirectorySync | None:
    """A full sync started now when the directory has never completed or begun one (a new install right
    after `make run`): otherwise every search says "0 accounts match" until beat's first tick. None when
    there is nothing to do."""
    if DirectorySync.objects.exists():
        return None
    sync, started = directory_sync_request(kind=DirectorySync.Kind.FULL)
    return sync if started else None


def directory_sync_request(*, kind: str, started_by=None) -> tuple[DirectorySync, bool]:
    """Start a sync now ("Sync now"): returns (the run, True), or (the running one, False).

    The row is created here, so the state page shows it at once, and handed to a worker.
    """
    for _ in range(3):  # the running sync may finish between looking and starting
        try:
            with transaction.atomic():
                sync = directory_sync_begin(kind=kind, started_by=started_by)
        except IntegrityError:
            sync = None
        if sync is not None:
            transaction.on_commit(partial(job_enqueue, SYNC_TASK, kind=sync.kind, sync_id=sync.pk))
            return sync, True
        running = DirectorySync.objects.filter(status=DirectorySync.Status.RUNNING).first()
        if running is not None:
            return running, False
    raise RuntimeError("could not start a directory sync")


# --- claiming -------------------------------------------------------------------------------
def _claim(*, kind: str, sync_id: int | None) -> tuple[DirectorySync | None, Lease | None]:
    now = timezone.now()
    if sync_id is None:
        sync = DirectorySync.objects.filter(status=RUNNING).first()
        if sync is None:
            try:
                with transaction.atomic():
                    sync = directory_sync_begin(kind=kind)
            except IntegrityError:
                sync = None
            if sync is None:  # someone else started one this instant
                return DirectorySync.objects.filter(status=RUNNING).first(), None
            waiting_ok = Q(due_at__isnull=True) | Q(due_at__lte=now + CLOCK_SLACK)
        else:
            # A tick leaves a waiting run to its own continuation unless that is long overdue.
            waiting_ok = Q(due_at__isnull=True) | Q(due_at__lte=now - STALE_AFTER)
    else:
        sync = DirectorySync.objects.filter(pk=sync_id).first()
        if sync is None:
            return None, None
        waiting_ok = Q(due_at__isnull=True) | Q(due_at__lte=now + CLOCK_SLACK)
    lease = job_claim(DirectorySync, pk=sync.pk, stale_after=STALE_AFTER, when=Q(status=RUNNING), free_when=waiting_ok)
    if lease is None:
        sync.refresh_from_db()
        return sync, None
    if sync.claim_token and sync.heartbeat_at and sync.heartbeat_at < now - STALE_AFTER:
        logger.warning("directory sync %s: its worker stopped beating; resuming after %s", sync.pk, sync.cursor or "the start")
    sync.refresh_from_db()
    return sync, lease


def _release(sync: DirectorySync, lease: Lease, *, resume_in: float, note: str, **changes) -> SyncProgress:
    # A run paused to wait is left to its own continuation (ticks keep off until due_at); one
    # let go only at the end of a time slice may be carried on at once by whoever comes first.
    waiting = resume_in > 0
    lease.release(due_in=resume_in if waiting else None, waiting_reason=note if waiting else "", **changes)
    logger.info("directory sync %s paused for %.0f s: %s", sync.pk, resume_in, note)
    return SyncProgress(sync.pk, sync.kind, resume_in=resume_in, note=note)


# --- walking --------------------------------------------------------------------------------
def _walk(sync: DirectorySync, lease: Lease, *, max_pages: int | None, max_seconds: float) -> SyncProgress:
    client, budget = evenergy_client(), rate_budget()
    share = settings.EVADMIN_DIRECTORY_BUDGET_SHARE
    deadline = time.monotonic() + max_seconds
    cursor, pages, step_backs = sync.cursor, 0, 0
    while True:
        if (max_pages is not None and pages >= max_pages) or time.monotonic() >= deadline:
            return _release(sync, lease, resume_in=0, note="end of time slice")
        if sync.requests_spent + pages >= MAX_PAGES:  # over every slice of this run
            return _fail(sync, lease, errors.PaginationStalled(
                f"it still had a next page after {MAX_PAGES} pages", collection="users"))
        if not budget.reserve(1, max_share=share, yield_to_staff=True):
            room = budget.background_room(max_share=share)
            wait = room.wait_seconds or SHARE_RECHECK_SECONDS
            if wait <= MAX_INLINE_WAIT:
                lease.beat()
                time.sleep(wait)
                continue
            return _release(sync, lease, resume_in=wait, note=room.describe("the directory sync's"))
        try:
            with budget.prepaid(1):
                page = client.users.list(
                    page_size=MAX_PAGE_SIZE, page_after=cursor or None, expand=UsersApi.FULL_EXPAND
                )
        except errors.RateLimited as exc:
            # Same cursor again after Retry-After. (The client also blocked the shared budget for
            # that long, so staff pages and other jobs hold off too.)
            lease.beat(requests=1)
            if exc.retry_after > MAX_INLINE_WAIT:
                return _release(sync, lease, resume_in=exc.retry_after, note="the API answered 429")
            time.sleep(exc.retry_after)
            continue
        except errors.ValidationFailed as exc:
            if not cursor or not _rejects_cursor(exc):
                return _fail(sync, lease, exc)
            step_backs += 1
            cursor = _step_back(cursor) if step_backs <= MAX_STEP_BACKS else ""
            logger.warning("directory sync %s: the API rejected its checkpoint; continuing after %s",
                           sync.pk, cursor or "the start")
            lease.beat(requests=1, cursor=cursor)
            continue
        except (errors.ServerError, errors.TransportError) as exc:
            return _record_failure(sync, lease, exc)
        except errors.ApiError as exc:  # credentials, scopes: waiting won't help
            return _fail(sync, lease, exc)
        pages += 1
        if page.items and page.items[-1].id <= cursor:
            # Ids grow with creation, so a walk only moves forward; a page that doesn't would be
            # requested again and again, each time from the budget. (The next page is asked for
            # after the last id stored, never by the Link's cursor, so a Link that repeats itself
            # or names another kind of id cannot turn the walk around.)
            return _fail(sync, lease, errors.PaginationStalled(
                f"it listed {page.items[-1].id} after {cursor}", collection="users"))
        if page.items:
            cursor = page.items[-1].id
        _store_page(sync, lease, page.items, cursor)
        if not page.has_next or not page.items:
            return _complete(sync, lease)


def _store_page(sync: DirectorySync, lease: Lease, users, cursor: str) -> None:
    """Store the accounts and move the checkpoint past them, all or nothing."""
    with transaction.atomic():
        directory_store_users(users)
        lease.beat(requests=1, cursor=cursor, accounts_seen=F("accounts_seen") + len(users), failures=0, error="",
                   waiting_reason="")


def _complete(sync: DirectorySync, lease: Lease) -> SyncProgress:
    now = timezone.now()
    gone = GoneMarking(marked=0)
    with transaction.atomic():
        if sync.kind == FULL:
            previous = directory_sync_last_complete(kind=FULL)
            gone = directory_mark_gone(listed_since=sync.started_at, now=now,
                                       agreed_digest=previous.gone_held_back_digest if previous else "")
        lease.release(status=COMPLETE, finished_at=now, due_at=None, waiting_reason="",
                      gone_held_back=gone.held_back, gone_held_back_digest=gone.digest, note=gone.note)
    sync.refresh_from_db()
    logger.info("directory sync %s (%s) complete: %s accounts, %s requests, %s marked gone",
                sync.pk, sync.kind, sync.accounts_seen, sync.requests_spent, gone.marked)
    if gone.held_back:
        _tell_admins_held_back(sync)
    return SyncProgress(sync.pk, sync.kind, finished=True)


def _tell_admins_held_back(sync: DirectorySync) -> None:
    logger.warning("directory sync %s: %s", sync.pk, sync.note)
    try:
        mail_admins(f"evadmin: directory sync {sync.pk} held back marking {sync.gone_held_back} accounts gone",
                    f"{sync.note}\n\nSync state: {reverse('directory:sync_state')}\n")
    except Exception:  # the sync state page and the log say it either way
        logger.exception("directory sync %s: could not mail the admins", sync.pk)


def _fail(sync: DirectorySync, lease: Lease, exc: Exception) -> SyncProgress:
    logger.error("directory sync %s failed: %s", sync.pk, exc)
    lease.release(status=FAILED, finished_at=timezone.now(), due_at=None, waiting_reason="", error=_describe(exc),
                  requests=_spent_on(exc))
    return SyncProgress(sync.pk, sync.kind, finished=True, note="failed")


def _record_failure(sync: DirectorySync, lease: Lease, exc: Exception) -> SyncProgress:
    """A failed attempt: pause with backoff, or fail the run after too many in a row."""
    failures = DirectorySync.objects.filter(pk=sync.pk).values_list("failures", flat=True).first() or 0
    if failures + 1 >= len(FAILURE_BACKOFF_SECONDS):
        return _fail(sync, lease, exc)
    return _release(sync, lease, resume_in=FAILURE_BACKOFF_SECONDS[failures], note=f"attempt failed: {exc}",
                    failures=failures + 1, error=_describe(exc), requests=_spent_on(exc))


def _spent_on(exc: Exception) -> int:
    """A request reached the API when the failure is the API's answer (not a bug or the database)."""
    return 1 if isinstance(exc, errors.ApiError) else 0


def _rejects_cursor(exc: errors.ValidationFailed) -> bool:
    return "pagination" in exc.title.lower() or "page_after" in exc.field_errors


def _step_back(cursor: str) -> str:
    """The newest known account before `cursor`: everything up to it was listed already."""
    previous = (DirectoryAccount.objects.filter(user_id__lt=cursor, gone_at__isnull=True)
                .order_by("-user_id").values_list("user_id", flat=True).first())
    return previous or ""


def _describe(exc: Exception) -> str:
    message = getattr(exc, "user_message", "") or type(exc).__name__
    return f"{message} ({exc})"[:2000]
