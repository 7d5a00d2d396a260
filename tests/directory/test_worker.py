"""The sync task on real Celery workers: started from the "Sync now" button, and killed mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.utils import timezone

from evadmin.directory.models import DirectoryAccount, DirectorySync
from evadmin.directory.sync import STALE_AFTER
from evadmin.directory.tasks import directory_sync_step
from tests.bulk.workers import wait_for
from tests.conftest import sent
from tests.worker import REPO, _database_url

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
    env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
           "EVADMIN_API_BASE_URL": sandbox.base_url, "EVADMIN_API_TOKEN_URL": sandbox.token_url,
           "EVADMIN_API_CLIENT_ID": sandbox.client_id, "EVADMIN_API_CLIENT_SECRET": sandbox.client_secret,
           "PYTHONUNBUFFERED": "1"}
    if suite_broker is not None:
        env["EVADMIN_CELERY_BROKER_DIR"] = str(suite_broker)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "evadmin", "worker", "--loglevel", "INFO", "--pool", "solo",
         "--queues", KILL_QUEUE, "--without-gossip", "--without-mingle", "--hostname", f"doomed-{os.getpid()}@%h"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def pump():
        for line in process.stdout:
            log.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    wait_for(lambda: ready.is_set() or process.poll() is not None, timeout=60, message=lambda: "".join(log)[-3000:])
    assert process.poll() is None, "the worker did not start:\n" + "".join(log)[-3000:]
    process.log = log
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def test_a_worker_killed_mid_sync_leaves_a_checkpoint_another_worker_resumes(
    doomed_worker, celery_worker_process, transactional_db, directory_api
):
    directory_api.faults(latency_ms=1500)  # a page every 1.5 s: time to kill the worker between pages
    directory_sync_step.apply_async(kwargs={"kind": "full"}, queue=KILL_QUEUE)

    wait_for(lambda: DirectorySync.objects.filter(status="running", accounts_seen__gte=100).exists(), timeout=60,
             message=lambda: "no page was stored; worker log:\n" + "".join(doomed_worker.log)[-3000:])
    os.killpg(doomed_worker.pid, signal.SIGKILL)
    doomed_worker.wait(timeout=20)

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
