"""Staff before jobs (issue "People first"): a job yields when agents get busy, says so on its page,
and picks up again by itself when their spending ages out."""

import time

import time_machine
from django.test import TestCase

from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import engine
from evadmin.evenergy.ratelimit import rate_budget
from tests.bulk.conftest import posts_by_email, unique_domain
from tests.bulk.test_engine import prepare, started_job  # noqa: F401 - fixture


def pump(job):
    job.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return engine.bulk_job_pump(job_id=job.pk, pump_id=job.pump_id)


def test_a_job_waits_while_staff_are_busy_and_resumes_after(started_job, bulk_api, client_as):  # noqa: F811
    domain = unique_domain()
    job = started_job([f"q{n}@{domain}" for n in range(5)])
    prepare(job)  # the directory is up to date: what follows is the job's own sending
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.QUEUED)
    with time_machine.travel(time.time(), tick=False) as clock:
        budget = rate_budget()
        for _ in range(100):  # agents opening driver pages: 100 requests in ten minutes
            budget.spend(staff=True)

        waiting = pump(job)

        job.refresh_from_db()
        assert waiting.again and 0 < waiting.countdown <= 300
        assert job.waiting_reason.startswith("staff come first")
        assert posts_by_email(bulk_api) == {}  # staff got every request they wanted
        html = client_as("bulk_operator").get(f"/bulk/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
        assert "Waiting: staff come first" in html and "Resumes about" in html and "time left" not in html

        clock.shift(601)  # their spending has aged out of the lookback
        for _ in range(5):
            if not pump(job).again:
                break

    job.refresh_from_db()
    assert job.status == BulkJob.Status.FINISHED and not job.waiting_reason
    assert set(job.rows.values_list("state", flat=True)) == {BulkRow.State.CREATED}
    assert posts_by_email(bulk_api) == {f"q{n}@{domain}": 1 for n in range(5)}
