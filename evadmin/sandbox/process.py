"""The sandbox API as a process of its own, and a client for its control API.

Used wherever something needs a real sandbox over HTTP: the test suite's fixtures
(tests/sandbox/fixtures.py), `make bench` and `make load` (bench/). The process runs
`manage.py runsandbox --port 0`, binds a free port and prints it in its ready line.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = re.compile(r"sandbox API on (http://[^\s/]+)/v2")
STARTUP_TIMEOUT_SECONDS = 60
CONTROL_TIMEOUT = 120  # a data reset re-seeds; everything else answers in milliseconds


@dataclass
class SandboxProcess:
    origin: str  # http://127.0.0.1:PORT
    client_id: str
    client_secret: str
    log_path: Path
    db_path: Path | None = None
    seed_users: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

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
        """Faults off, rate-limit window, request log and webhook endpoints cleared; `data` also re-seeds
        (when anything may have changed the data since the last seeding)."""
        return self._control("POST", "reset", {"data": True} if data else {})

    def requests(self) -> list[dict]:
        return self._control("GET", "requests")

    def api_requests(self) -> list[dict]:
        """The /v2 requests since the last reset (the token endpoint's left out)."""
        return [entry for entry in self.requests() if entry["path"].startswith("/v2")]

    def seed_cases(self) -> dict:
        """The support cases as seeded: {case name: its ground truth} (GET /_sandbox/seed/cases)."""
        return self._control("GET", "seed/cases")

    def create_client(self, client_id: str, client_secret: str, scopes: list[str], *,
                      rate_limit_per_hour: int | None = None) -> dict:
        return self._control("POST", "clients", {
            "client_id": client_id, "client_secret": client_secret, "scopes": list(scopes),
            "rate_limit_per_hour": rate_limit_per_hour,
        })

    def webhook_endpoint(self, url: str, **options) -> dict:
        """Add or replace a webhook endpoint (options: secret, event_types, retry_delays, timeout);
        returns it, with its secret."""
        return self._control("POST", "webhooks", {"url": url, **options})

    def webhooks(self) -> dict:
        """{"endpoints": [...], "deliveries": [...]}: the webhook endpoints and the delivery log."""
        return self._control("GET", "webhooks")

    def trigger_webhook(self, event_type: str, sub_session_id: str) -> str | None:
        """Send `event_type` for this sub-session now; the message id (None: no endpoint subscribed)."""
        return self._control("POST", "webhooks/trigger",
                             {"event_type": event_type, "charging_sub_session": sub_session_id})["message_id"]

    def token(self, client_id: str | None = None, client_secret: str | None = None, scope: str | None = None) -> str:
        """A fresh access token (the configured client's unless another is named)."""
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

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=10)


def start_sandbox(*, env: dict[str, str], log_path: Path, client_id: str, client_secret: str,
                  args: Sequence[str] = (), db_path: Path | None = None, seed_users: int = 0) -> SandboxProcess:
    """Start `runsandbox` with `env`, its dev client being `client_id`/`client_secret`, and wait until
    it answers. `args` go to runsandbox (e.g. --seed-users). Raises RuntimeError with its log."""
    command = [sys.executable, "manage.py", "runsandbox", "--host", "127.0.0.1", "--port", "0", "--quiet", *args]
    env = {**env, "EVADMIN_API_CLIENT_ID": client_id, "EVADMIN_API_CLIENT_SECRET": client_secret,
           "PYTHONUNBUFFERED": "1"}
    if db_path is not None:
        env["EVADMIN_SANDBOX_DB"] = str(db_path)
    with log_path.open("ab") as log:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match = READY_LINE.search(log_path.read_text(errors="replace")) if log_path.exists() else None
        if match:
            origin = match.group(1)
            with contextlib.suppress(requests.RequestException):
                requests.get(f"{origin}/_sandbox/faults", timeout=2).raise_for_status()
                return SandboxProcess(origin=origin, client_id=client_id, client_secret=client_secret,
                                      log_path=log_path, db_path=db_path, seed_users=seed_users, process=process)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stop_process(process, grace=1)
    raise RuntimeError(f"the sandbox did not start; its log:\n{log_path.read_text(errors='replace')[-4000:]}")


def stop_process(process: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM the process's group (a server's own children too), SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
