"""Celery workers of the bulk tests' own, on a private queue, that a test can kill and start again.

`bulk_worker.start(**env)` runs `celery worker` (prefork, one pool child) against the test
database and the sandbox, taking only pump tasks of the test's queue; `kill_child()` SIGKILLs
the pool process (the main process starts another and, with reject_on_worker_lost, gets the
task back), `kill_main()` SIGKILLs the main process and its child (the task is lost with the
filesystem broker: beat's watchdog revives the job, which `watchdog()` does here, as beat would).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.worker import REPO, _database_url

STALE_SECONDS = 4.0


def wait_for(condition, *, timeout: float, message=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, message()
        time.sleep(0.2)


class BulkWorker:
    def __init__(self, base_env: dict, queue: str) -> None:
        self.base_env = base_env
        self.queue = queue
        self.process: subprocess.Popen | None = None
        self.log: list[str] = []
        self.app = "evadmin"  # the Celery app module the worker loads (tests/bulk/short_slices.py wraps it)

    def start(self, **env: str) -> BulkWorker:
        ready = threading.Event()
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", self.app, "worker", "--loglevel", "INFO", "--pool", "prefork",
             "--concurrency", "1", "--queues", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"bulk-{uuid.uuid4().hex[:6]}@%h"],
            cwd=REPO, env={**self.base_env, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )

        def pump() -> None:
            for line in process.stdout:
                self.log.append(line)
                if " ready." in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        wait_for(lambda: ready.is_set() or process.poll() is not None, timeout=60, message=self.output)
        assert process.poll() is None, "the worker did not start:\n" + self.output()
        self.process = process
        return self

    def output(self) -> str:
        return "".join(self.log)[-4000:]

    def child_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_child(self) -> None:
        children = wait_for(self.child_pids, timeout=10, message=lambda: "no pool process")
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    def kill_main(self) -> None:
        """SIGKILL the main process (and then its orphaned pool child, as a machine crash would)."""
        children = self.child_pids()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def bulk_worker(transactional_db, sandbox, suite_broker, settings):
    """A BulkWorker on a queue of this test's own; the test process enqueues to that queue too."""
    queue = f"bulk-test-{uuid.uuid4().hex[:8]}"
    settings.EVADMIN_BULK_QUEUE = queue
    settings.EVADMIN_BULK_STALE_SECONDS = STALE_SECONDS
    env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
           "EVADMIN_API_BASE_URL": sandbox.base_url, "EVADMIN_API_TOKEN_URL": sandbox.token_url,
           "EVADMIN_API_CLIENT_ID": sandbox.client_id, "EVADMIN_API_CLIENT_SECRET": sandbox.client_secret,
           "EVADMIN_BULK_QUEUE": queue, "EVADMIN_BULK_STALE_SECONDS": str(STALE_SECONDS), "PYTHONUNBUFFERED": "1"}
    if suite_broker is not None:
        env["EVADMIN_CELERY_BROKER_DIR"] = str(suite_broker)
    worker = BulkWorker(env, queue)
    yield worker
    worker.stop()
