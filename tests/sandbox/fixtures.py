"""A pytest plugin: the sandbox API as a real process, for tests that talk HTTP.

Register with `pytest_plugins = ["tests.sandbox.fixtures"]`. Fixtures:
- `sandbox` (session): `manage.py runsandbox --port 0 --seed-users 250` on a fresh SQLite file;
  the port is whichever free one the server bound (it prints it in its ready line).
- `sandbox_api` (function): the same object, after `reset()` (faults off, rate window and request
  log cleared). Data changes persist between tests; `reset(data=True)` re-seeds the 250 users.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from evadmin.sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox

SEED_USERS = 250
SEED = 1

__all__ = ["REPO_ROOT", "SEED", "SEED_USERS", "sandbox_process"]


def sandbox_process(work: Path, *, seed_users: int) -> Iterator[SandboxProcess]:
    """A sandbox of its own in `work`, seeded with `seed_users`, with the suite's fixed limits;
    stopped when the generator closes (use from a fixture with `yield from`)."""
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "evadmin.settings.test",
        # The defaults the tests rely on, whatever the developer's shell says.
        "EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR": "1000",
        "EVADMIN_SANDBOX_TOKEN_LIFETIME": "36000",
    }
    sandbox = start_sandbox(
        env=env, log_path=work / "sandbox.log", db_path=work / "sandbox.sqlite3", seed_users=seed_users,
        client_id=settings.EVADMIN_API_CLIENT_ID, client_secret=settings.EVADMIN_API_CLIENT_SECRET,
        args=["--seed-users", str(seed_users), "--seed", str(SEED)],
    )
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    yield from sandbox_process(tmp_path_factory.mktemp("sandbox"), seed_users=SEED_USERS)


@pytest.fixture
def sandbox_api(sandbox):
    sandbox.reset()
    return sandbox


@pytest.fixture
def writes(sandbox_api):
    """For tests that change the sandbox's data: it is re-seeded afterwards, so counts stay true."""
    yield
    sandbox_api.reset(data=True)
