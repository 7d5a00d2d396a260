"""Celery workers of the bulk tests' own, on a private queue, that a test can kill and start again.

`bulk_worker.start(**env)` runs `celery worker` (prefork, one pool child) against the test
database and the sandbox, taking only pump tasks of the test's queue; `kill_child()` SIGKILLs
the pool process (the main process starts another and, with reject_on_worker_lost, gets the
task back), `kill()` SIGKILLs the main process and its child (the task is lost with the
filesystem broker: beat's watchdog revives the job, which a `bulk_watchdog()` tick does here).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
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


def bulk_watchdog(*, every: float = 60.0) -> Callable[[], None]:
    """beat's watchdog as a `wait_for` tick: revives stalled bulk jobs every `every` seconds (beat: a minute)."""
    last = time.monotonic()

    def tick() -> None:
        from evadmin.bulk.run import chain  # bench/ imports this module before Django is set up

        nonlocal last
        if time.monotonic() - last > every:
            chain.bulk_jobs_revive()
            last = time.monotonic()

    return tick


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
