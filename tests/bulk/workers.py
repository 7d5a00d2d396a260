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
import uuid
from pathlib import Path

import pytest

from tests.processes import CeleryWorker, wait_for
from tests.worker import worker_env

STALE_SECONDS = 4.0


class BulkWorker(CeleryWorker):
    """`app` is the Celery app module the worker loads (tests/bulk/short_slices.py wraps evadmin's)."""

    def __init__(self, env: dict, queue: str) -> None:
        super().__init__(env=env)
        self.queue = queue

    def start(self, **env: str) -> BulkWorker:
        self.options = ["--loglevel", "INFO", "--pool", "prefork", "--concurrency", "1", "--queues", self.queue,
                        "--without-gossip", "--without-mingle", "--without-heartbeat",
                        "--hostname", f"bulk-{uuid.uuid4().hex[:6]}@%h"]
        return super().start(**env)

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


@pytest.fixture
def bulk_worker(transactional_db, sandbox, suite_broker, settings):
    """A BulkWorker on a queue of this test's own; the test process enqueues to that queue too."""
    queue = f"bulk-test-{uuid.uuid4().hex[:8]}"
    settings.EVADMIN_BULK_QUEUE = queue
    settings.EVADMIN_BULK_STALE_SECONDS = STALE_SECONDS
    worker = BulkWorker(worker_env(sandbox, suite_broker, EVADMIN_BULK_QUEUE=queue,
                                   EVADMIN_BULK_STALE_SECONDS=str(STALE_SECONDS)), queue)
    yield worker
    worker.stop()
