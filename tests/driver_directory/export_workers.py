"""A Celery worker for export jobs on a queue of the test's own, for tests/driver_directory and tests/e2e."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.processes import CeleryWorker
from tests.worker import worker_env


@pytest.fixture
def export_worker(transactional_db, sandbox, suite_broker, settings):
    """A worker taking only this test's export queue (the test process queues exports there too)."""
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    settings.EVADMIN_EXPORT_QUEUE = queue
    worker = CeleryWorker("--loglevel", "INFO", "--pool", "solo", "--queues", queue, "--without-gossip",
                          "--without-mingle", "--hostname", f"exports-{os.getpid()}@%h",
                          env=worker_env(sandbox, suite_broker, EVADMIN_EXPORT_QUEUE=queue))
    yield worker.start()
    worker.stop()
