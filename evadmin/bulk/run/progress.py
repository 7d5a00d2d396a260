"""Reads for a running or finished job: progress, throughput, ETA from the budget, results CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from evadmin.bulk.estimates import DurationEstimate, bulk_duration_estimate, bulk_job_pace, requests_per_row
from evadmin.bulk.models import BulkJob, BulkNotice, BulkRow
from evadmin.bulk.selectors import bulk_job_state_counts
from evadmin.core.exports import neutralise_row

State = BulkRow.State
# Rows still to settle (pending rows cost a request each, 2 in strict mode; unsettled ones ~1).
OPEN_STATES = (State.PENDING, State.IN_FLIGHT, State.UNCERTAIN)
SENDABLE_STATES = (*OPEN_STATES, State.CREATED, State.UPDATED, State.EXISTED, State.FAILED, State.PARKED)
PROBLEM_STATES = (State.FAILED, State.PARKED, State.UNCERTAIN)


@dataclass(frozen=True)
class JobProgress:
    counts: dict[str, int]
    labelled_counts: list[tuple[str, str, int]]  # (state, label, rows), states with rows only
    total: int  # rows the job settles (everything but invalid and duplicate rows)
    done: int
    requests_spent: int
    rows_per_minute: float | None
    time_left: DurationEstimate | None  # None once the job is final
    newest_errors: list[BulkRow]
    active: bool

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


def bulk_job_progress(*, job: BulkJob) -> JobProgress:
    counts = bulk_job_state_counts(job=job)
    total = sum(counts[state] for state in SENDABLE_STATES)
    open_rows = sum(counts[state] for state in OPEN_STATES)
    done = total - open_rows
    rate = None
    if job.started_at:
        minutes = ((job.finished_at or timezone.now()) - job.started_at).total_seconds() / 60
        settled = counts[State.CREATED] + counts[State.UPDATED] + counts[State.FAILED] + counts[State.PARKED]
        rate = settled / minutes if minutes > 0 else None
    return JobProgress(
        counts=counts,
        labelled_counts=[(state, State(state).label, n) for state, n in counts.items() if n],
        total=total, done=done, requests_spent=job.requests_spent, rows_per_minute=rate,
        time_left=_time_left(job, counts) if job.status not in BulkJob.FINAL_STATUSES else None,
        newest_errors=list(job.rows.filter(state__in=PROBLEM_STATES).exclude(error="").order_by("-updated_at")[:10]),
        active=job.status in (*BulkJob.ACTIVE_STATUSES, BulkJob.Status.PAUSED),
    )


def _time_left(job: BulkJob, counts: dict[str, int]) -> DurationEstimate:
    """The preview's estimator (estimates.py) for what is left: pending rows cost their requests,
    rows in flight or uncertain about one more each."""
    per_row = requests_per_row(job)
    requests = counts[State.PENDING] * per_row + counts[State.IN_FLIGHT] + counts[State.UNCERTAIN]
    return bulk_duration_estimate(requests=requests, per_row=per_row, pace=bulk_job_pace(job=job), job=job)


RESULTS_CSV_HEADER = ("row_number", "email", "outcome", "user_id", "user_url", "evadmin_url", "error")


def bulk_job_results_csv_rows(*, job: BulkJob, page_url: Callable[[str], str]) -> Iterator[list]:
    """One line per row: `user_url` is the driver in the API, `evadmin_url` their page here (page_url(id))."""
    yield list(RESULTS_CSV_HEADER)
    base = settings.EVADMIN_API_BASE_URL
    rows = job.rows.order_by("row_number").values_list("row_number", "email", "state", "user_id", "error")
    for row_number, email, state, user_id, error in rows.iterator(chunk_size=2000):
        urls = [f"{base}/users/{user_id}", page_url(user_id)] if user_id else ["", ""]
        yield neutralise_row([row_number, email, State(state).label, user_id, *urls, error])


def bulk_notices_take_unread(*, recipient) -> list[BulkNotice]:
    """The recipient's unread notices, newest first, marked read as they are shown."""
    notices = list(BulkNotice.objects.filter(recipient=recipient, read_at__isnull=True).select_related("job")[:10])
    BulkNotice.objects.filter(pk__in=[notice.pk for notice in notices]).update(read_at=timezone.now())
    return notices
