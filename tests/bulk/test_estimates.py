"""One estimator for a bulk job's duration: the API's measured pace while the budget has room,
the rolling hour's window once it has not; the preview and the progress line say the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evadmin.bulk.estimates import (
    GUESSED_SECONDS_PER_REQUEST,
    bulk_job_pace,
    duration_range_text,
    duration_text,
)
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run.progress import bulk_job_progress
from evadmin.bulk.selectors import bulk_job_cost_estimate
from evadmin.evenergy.ratelimit import rate_budget, reset_rate_budget
from tests.bulk.factories import csv_bytes, generated_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def hourly_budget(fresh_budget):
    """The real limit: 1,000 requests an hour, bulk share 0.8 (800 an hour), nothing spent."""
    fresh_budget.EVADMIN_API_RATE_LIMIT_PER_HOUR = 1000
    fresh_budget.EVADMIN_BULK_BUDGET_SHARE = 0.8
    reset_rate_budget()
    yield fresh_budget
    reset_rate_budget()


def finished_job(upload, rows: int, *, seconds_apart: float) -> BulkJob:
    """A job that sent `rows` rows one after another, `seconds_apart` each (what the engine stamps)."""
    job = upload(csv_bytes(generated_rows(rows)))
    started = timezone.now() - timedelta(hours=2)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED, started_at=started,
                                             finished_at=started + timedelta(seconds=rows * seconds_apart))
    for index, row in enumerate(job.rows.order_by("row_number")):
        row.state, row.sent_at = BulkRow.State.CREATED, started + timedelta(seconds=index * seconds_apart)
        row.save(update_fields=["state", "sent_at"])
    job.refresh_from_db()
    return job


def preview(job, *, strict=False):
    return bulk_job_cost_estimate(job=job, existing_policy="skip", strict_mode=strict).duration


def test_181_rows_within_the_budget_take_seconds_at_the_pace_measured_on_the_last_job(upload, hourly_budget):
    # Seen: "about 14 minutes" for 181 rows that took 3.7 s (the budget's hourly rate, not the API's speed).
    earlier = finished_job(upload, 60, seconds_apart=0.02)
    job = upload(csv_bytes(generated_rows(181)))
    estimate = preview(job)
    assert estimate.pace.measured_on == earlier and estimate.pace.rows_measured == 60
    assert not estimate.waits_for_budget
    assert estimate.text == "about 4 seconds"
    assert f"job {earlier.pk}" in estimate.basis and "800 requests free" in estimate.basis


def test_with_nothing_measured_the_estimate_is_a_range_and_says_it_is_a_guess(upload, hourly_budget):
    job = upload(csv_bytes(generated_rows(181)))
    estimate = preview(job)
    assert estimate.pace.measured_on is None and estimate.pace.seconds_per_request == GUESSED_SECONDS_PER_REQUEST
    assert estimate.text == "about 10 seconds to 2 minutes"  # 181 × 0.05 s to 181 × 0.5 s
    assert "a guess" in estimate.basis


def test_requests_beyond_the_share_wait_for_the_window_and_each_full_share_adds_an_hour(upload, hourly_budget):
    job = upload(csv_bytes(generated_rows(2000)))
    estimate = preview(job, strict=True)  # 4,000 requests: 800 now, then 800 as each hour's leave
    assert estimate.requests == 4000 and estimate.room_now == 800 and estimate.per_hour == 800
    assert estimate.waits_for_budget and estimate.text == "about 4 hours"
    assert "800 requests go now" in estimate.basis


def test_a_spent_share_waits_for_the_oldest_requests_to_leave_the_hour(upload, hourly_budget):
    earlier = finished_job(upload, 40, seconds_apart=0.02)
    rate_budget().record(800)  # the whole bulk share spent just now
    job = upload(csv_bytes(generated_rows(100)))
    estimate = preview(job)
    assert earlier and estimate.room_now == 0
    assert 3590 <= estimate.low <= estimate.high <= 3600  # the 100th oldest leaves an hour after it was sent
    assert estimate.text == "about 1 hour" and "spent for now" in estimate.basis


def test_the_preview_and_the_progress_line_say_the_same(upload, hourly_budget):
    finished_job(upload, 40, seconds_apart=0.1)
    job = upload(csv_bytes(generated_rows(500)))
    on_preview = preview(job)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    on_progress = bulk_job_progress(job=job).time_left
    # 500 rows at 0.1 s, and 10% more at the slow end for a pace carried over from another job.
    assert on_progress.text == on_preview.text == "about 50 seconds to 1 minute"
    assert on_progress.basis == on_preview.basis


def test_a_running_job_is_timed_by_its_own_pace_once_it_has_sent_enough_rows(upload, hourly_budget):
    finished_job(upload, 40, seconds_apart=0.01)
    job = upload(csv_bytes(generated_rows(300)))
    started = timezone.now() - timedelta(seconds=30)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, started_at=started)
    for index, row in enumerate(job.rows.order_by("row_number")[:100]):
        row.state, row.sent_at = BulkRow.State.CREATED, started + timedelta(seconds=index * 0.25)
        row.save(update_fields=["state", "sent_at"])
    job.refresh_from_db()
    time_left = bulk_job_progress(job=job).time_left
    assert time_left.pace.measured_on == job and "this job’s latest 100 rows" in time_left.basis
    assert time_left.text == "about 50 seconds"  # 200 rows left at 0.25 s


def test_other_running_jobs_widen_the_estimate_and_the_page_says_why(upload, hourly_budget):
    finished_job(upload, 40, seconds_apart=0.1)
    job = upload(csv_bytes(generated_rows(100)))
    alone = preview(job)
    other = upload(csv_bytes(generated_rows(5)))
    BulkJob.objects.filter(pk=other.pk).update(status=BulkJob.Status.RUNNING, started_at=timezone.now())
    shared = preview(job)
    assert alone.text == "about 10 to 15 seconds" and alone.others_running == 0  # 10 s to 11 s
    assert shared.text == "about 10 to 25 seconds"  # the other job takes every other turn on the worker (22 s)
    assert "1 other bulk job is running" in shared.basis


def test_the_pace_runs_from_the_typical_row_to_the_average_one_leaving_budget_waits_out(upload, hourly_budget):
    job = upload(csv_bytes(generated_rows(42)))
    started = timezone.now() - timedelta(hours=1)
    # 40 gaps: 30 of 0.1 s, 9 of 0.5 s (slow answers), and one wait of 10 minutes for the budget.
    gaps = [0.1] * 30 + [0.5] * 9 + [600.0]
    moments = [started]
    for gap in gaps:
        moments.append(moments[-1] + timedelta(seconds=gap))
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED, started_at=started)
    for row, moment in zip(job.rows.order_by("row_number"), moments, strict=False):
        row.state, row.sent_at = BulkRow.State.CREATED, moment
        row.save(update_fields=["state", "sent_at"])
    fast, slow = bulk_job_pace(job=None).seconds_per_request
    assert fast == pytest.approx(0.1) and slow == pytest.approx((30 * 0.1 + 9 * 0.5) / 39 * 1.1)
    # On the job itself, its own pace needs no margin for another file.
    job.refresh_from_db()
    assert bulk_job_pace(job=job).seconds_per_request[1] == pytest.approx((30 * 0.1 + 9 * 0.5) / 39)


def test_finished_jobs_have_no_time_left(upload, hourly_budget):
    job = finished_job(upload, 30, seconds_apart=0.01)
    assert bulk_job_progress(job=job).time_left is None


def test_a_bulk_share_of_nothing_says_there_is_no_estimate(upload, hourly_budget):
    hourly_budget.EVADMIN_BULK_BUDGET_SHARE = 0.0
    estimate = preview(upload(csv_bytes(generated_rows(10))))
    assert estimate.low is None and estimate.text == "no time estimate: the bulk share of the budget is 0"


def test_the_pace_of_a_strict_job_is_counted_per_request(upload, hourly_budget):
    job = finished_job(upload, 40, seconds_apart=0.2)
    BulkJob.objects.filter(pk=job.pk).update(strict_mode=True)
    assert bulk_job_pace(job=None).seconds_per_request == pytest.approx((0.1, 0.11))


@pytest.mark.parametrize("low,high,text", [
    (0.2, 0.4, "about 1 second"), (3.2, 5.5, "about 4 to 6 seconds"), (12, 14, "about 15 seconds"),
    (50, 100, "about 50 seconds to 2 minutes"), (61, 62, "about 2 minutes"), (3600, 3600, "about 1 hour"),
    (5400, 7200, "about 1 hour 30 minutes to 2 hours"), (3 * 86400 + 7200, 3 * 86400 + 7200, "about 3 days 2 hours"),
    (None, None, "no time estimate: the bulk share of the budget is 0"),
])
def test_duration_range_text(low, high, text):
    assert duration_range_text(low, high) == text


def test_duration_text_rounds_up_to_what_a_person_plans_with():
    assert duration_text(59) == "about 1 minute" and duration_text(61) == "about 2 minutes"
