"""The sync task on real Celery workers: started from the "Sync now" button, and killed mid-way."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.sync import STALE_AFTER
from evadmin.driver_directory.tasks import directory_sync_step
from tests.conftest import sent
from tests.processes import CeleryWorker, wait_for
from tests.worker import worker_env

pytestmark = pytest.mark.worker

KILL_QUEUE = "directory-kill-test"  # only our own, doomed worker takes tasks from it




def test_sync_now_runs_a_full_sync_on_the_worker(celery_worker_process, transactional_db, directory_api, client_as):
    response = client_as("admin").post("/directory/sync/", {"kind": "full"})
    assert response.status_code == 302
    sync = DirectorySync.objects.get()
    assert sync.started_by.get_username() == "admin-member"

    wait_for(lambda: DirectorySync.objects.filter(pk=sync.pk, status="complete").exists(), timeout=60,
             message=lambda: "sync did not complete; worker log:\n" + celery_worker_process.output()[-3000:])
    sync.refresh_from_db()
    assert (sync.kind, sync.requests_spent, sync.accounts_seen) == ("full", 3, 250)
    assert DirectoryAccount.objects.count() == 250
    assert len(sent(directory_api, "GET", "/v2/users")) == 3


@pytest.fixture
def doomed_worker(transactional_db, sandbox, suite_broker):
    """A Celery worker of our own (solo pool: the task runs in the process we kill)."""
    worker = CeleryWorker("--loglevel", "INFO", "--pool", "solo", "--queues", KILL_QUEUE, "--without-gossip",
                          "--without-mingle", "--hostname", f"doomed-{os.getpid()}@%h",
                          env=worker_env(sandbox, suite_broker))
    yield worker.start()
    worker.kill()


def test_a_worker_killed_mid_sync_leaves_a_checkpoint_another_worker_resumes(
    doomed_worker, celery_worker_process, transactional_db, directory_api
):
    directory_api.faults(latency_ms=1500)  # a page every 1.5 s: time to kill the worker between pages
    directory_sync_step.apply_async(kwargs={"kind": "full"}, queue=KILL_QUEUE)

    wait_for(lambda: DirectorySync.objects.filter(status="running", accounts_seen__gte=100).exists(), timeout=60,
             message=lambda: "no page was stored; worker log:\n" + "".join(doomed_worker.log)[-3000:])
    doomed_worker.kill()

    killed = DirectorySync.objects.get(status="running")
    assert killed.claim_token and 100 <= killed.accounts_seen < 250
    assert DirectoryAccount.objects.count() == killed.accounts_seen
    assert killed.cursor == DirectoryAccount.objects.order_by("-user_id").first().user_id
    directory_api.reset()  # faults off, request log empty
    # Two minutes later (STALE_AFTER) the next beat tick, on a healthy worker, finds it abandoned.
    DirectorySync.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    directory_sync_step.delay(kind="incremental")

    wait_for(lambda: DirectorySync.objects.filter(pk=killed.pk, status="complete").exists(), timeout=60,
             message=lambda: "not resumed; worker log:\n" + celery_worker_process.output()[-3000:])
    pages = [parse_qs(entry["query"]) for entry in sent(directory_api, "GET", "/v2/users")]
    assert pages[0]["page_after"] == [killed.cursor]  # from the checkpoint, not from the start
    assert len(pages) == 3 - killed.accounts_seen // 100
    assert DirectoryAccount.objects.count() == 250
    assert DirectorySync.objects.count() == 1  # the same run, continued
