"""How long a bulk job takes: the one estimator behind the preview's "it takes" and the progress line.

Two things bound a job. The API's speed: the pace evadmin measured sending rows (this job's latest
rows once it runs, else the latest job's, with a margin), from the typical row to the average one. And the hourly budget: what
the bulk share has free now goes at that pace; every request beyond it waits for an older one to
leave the rolling hour, which the budget's own window says exactly for the requests already in it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from django.conf import settings

from evadmin.bulk.models import BulkJob
from evadmin.evenergy.ratelimit import WINDOW_SECONDS, rate_budget

# Before anything was measured: from an API answering in 50 ms to one taking half a second.
GUESSED_SECONDS_PER_REQUEST = (0.05, 0.5)
# The latest rows sent whose gaps give the pace, and the fewest gaps worth calling a measurement.
PACE_SAMPLE_ROWS = 200
PACE_MIN_GAPS = 20
# A gap between two rows longer than this (and than 20 typical rows) was a wait for the budget, not sending.
WAIT_GAP_SECONDS = 1.0
# Jobs looked at for a pace when the job itself has not sent enough rows yet.
PACE_JOBS_LOOKED_AT = 3
# Another job's pace carries over to this one within this much: in `make bench` the second job's rows
# ran 3% slower than the first job's latest ones (its own file, the directory refresh before it).
CARRIED_PACE_MARGIN = 0.10


def requests_per_row(job: BulkJob, *, strict_mode: bool | None = None) -> int:
    """Requests the engine reserves for each row: a lookup before each POST in strict mode, a read
    before each PATCH in an update job (run/engine.py)."""
    strict = job.strict_mode if strict_mode is None else strict_mode
    return 2 if strict or job.kind == BulkJob.Kind.UPDATE else 1


@dataclass(frozen=True)
class Pace:
    """Seconds a request takes, fast and slow, and the job it was measured on (None: a guess)."""

    seconds_per_request: tuple[float, float]
    measured_on: BulkJob | None = None
    rows_measured: int = 0
    carried: bool = False  # measured on another job: the slow end allows CARRIED_PACE_MARGIN more

    def describe(self, *, this_job: BulkJob | None) -> str:
        fast, slow = self.seconds_per_request
        if self.measured_on is None:
            return f"nothing measured yet, so a guess of {fast:g} to {slow:g} s a request"
        whose = "this job" if this_job is not None and self.measured_on.pk == this_job.pk else \
            f"job {self.measured_on.pk}"
        margin = f" (with {CARRIED_PACE_MARGIN:.0%} more for another file)" if self.carried else ""
        return f"the pace measured on {whose}’s latest {self.rows_measured:,} rows, {_seconds(fast)} to " \
               f"{_seconds(slow)} a request{margin}"


def bulk_job_pace(*, job: BulkJob | None) -> Pace:
    """The pace of sending rows: the job's own once it has sent enough, else the latest jobs'."""
    candidates = [job] if job is not None and job.started_at else []
    others = BulkJob.objects.filter(started_at__isnull=False).order_by("-started_at")
    if job is not None and job.pk:
        others = others.exclude(pk=job.pk)
    for candidate in [*candidates, *others[:PACE_JOBS_LOOKED_AT]]:
        sent = list(candidate.rows.filter(sent_at__isnull=False).order_by("-sent_at")
                    .values_list("sent_at", flat=True)[:PACE_SAMPLE_ROWS])
        gaps = [(newer - older).total_seconds() for newer, older in zip(sent, sent[1:], strict=False)]
        if len(gaps) < PACE_MIN_GAPS:
            continue
        # From the typical row (the median gap) to the average one (the mean: the total of many rows goes by
        # it); a gap of a budget wait is left out, the budget part of the estimate counts those.
        typical = statistics.median(gaps)
        average = statistics.fmean(gap for gap in gaps if gap <= max(WAIT_GAP_SECONDS, 20 * typical))
        per_row = requests_per_row(candidate)
        fast, slow = sorted((max(typical, 0.001) / per_row, max(average, 0.001) / per_row))
        carried = job is None or candidate.pk != job.pk
        return Pace((fast, slow * (1 + CARRIED_PACE_MARGIN) if carried else slow), candidate, len(sent), carried)
    return Pace(GUESSED_SECONDS_PER_REQUEST)


@dataclass(frozen=True)
class DurationEstimate:
    """How long `requests` take from now: a range in seconds (None: the bulk share is 0)."""

    requests: int
    low: float | None
    high: float | None
    pace: Pace
    room_now: int  # requests the bulk share has free now
    per_hour: int  # the bulk share of the hour: what it sends an hour once the room is spent
    budget_seconds: float  # how long the budget holds the last request back (0: it does not)
    this_job: BulkJob | None = None
    others_running: int = 0  # other bulk jobs sharing the bulk share (the high figure has them run throughout)

    @property
    def text(self) -> str:
        return duration_range_text(self.low, self.high)

    @property
    def waits_for_budget(self) -> bool:
        return self.budget_seconds > 0

    @property
    def basis(self) -> str:
        """What the estimate rests on, in a sentence or two for the page."""
        if self.low is None:
            return "The bulk share of the budget is 0, so nothing is sent."
        pace = self.pace.describe(this_job=self.this_job)
        if not self.waits_for_budget:
            basis = f"The budget has room for all of it now ({self.room_now:,} requests free), so the API's " \
                    f"speed decides: {pace}."
        elif not self.room_now:
            basis = f"The bulk share of the budget is spent for now: each request waits for an older one to leave " \
                    f"the rolling hour ({self.per_hour:,} an hour); then {pace}."
        else:
            basis = f"{self.room_now:,} requests go now, at {pace}; the rest wait for older requests to leave the " \
                    f"rolling hour ({self.per_hour:,} an hour)."
        if self.others_running:
            jobs = "job is" if self.others_running == 1 else "jobs are"
            basis += f" {self.others_running} other bulk {jobs} running and share the budget and the worker: the " \
                     f"longer figure has them run all along."
        return basis


def bulk_duration_estimate(*, requests: int, per_row: int, pace: Pace, job: BulkJob | None = None
                           ) -> DurationEstimate:
    budget, share = rate_budget(), settings.EVADMIN_BULK_BUDGET_SHARE
    limit = budget.effective_limit()
    cap = max(0, min(math.floor(limit * share), limit - budget.staff_reserve(limit)))
    used = budget.used()
    room = max(0, cap - used)
    if requests <= 0:
        return DurationEstimate(0, 0.0, 0.0, pace, room, cap, 0.0, job)
    if cap < per_row:
        return DurationEstimate(requests, None, None, pace, room, cap, 0.0, job)
    held_back = _held_back(requests, room=room, cap=cap, used=used)
    # Running jobs take equal parts of the share (run/engine.py) and turns on the worker: the high
    # figure has them run all along, the low one has them finish at once.
    others = BulkJob.objects.filter(status__in=BulkJob.ACTIVE_STATUSES).exclude(pk=job.pk if job else None).count()
    shared = others + 1
    held_back_shared = _held_back(requests, room=room // shared, cap=max(per_row, cap // shared), used=used) \
        if others else held_back
    blocked = budget.blocked_for()  # a 429's Retry-After holds everything back first
    fast, slow = pace.seconds_per_request
    return DurationEstimate(
        requests, blocked + max(requests * fast, held_back), blocked + max(requests * slow * shared, held_back_shared),
        pace, room, cap, held_back, job, others,
    )


def _held_back(requests: int, *, room: int, cap: int, used: int) -> float:
    return _seconds_until_sent(requests - room, cap=cap, used=used) if requests > room else 0.0


def _seconds_until_sent(later: int, *, cap: int, used: int) -> float:
    """When the last of `later` requests beyond today's room may go: each waits for one request in
    the window to leave it. Those already in it leave when the window says; ours, sent now, an hour
    from now; so every `cap` requests more add an hour."""
    hours, nth = divmod(later - 1, cap)
    position = max(0, used - cap) + nth + 1  # which request in the window has to leave first
    if position <= used:
        return hours * WINDOW_SECONDS + rate_budget().seconds_until_left(position)
    return (hours + 1) * WINDOW_SECONDS


def _seconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def duration_text(seconds: float | None) -> str:
    """"about 2 hours 30 minutes": rounded up to what a person plans with."""
    if seconds is None:
        return "no time estimate: the bulk share of the budget is 0"
    return f"about {_rounded(seconds)}"


def duration_range_text(low: float | None, high: float | None) -> str:
    """"about 4 to 6 seconds", "about 50 seconds to 2 minutes", or one figure when both round alike."""
    if low is None or high is None:
        return duration_text(None)
    low_text, high_text = _rounded(low), _rounded(high)
    if low_text == high_text:
        return f"about {low_text}"
    low_number, _, low_unit = low_text.partition(" ")
    _, _, high_unit = high_text.partition(" ")
    if " " not in low_unit and low_unit.rstrip("s") == high_unit.rstrip("s"):
        return f"about {low_number} to {high_text}"
    return f"about {low_text} to {high_text}"


def _rounded(seconds: float) -> str:
    if seconds < 10:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    if seconds <= 55:
        return f"{math.ceil(seconds / 5) * 5} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {minutes} minutes" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} hour{'s' if hours != 1 else ''}" if hours else "")
