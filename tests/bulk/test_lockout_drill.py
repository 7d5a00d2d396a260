"""The lockout drill (issue "People first"): while an onboarding job larger than its share runs on a
real worker, an agent opens 100 drivers' pages and then views them all again. No page answers 429
or shows an error; every page shows its driver, live or from evadmin's own copy with its age; the
job takes nothing staff need, fails no row, duplicates none, and finishes once room returns.

Once, a 500-row job took its 80% and an agent's 60 driver pages used the rest: then every page of
evadmin answered 429 for 41 minutes. The limits are scaled down (400 an hour) so this runs in a minute.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import Client

from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import chain
from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.evenergy.ratelimit import rate_budget
from tests.bulk.conftest import unique_domain
from tests.bulk.test_worker import start_job
from tests.evenergy.api_state import reset_api_state
from tests.processes import wait_for
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.worker

LIMIT = 400  # requests an hour, on both sides (the real one: 1,000)
ROWS = 600  # more than the bulk share of an hour (80% of 400 = 320)
DRIVERS = 100
LATENCY_MS = 30
LIVE, CACHED, LOCAL_COPY = "Live from the API just now", "Read from the API", "Live data is unavailable"


def moved_window(bulk_api, log: list[dict]) -> None:
    """The hour has passed (for both the API and evadmin): keep the API's log so far, start afresh."""
    log.extend(entry for entry in bulk_api.requests() if entry["path"].startswith("/v2"))
    bulk_api.reset()
    bulk_api.faults(rate_limit_per_hour=LIMIT, latency_ms=LATENCY_MS)
    rate_budget().clear()


def test_staff_are_never_locked_out_while_a_job_runs_at_full_share(bulk_worker, bulk_api, upload, operator, settings):
    bulk_api.reset(data=True)
    # Every answer 30 ms late, as a real API's would be: the job and the agent then go at like speeds.
    bulk_api.faults(rate_limit_per_hour=LIMIT, latency_ms=LATENCY_MS)
    settings.EVADMIN_API_RATE_LIMIT_PER_HOUR = LIMIT
    reset_api_state()
    directory_sync_step(kind="full")  # last night's sync: evadmin's own copy of every driver
    drivers = list(DirectoryAccount.objects.order_by("user_id").values_list("user_id", "email")[:DRIVERS])
    agent = Client()
    agent.force_login(make_staff("viewer", username="drill-agent"))
    domain = unique_domain()
    emails = [f"drill{n:03d}@{domain}" for n in range(ROWS)]
    bulk_worker.start(EVADMIN_API_RATE_LIMIT_PER_HOUR=str(LIMIT))
    job = start_job(upload, operator, emails)
    wait_for(lambda: job.rows.filter(state=BulkRow.State.CREATED).exists(), timeout=60, message=bulk_worker.output)

    answers, ages = [], []
    for view in ("first", "repeat"):
        for user_id, email in drivers:
            page = agent.get(f"/users/{user_id}/")
            devices = agent.get(f"/users/{user_id}/devices/", HTTP_HX_REQUEST="true")
            answers.append((view, user_id, page.status_code, devices.status_code))
            html = page.content.decode()
            assert email in html, (view, user_id, html[:2000])
            ages.append((view, next((shown for shown in (LIVE, CACHED, LOCAL_COPY) if shown in html), None)))

    assert [answer for answer in answers if answer[2:] != (200, 200)] == []  # no 429, no error page
    # The job never took what the agent needed: every first view was live, every repeat from the cache.
    assert ages == [("first", LIVE)] * DRIVERS + [("repeat", CACHED)] * DRIVERS
    assert rate_budget().used(staff=True) == 3 * DRIVERS  # the driver, vehicles and chargers, once each
    job.refresh_from_db()
    assert job.status == BulkJob.Status.RUNNING and job.rows.filter(state=BulkRow.State.PENDING).exists()

    log: list[dict] = []
    for _ in range(4):  # the hour passes (as often as it takes): the job carries on by itself
        job.refresh_from_db()
        if job.status in BulkJob.FINAL_STATUSES:
            break
        moved_window(bulk_api, log)
        with transaction.atomic():
            chain.bulk_pump_chain_new(job=job)  # its queued continuation would come later: wake it now
        wait_for(lambda: _settled_or_waiting(job), timeout=120, every=0.5, message=bulk_worker.output)
    log.extend(entry for entry in bulk_api.requests() if entry["path"].startswith("/v2"))

    job.refresh_from_db()
    assert job.status == BulkJob.Status.FINISHED, (job.status, job.waiting_reason, bulk_worker.output())
    assert set(job.rows.values_list("state", flat=True)) == {BulkRow.State.CREATED}
    posts = [entry for entry in log if entry["method"] == "POST"]
    assert len(posts) == ROWS  # one POST per email, none twice
    assert [entry for entry in log if entry["status"] == 429] == []


def _settled_or_waiting(job: BulkJob) -> bool:
    job.refresh_from_db()
    if job.status in BulkJob.FINAL_STATUSES:
        return True
    time.sleep(1.0)
    still = BulkJob.objects.get(pk=job.pk)
    return bool(still.waiting_reason) and still.requests_spent == job.requests_spent
