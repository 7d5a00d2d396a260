"""A pytest plugin: the sandbox API as a real process, for tests that talk HTTP.

Register with `pytest_plugins = ["tests.sandbox.fixtures"]`. Fixtures:
- `sandbox` (session): `manage.py runsandbox --port 0 --seed-users 250` on a fresh SQLite file;
  the port is whichever free one the server bound (it prints it in its ready line).
- `sandbox_api` (function): the same object, after `reset()` (faults off, rate window and request
  log cleared). Data changes persist between tests; `reset(data=True)` re-seeds the 250 users.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_USERS = 250
SEED = 1
STARTUP_TIMEOUT_SECONDS = 60
READY_LINE = re.compile(r"sandbox API on (http://[^\s/]+)/v2")
CONTROL_TIMEOUT = 30  # a data reset re-seeds; everything else answers in milliseconds


@dataclass
class Sandbox:
    origin: str  # http://127.0.0.1:PORT
    client_id: str
    client_secret: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    seed_users: int = SEED_USERS

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v2"

    @property
    def token_url(self) -> str:
        return f"{self.origin}/o/token/"

    def url(self, path: str) -> str:
        """An API path (`/users`) under base_url; `/v2…`, `/o/…` and `/_sandbox…` under the origin."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith(("/v2", "/o/", "/_sandbox")):
            return f"{self.origin}{path}"
        return f"{self.base_url}/{path.lstrip('/')}"

    def _control(self, method: str, path: str, json=None):
        response = requests.request(method, f"{self.origin}/_sandbox/{path}", json=json, timeout=CONTROL_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def faults(self, **changes) -> dict:
        """Set faults / overrides (see evadmin/sandbox/__init__.py); returns the whole state."""
        return self._control("POST", "faults", changes)

    def reset(self, *, data: bool = False) -> dict:
        return self._control("POST", "reset", {"data": True} if data else {})

    def requests(self) -> list[dict]:
        return self._control("GET", "requests")

    def create_client(self, client_id: str, client_secret: str, scopes: list[str], *,
                      rate_limit_per_hour: int | None = None) -> dict:
        return self._control("POST", "clients", {
            "client_id": client_id, "client_secret": client_secret, "scopes": list(scopes),
            "rate_limit_per_hour": rate_limit_per_hour,
        })

    def token(self, client_id: str | None = None, client_secret: str | None = None, scope: str | None = None) -> str:
        """A fresh access token (the dev client's unless another is named)."""
        data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        response = requests.post(self.token_url, data=data, timeout=10,
                                 auth=(client_id or self.client_id, client_secret or self.client_secret))
        response.raise_for_status()
        return response.json()["access_token"]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_until_ready(process: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match = READY_LINE.search(log_path.read_text(errors="replace")) if log_path.exists() else None
        if match:
            origin = match.group(1)
            try:
                requests.get(f"{origin}/_sandbox/faults", timeout=2).raise_for_status()
                return origin
            except requests.RequestException:
                pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the sandbox did not start; its log:\n{log_path.read_text(errors='replace')[-4000:]}")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    from django.conf import settings

    work = tmp_path_factory.mktemp("sandbox")
    db_path, log_path = work / "sandbox.sqlite3", work / "sandbox.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "evadmin.settings",
        "EVADMIN_SANDBOX_DB": str(db_path),
        # The defaults the tests rely on, whatever the developer's shell says.
        "EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR": "1000",
        "EVADMIN_SANDBOX_TOKEN_LIFETIME": "36000",
        "EVADMIN_API_CLIENT_ID": settings.EVADMIN_API_CLIENT_ID,
        "EVADMIN_API_CLIENT_SECRET": settings.EVADMIN_API_CLIENT_SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "runsandbox", "--host", "127.0.0.1", "--port", "0",
               "--seed-users", str(SEED_USERS), "--seed", str(SEED), "--quiet"]
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        origin = _wait_until_ready(process, log_path)
        yield Sandbox(origin=origin, client_id=settings.EVADMIN_API_CLIENT_ID,
                      client_secret=settings.EVADMIN_API_CLIENT_SECRET, db_path=db_path, log_path=log_path,
                      process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def sandbox_api(sandbox):
    sandbox.reset()
    return sandbox
