"""A real Celery worker process for the suite, on a broker and database of the suite's own.

The worker runs `celery --app evadmin worker` in a subprocess against the *test* database
(so tests using it need `transactional_db`: the worker only sees committed rows) and the
sandbox API. Without CELERY_BROKER_URL the broker is kombu's filesystem transport in a
temporary folder, so a developer's `make run` worker never takes the suite's tasks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.processes import CeleryWorker

REPO = Path(__file__).resolve().parents[1]


def _database_url(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session", autouse=True)
def suite_broker():
    """Point this process's Celery at the suite's own broker folder (filesystem transport only)."""
    from django.conf import settings

    from evadmin.celery import app

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="evadmin-broker-"))
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir()
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    app.conf.broker_transport_options = options
    yield folder


def worker_env(sandbox, suite_broker, **overrides: str) -> dict[str, str]:
    """The environment of a worker on the test database and the suite's broker, with `sandbox` as its API."""
    env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
           "EVADMIN_API_BASE_URL": sandbox.base_url, "EVADMIN_API_TOKEN_URL": sandbox.token_url,
           "EVADMIN_API_CLIENT_ID": sandbox.client_id, "EVADMIN_API_CLIENT_SECRET": sandbox.client_secret,
           "PYTHONUNBUFFERED": "1", **overrides}
    if suite_broker is not None:
        env["EVADMIN_CELERY_BROKER_DIR"] = str(suite_broker)
    return env


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, sandbox, suite_broker):
    worker = CeleryWorker("--loglevel", "INFO", "--concurrency", "1", "--without-gossip", "--without-mingle",
                          "--hostname", f"suite-{os.getpid()}@%h", env=worker_env(sandbox, suite_broker))
    yield worker.start()
    worker.stop()
