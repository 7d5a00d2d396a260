"""Reads for a running or finished job: progress, throughput, ETA from the budget, results CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from evadmin.bulk.models import BulkJob, BulkNotice, BulkRow
from evadmin.bulk.selectors import bulk_job_state_counts, duration_text
from evadmin.core.exports import neutralise_row
from evadmin.evenergy.ratelimit import rate_budget

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
    eta_seconds: float | None
    newest_errors: list[BulkRow]
    active: bool

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)

    @property
    def eta_text(self) -> str:
        return duration_text(self.eta_seconds) if self.active else "done"


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
        eta_seconds=_eta(job, counts) if job.status not in BulkJob.FINAL_STATUSES else 0.0,
        newest_errors=list(job.rows.filter(state__in=PROBLEM_STATES).exclude(error="").order_by("-updated_at")[:10]),
        active=job.status in (*BulkJob.ACTIVE_STATUSES, BulkJob.Status.PAUSED),
    )


def _eta(job: BulkJob, counts: dict[str, int]) -> float | None:
    """The requests left at the bulk share of the hourly budget, after any 429 pause."""
    budget = rate_budget()
    requests = counts[State.PENDING] * (2 if job.strict_mode else 1) + counts[State.IN_FLIGHT] + counts[State.UNCERTAIN]
    per_hour = budget.limit * settings.EVADMIN_BULK_BUDGET_SHARE
    if per_hour <= 0:
        return None
    share_left = max(0.0, per_hour - budget.used())
    if requests <= share_left:
        # Within this hour's share the API's speed decides; a request takes well under a second.
        return budget.blocked_for() + requests * 0.05
    return budget.blocked_for() + budget.seconds_until_free() + (requests - share_left) / per_hour * 3600


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
