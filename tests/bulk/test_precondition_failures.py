"""A job whose first step, bringing the directory up to date, keeps failing (issue 11).

It once re-queued itself every 27 s, spending 2 requests a time, while its page said "Running 0% ·
time left: under a minute" for as long as it was left. Now the page says what failed and what
happens next, the job backs off, and after a bounded number of attempts it is paused and its
owner is told; nothing is sent meanwhile.
"""

from django.test import TestCase

from evadmin.bulk.models import BulkJob, BulkNotice
from evadmin.bulk.run import engine
from tests.bulk.test_engine import started_job  # noqa: F401 - fixture
from tests.conftest import sent


def pump_once(job: BulkJob):
    job.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return engine.bulk_job_pump(job_id=job.pk, pump_id=job.pump_id)


def test_a_failing_directory_sync_backs_off_says_why_then_pauses_the_job(started_job, bulk_api, client_as):  # noqa: F811
    job = started_job(["first@precondition.example.com", "second@precondition.example.com"])
    bulk_api.faults(paging="ignore_paging")  # the user list never moves forward: each sync fails

    first = pump_once(job)

    job.refresh_from_db()
    assert first.again and first.countdown == engine.PRECONDITION_BACKOFF_SECONDS[0]
    assert job.status == BulkJob.Status.RUNNING and job.precondition_failures == 1
    assert "the directory sync this job runs first failed" in job.waiting_reason
    assert "did not move forward" in job.waiting_reason and "attempt 2 of 4" in job.waiting_reason
    progress = client_as("bulk_operator").get(f"/bulk/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    html = progress.content.decode()
    assert "Waiting: the directory sync this job runs first failed" in html and "Resumes about" in html
    assert "time left" not in html

    outcomes = [pump_once(job) for _ in range(len(engine.PRECONDITION_BACKOFF_SECONDS))]

    job.refresh_from_db()
    assert [outcome.again for outcome in outcomes] == [True, True, False]
    assert job.status == BulkJob.Status.PAUSED
    assert job.error.startswith("Paused: the directory sync this job runs first failed 4 times")
    notice = BulkNotice.objects.get(job=job)
    assert "paused" in notice.message and notice.recipient == job.created_by
    assert not sent(bulk_api, "POST")  # nothing was sent for the rows
    assert len(sent(bulk_api, "GET", "/v2/users")) == 4 * 2  # two reads per failed attempt, no more

    # The owner resumes once the API is right again: the attempts start afresh and the job runs.
    bulk_api.faults(paging=None)
    from evadmin.bulk.services import bulk_job_control

    bulk_job_control(job_id=job.pk, actor=job.created_by, action="resume")
    job.refresh_from_db()
    assert (job.error, job.waiting_reason, job.precondition_failures) == ("", "", 0)
    from tests.bulk.test_engine import drive

    drive(job)
    assert job.status == BulkJob.Status.FINISHED


def test_waiting_for_the_budget_says_so_instead_of_a_frozen_eta(started_job, bulk_api, settings, client_as):  # noqa: F811
    job = started_job(["third@precondition.example.com"])
    settings.EVADMIN_BULK_BUDGET_SHARE = 0.0  # nothing for jobs this hour
    settings.EVADMIN_DIRECTORY_BUDGET_SHARE = 0.0
    outcome = pump_once(job)
    job.refresh_from_db()
    assert outcome.again and job.waiting_reason
    html = client_as("bulk_operator").get(f"/bulk/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting: the directory sync this job runs first is waiting" in html and "time left" not in html
