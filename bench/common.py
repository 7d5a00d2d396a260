"""What every benchmark section shares: the run's context, sandbox processes, a throwaway PostgreSQL
database, statistics, the result tables the runner turns into markdown, and bulk jobs on a real
Celery worker. (The worker process and waiting for it are tests/processes.py's, shared with the suite.)

Everything a run touches lives in its own temporary work directory (SQLite files, the file broker,
each sandbox's database and logs) or in a throwaway PostgreSQL database and the Redis databases
named by the environment; bench/run.py sets that up before Django starts.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from evadmin.sandbox.process import SandboxProcess, start_sandbox
from tests.processes import CeleryWorker

REPO = Path(__file__).resolve().parents[1]
# A run's API limit when a section does not measure against a specific one: high enough that the
# budget never holds a measurement back.
UNLIMITED_PER_HOUR = 10_000_000


# --- results ---------------------------------------------------------------------------------
@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells) -> None:
        self.rows.append([str(cell) for cell in cells])


@dataclass
class SectionResult:
    key: str  # the --only name
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "what: why" for each row not measured
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    raw: dict = field(default_factory=dict)  # the figures, for tests and other sections


# --- statistics ------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): with 30 samples, the second largest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def goal_note(met: bool, goal: str) -> str:
    return f"goal {goal}: met" if met else f"**goal {goal}: missed**"


# --- the run's context -------------------------------------------------------------------------
@dataclass
class Context:
    workdir: Path
    quick: bool
    database: str  # "postgresql" or "sqlite"
    redis_url: str  # "" when Redis is not used
    services_note: str
    shared: dict = field(default_factory=dict)  # work one section did that another reuses
    _sandboxes: list = field(default_factory=list)

    @property
    def postgres(self) -> bool:
        return self.database == "postgresql"

    def command(self, section: str) -> str:
        return f"`python -m bench.run --only {section}{' --quick' if self.quick else ''}`"

    def sandbox(self, name: str, *, seed_users: int, rate_limit_per_hour: int = UNLIMITED_PER_HOUR,
                history: bool = True) -> SandboxProcess:
        sandbox = start_bench_sandbox(self.workdir / f"sandbox-{name}", seed_users=seed_users,
                                      rate_limit_per_hour=rate_limit_per_hour, history=history)
        self._sandboxes.append(sandbox)
        return sandbox

    def close(self) -> None:
        for sandbox in self._sandboxes:
            sandbox.stop()
        self._sandboxes.clear()


def sign_in_client(role: str = "admin"):
    """A django.test.Client signed in as a new staff member with `role` (force_login: no throttling)."""
    from django.test import Client

    from evadmin.staff.services import staff_member_create

    staff = staff_member_create(username=f"bench-{role}-{time.time_ns()}", password="bench-" + "x" * 20,
                                roles=[role])
    client = Client()
    client.force_login(staff)
    return client, staff


def point_evadmin_at(sandbox: SandboxProcess, *, rate_limit_per_hour: int = UNLIMITED_PER_HOUR) -> None:
    """This process's settings, client, token cache and budget, for `sandbox`; an empty directory.

    The directory (and its sync history) held another sandbox's accounts: a section starts without it.
    """
    from django.conf import settings

    from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
    from tests.evenergy.api_state import reset_api_state

    settings.EVADMIN_API_BASE_URL = sandbox.base_url
    settings.EVADMIN_API_TOKEN_URL = sandbox.token_url
    settings.EVADMIN_API_TOKEN = ""
    settings.EVADMIN_API_RATE_LIMIT_PER_HOUR = rate_limit_per_hour
    reset_api_state()
    DirectoryAccount.objects.all().delete()
    DirectorySync.objects.all().delete()


# --- a throwaway PostgreSQL database ----------------------------------------------------------
def database_url_named(url: str, name: str) -> str:
    """`url` with its database name replaced by `name`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextlib.contextmanager
def throwaway_postgres(server_url: str, name: str) -> Iterator[str]:
    """A fresh database `name` on the PostgreSQL server of `server_url` (the URL of any database on
    it), dropped on the way out whatever happens (one left by a killed run is dropped first); its URL."""
    import psycopg
    from psycopg import sql

    maintenance = database_url_named(server_url, "postgres").replace("postgres://", "postgresql://", 1)

    def run(statement: sql.Composed) -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(statement)

    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url_named(server_url, name)
    finally:
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- the sandbox API process -------------------------------------------------------------------
def start_bench_sandbox(folder: Path, *, seed_users: int, rate_limit_per_hour: int,
                        history: bool = True) -> SandboxProcess:
    """`manage.py seedsandbox` then `runsandbox` on a database file of its own in `folder`; history=False
    seeds users and devices only (a month of history is ~120 records a driver: 15 GB at 100,000)."""
    from django.conf import settings

    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "sandbox.sqlite3"
    env = {**os.environ, "EVADMIN_SANDBOX_DB": str(db_path),
           "EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR": str(rate_limit_per_hour)}
    subprocess.run([sys.executable, "manage.py", "seedsandbox", "--users", str(seed_users), "--seed", "1", "--reset",
                    *([] if history else ["--without-history"])],
                   cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return start_sandbox(env=env, log_path=folder / "sandbox.log", db_path=db_path, seed_users=seed_users,
                         client_id=settings.EVADMIN_API_CLIENT_ID, client_secret=settings.EVADMIN_API_CLIENT_SECRET)


# --- the directory and bulk jobs on a real worker -------------------------------------------------
def start_bench_worker(ctx: Context, sandbox: SandboxProcess, *, name: str, rate_limit_per_hour: int) -> CeleryWorker:
    """One Celery worker with one pool process, against this run's database and broker (the environment
    bench/run.py set) and `sandbox`, with evadmin's hourly limit; its output goes to `<name>-worker.log`."""
    worker = CeleryWorker("--loglevel", "INFO", "--concurrency", "1", "--without-gossip", "--without-mingle",
                          "--hostname", f"bench-{os.getpid()}-{time.time_ns()}@%h", env=dict(os.environ),
                          log_path=ctx.workdir / f"{name}-worker.log")
    return worker.start(timeout=90, error=RuntimeError, EVADMIN_API_BASE_URL=sandbox.base_url,
                        EVADMIN_API_TOKEN_URL=sandbox.token_url, EVADMIN_API_RATE_LIMIT_PER_HOUR=str(rate_limit_per_hour))


def new_account_rows(count: int, *, prefix: str, domain: str) -> list[dict]:
    """`count` rows for accounts nobody has yet (`<prefix>00001@<domain>`), each with a valid address."""
    from tests.bulk.factories import address

    return [{"email": f"{prefix}{n:05d}@{domain}", **address()} for n in range(count)]


def bulk_job_submit_rows(rows: list[dict], *, operator, on_preview=None) -> object:
    """A job uploaded through the real import service and submitted as Start on the preview does;
    `on_preview(job)` is called with the draft first (what the preview page reads)."""
    import io

    from evadmin.bulk import services
    from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
    from tests.bulk.factories import csv_bytes

    job = bulk_job_create_from_upload(file=io.BytesIO(csv_bytes(rows)), file_name="bench.csv", actor=operator)
    if on_preview is not None:
        on_preview(job)
    return services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=False)
