"""PostgreSQL stopped and started while staff browse and a bulk job runs: 503 pages, then recovery.

The machine's shared PostgreSQL is never touched: the test runs a private cluster (initdb in a
temporary folder, its own port and socket folder), migrates it, and runs the real processes against
it: gunicorn (as Procfile.dev), a Celery worker and beat, on a filesystem broker of their own, with
the session's sandbox as the API. A staff member signs in over HTTP, uploads and starts a job of
200 rows; PostgreSQL is stopped mid-job (`-m fast`, and `-m immediate` like a crash): pages answer the
friendly 503 (htmx requests a banner for #flash) promptly; once it is back pages answer 200 at once
(CONN_HEALTH_CHECKS replaces the persistent connections the restart broke) and the job finishes
with every email POSTed exactly once.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
import requests

from evadmin.sandbox.process import stop_process
from tests.bulk.conftest import posts_by_email, sandbox_users_by_email, unique_domain
from tests.bulk.factories import address, csv_bytes
from tests.bulk.workers import BulkWorker
from tests.conftest import require_service
from tests.processes import free_port, wait_for
from tests.worker import REPO

pytestmark = pytest.mark.worker

PASSWORD = "outage-test-password-1"
ROWS = 200
PAGE_TIMEOUT = 10  # seconds: a page during the outage must answer, not hang on the database
OUTAGE_TEXT = "The database is unavailable, try again shortly."


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; the packaged "postgres" system user runs them.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self, bin_dir: Path, work: Path) -> None:
        self.bin_dir, self.work = bin_dir, work
        self.data, self.sockets, self.log = work / "data", work / "sockets", work / "postgres.log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/evadmin"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin_dir / tool), *args]), check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE evadmin")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/evadmin", connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def private_postgres():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        require_service("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed")
    work = Path(tempfile.mkdtemp(prefix="evadmin-pg-"))
    postgres = PrivatePostgres(Path(found[-1]).parent, work)
    try:
        postgres.init()
        yield postgres
    finally:
        if postgres.running():
            postgres.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)


class Processes:
    """gunicorn, a Celery worker and beat against the private database; stopped at the end."""

    def __init__(self, env: dict, work: Path) -> None:
        self.env, self.work = env, work
        self.web: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.web_log: list[str] = []
        self.worker = BulkWorker(env, env["EVADMIN_BULK_QUEUE"])
        self.web_port = free_port()
        self.origin = f"http://127.0.0.1:{self.web_port}"

    def manage(self, *args: str) -> None:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    def _logged(self, command: list[str], log: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=lambda: log.extend(process.stdout), daemon=True).start()
        return process

    def start(self) -> None:
        self.web = self._logged([sys.executable, "-m", "gunicorn", "evadmin.wsgi", "--bind",
                                 f"127.0.0.1:{self.web_port}", "--workers", "1", "--threads", "4",
                                 "--access-logfile", "-"], self.web_log)
        self.beat = self._logged([sys.executable, "-m", "celery", "--app", "evadmin", "beat", "--loglevel", "INFO",
                                  "--schedule", str(self.work / "celerybeat-schedule")], [])
        self.worker.start()
        wait_for(self._web_answers, timeout=60, message=self.output)

    def _web_answers(self) -> bool:
        assert self.web.poll() is None, self.output()
        try:
            return requests.get(f"{self.origin}/accounts/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def output(self) -> str:
        return "web:\n" + "".join(self.web_log)[-3000:] + "\nworker:\n" + self.worker.output()

    def stop(self) -> None:
        self.worker.stop()
        for process in (self.web, self.beat):
            if process:
                stop_process(process, grace=20)


# One cluster and one set of processes for both stop modes: setting them up costs more than a run.
@pytest.fixture(scope="module")
def evadmin_on_private_postgres(private_postgres, sandbox, sandbox_reseeded_after_bulk):
    work = private_postgres.work
    queue = f"outage-{uuid.uuid4().hex[:6]}"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update({
        # Without REDIS_URL the token cache and the rate budget live in the database too: the harshest case.
        "DATABASE_URL": private_postgres.url, "EVADMIN_VAR_DIR": str(work / "var"),
        "CELERY_BROKER_URL": "filesystem://", "EVADMIN_CELERY_BROKER_DIR": str(work / "broker"),
        "EVADMIN_API_BASE_URL": sandbox.base_url, "EVADMIN_API_TOKEN_URL": sandbox.token_url,
        "EVADMIN_API_CLIENT_ID": sandbox.client_id, "EVADMIN_API_CLIENT_SECRET": sandbox.client_secret,
        "EVADMIN_BULK_QUEUE": queue, "EVADMIN_BULK_STALE_SECONDS": "4", "PYTHONUNBUFFERED": "1",
        "EVADMIN_DIRECTORY_INCREMENTAL_MINUTES": "0", "EVADMIN_DIRECTORY_FULL_SYNC_AT": "",
        "EVADMIN_REPORTS_SCHEDULE": "",
    })
    processes = Processes(env, work)
    processes.manage("migrate", "--noinput")
    processes.manage("createcachetable")
    processes.manage("shell", "-c", (
        "from evadmin.staff.services import staff_member_create; "
        f"staff_member_create(username='outage-admin', password='{PASSWORD}', roles=['admin'])"))
    try:
        processes.start()
        yield processes
    finally:
        processes.stop()


def signed_in(processes: Processes) -> requests.Session:
    origin, session = processes.origin, requests.Session()
    session = requests.Session()
    session.get(f"{origin}/accounts/login/", timeout=PAGE_TIMEOUT).raise_for_status()
    response = session.post(f"{origin}/accounts/login/", timeout=PAGE_TIMEOUT, data={
        "username": "outage-admin", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 200 and "Signed in as" in response.text, processes.output()
    return session


def start_job(session: requests.Session, origin: str, emails: list[str]) -> int:
    csrf = {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
    content = csv_bytes([{"email": email, **address()} for email in emails])
    response = session.post(f"{origin}/bulk/", data=csrf, files={"file": ("drivers.csv", content, "text/csv")},
                            timeout=60)
    match = re.search(r"/bulk/jobs/(\d+)/$", response.url)
    assert response.status_code == 200 and match, response.text[:2000]
    job_id = int(match.group(1))
    response = session.post(f"{origin}/bulk/jobs/{job_id}/start/", data={**csrf, "existing_policy": "skip"},
                            timeout=PAGE_TIMEOUT)
    assert response.status_code == 200 and f"Job {job_id} is queued." in response.text, response.text[:2000]
    return job_id


def pages(job_id: int) -> list[tuple[str, dict]]:
    """Pages an agent has open: full pages, and htmx fragments (progress polling, search paging)."""
    htmx = {"HX-Request": "true"}
    return [
        ("/", {}), ("/users/?q=example", {}), ("/bulk/jobs/", {}), (f"/bulk/jobs/{job_id}/", {}),
        ("/audit/", {}), (f"/bulk/jobs/{job_id}/progress/", htmx), ("/users/?q=example&page=2", htmx),
    ]


@pytest.mark.parametrize("stop_mode", ["fast", "immediate"])
def test_postgres_restarted_mid_job(evadmin_on_private_postgres, private_postgres, sandbox_api, stop_mode):
    processes, origin = evadmin_on_private_postgres, evadmin_on_private_postgres.origin
    domain = unique_domain()
    emails = [f"pg{n:03d}@{domain}" for n in range(ROWS)]
    session = signed_in(processes)
    sandbox_api.faults(latency_ms=25)  # slow enough that the job is mid-way when the database goes
    job_id = start_job(session, origin, emails)

    def created() -> int:
        return private_postgres.query(
            "SELECT count(*) FROM bulk_bulkrow WHERE job_id = %s AND state = 'created'", (job_id,))[0][0]

    wait_for(lambda: created() >= 20, timeout=90, message=processes.output)
    for path, headers in pages(job_id):
        assert session.get(origin + path, headers=headers, timeout=PAGE_TIMEOUT).status_code == 200, path

    def worker_outage_errors() -> int:
        return "".join(processes.worker.log).count("OperationalError")

    errors_before = worker_outage_errors()
    private_postgres.stop(stop_mode)
    for path, headers in pages(job_id):
        response = session.get(origin + path, headers=headers, timeout=PAGE_TIMEOUT)
        assert response.status_code == 503, (path, response.status_code, response.text[:1000])
        assert OUTAGE_TEXT in response.text, (path, response.text[:1000])
        assert "Traceback" not in response.text
        if headers:  # htmx: a banner swapped into #flash, not a whole page inside the fragment's target
            assert response.headers["HX-Retarget"] == "#flash", path
            assert "<html" not in response.text, path
        else:
            assert "<html" in response.text, path
    wait_for(lambda: worker_outage_errors() > errors_before, timeout=30,
             message=lambda: "the worker never met the outage:\n" + processes.output())
    private_postgres.start()
    assert created() < ROWS, "the job finished before the outage: nothing was tested"

    for path, headers in pages(job_id):
        response = session.get(origin + path, headers=headers, timeout=PAGE_TIMEOUT)
        assert response.status_code == 200, (path, response.status_code, response.text[:1000])
    # The worker and beat outlived the outage, and the job resumed on its own (beat's watchdog included).
    def diagnosis() -> str:
        states = private_postgres.query(
            "SELECT state, count(*) FROM bulk_bulkrow WHERE job_id = %s GROUP BY state", (job_id,))
        job = private_postgres.query("SELECT status, pump_id, claim_token, heartbeat_at, due_at "
                                     "FROM bulk_bulkjob WHERE id = %s", (job_id,))
        problems = [line for line in processes.worker.log if any(word in line for word in ("ERROR", "WARNING", "Retry"))]
        return f"job {job}, rows {states}\n" + "".join(problems[-30:]) + processes.output()

    wait_for(lambda: private_postgres.query("SELECT status FROM bulk_bulkjob WHERE id = %s", (job_id,))[0][0]
             in ("finished", "failed", "cancelled"), timeout=120, message=diagnosis)
    sandbox_api.faults(latency_ms=0)
    assert processes.worker.process.poll() is None and processes.beat.poll() is None, processes.output()
    status, = private_postgres.query("SELECT status FROM bulk_bulkjob WHERE id = %s", (job_id,))[0]
    assert status == "finished", processes.output()
    assert created() == ROWS
    assert posts_by_email(sandbox_api) == dict.fromkeys(emails, 1)
    assert sandbox_users_by_email(sandbox_api, domain) == dict.fromkeys(emails, 1)
    # A restart that no request saw: the web server's pooled connections are dead, yet the first
    # request on each answers 200 (CONN_HEALTH_CHECKS pings and replaces them; without it each
    # thread's first request after the restart would fail once).
    for _ in range(2):  # more requests than gunicorn has threads, so each thread holds a connection
        for path, headers in pages(job_id):
            session.get(origin + path, headers=headers, timeout=PAGE_TIMEOUT).raise_for_status()
    private_postgres.stop(stop_mode)
    private_postgres.start()
    for path, headers in pages(job_id) * 2:
        response = session.get(origin + path, headers=headers, timeout=PAGE_TIMEOUT)
        assert response.status_code == 200, (path, response.status_code, response.text[:1000])
    # No request of the whole run was answered 500 (gunicorn's access log: '"GET /path HTTP/1.1" 503 ...').
    statuses = [int(match) for match in re.findall(r'HTTP/1\.[01]" (\d{3}) ', "".join(processes.web_log))]
    assert statuses.count(503) >= len(pages(job_id)) and 500 not in statuses, processes.output()
