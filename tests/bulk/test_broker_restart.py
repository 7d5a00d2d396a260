"""A job on a real worker whose broker, a private Redis, is restarted mid-job: no row is lost.

The machine's shared Redis (CI, other sessions) is never touched: the test starts its own
redis-server on a free port, without persistence (`--save "" --appendonly no`), so a restart
loses every queued and unacknowledged message, as a Redis crash without a disk would. The
rows are the source of truth: the worker reconnects, beat's watchdog (run here by
until_finished) revives the pump chain whose message was lost, and every row ends created once.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from kombu import Connection

from evadmin.bulk.models import BulkJob
from tests.bulk.conftest import posts_by_email, unique_domain
from tests.bulk.test_worker import assert_no_duplicates, created, start_job, until_finished
from tests.conftest import require_service
from tests.processes import free_port, wait_for

pytestmark = pytest.mark.worker


class PrivateRedis:
    def __init__(self, port: int) -> None:
        self.port, self.process = port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=10, message=lambda: f"redis-server on port {self.port} did not start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # a crash: nothing saved, every message gone
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        require_service("redis-server is not installed (needed for the Redis-restart test)")
    redis = PrivateRedis(free_port())
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def on_private_redis(private_redis, bulk_worker, monkeypatch):
    """The worker and this process's enqueues (Start, the watchdog) both use the private Redis."""
    from evadmin.bulk import tasks
    from evadmin.bulk.run import chain

    bulk_worker.app = "tests.bulk.short_slices"  # half-second slices: each re-queues through Redis
    bulk_worker.env["EVADMIN_TEST_SLICE_SECONDS"] = "0.5"
    bulk_worker.env["CELERY_BROKER_URL"] = private_redis.url
    bulk_worker.env.pop("EVADMIN_CELERY_BROKER_DIR", None)

    def enqueue(*, job_id: int, pump_id: str, countdown: float = 0.0) -> None:
        with Connection(private_redis.url, transport_options={"visibility_timeout": 7200}) as conn:
            tasks.bulk_job_pump.apply_async(kwargs={"job_id": job_id, "pump_id": pump_id}, countdown=countdown,
                                        queue=bulk_worker.queue, connection=conn)

    monkeypatch.setattr(chain, "bulk_pump_enqueue", enqueue)
    return private_redis


def test_redis_restarted_mid_job_loses_no_row(on_private_redis, bulk_worker, bulk_api, upload, operator):
    domain = unique_domain()
    emails = [f"r{n:03d}@{domain}" for n in range(150)]
    bulk_api.faults(latency_ms=20)  # slow enough to restart Redis mid-way
    bulk_worker.start()
    job = start_job(upload, operator, emails)
    wait_for(lambda: created(job) >= 30, timeout=60, message=bulk_worker.output)
    on_private_redis.stop()
    time.sleep(2.0)  # slices end meanwhile: their next runs cannot be queued, and the queue is wiped
    on_private_redis.start()
    assert created(job) < 150, "the job finished before the restart: nothing was tested"
    job = until_finished(job, bulk_worker, timeout=180)
    bulk_api.faults(latency_ms=0)
    assert job.status == BulkJob.Status.FINISHED, bulk_worker.output()
    assert job.rows.count() == 150
    # The worker really lost its broker mid-job (and the restart wiped the queue with it).
    assert "Connection to broker lost" in "".join(bulk_worker.log), bulk_worker.output()
    assert_no_duplicates(job, bulk_api, domain, emails)
    assert posts_by_email(bulk_api) == dict.fromkeys(emails, 1)
