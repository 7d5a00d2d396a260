"""Planted secrets (the client secret and the access token) never leak.

Each test plants canary values, forces a failure (an API error, a 401, a failed Celery task,
an error page) and looks for the canaries in everything an operator or attacker could read:
every log record at DEBUG for every logger (through a handler with no redaction of its own,
so the records themselves must be clean), the worker's output, what evadmin enqueues, the
pages, and the error texts evadmin stores (directory sync errors, audit events).
"""

import io
import logging
import os
import secrets
import traceback

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.test import Client
from django.urls import path

from evadmin.audit.models import AuditEvent
from evadmin.driver_directory.models import DirectorySync
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.tasks import evenergy_refresh_token
from tests.processes import CeleryWorker, wait_for
from tests.staff.fixtures import make_staff
from tests.worker import worker_env

CANARY_CLIENT = "canary-client"
SCOPES = ["user:read", "user:write", "tariff:read", "site:read", "evse:read", "vehicle:read", "charging_session:read"]
NOISY_LOGGERS = ("", "urllib3", "requests_oauthlib", "oauthlib", "django", "django.request", "evadmin", "celery")


def _canary_secret() -> str:
    return f"canary-secret-{secrets.token_hex(8)}"


class Canaries:
    def __init__(self, secret: str, token: str) -> None:
        self.values = [secret, token]

    def assert_absent(self, where: str, text: str) -> None:
        for value in self.values:
            assert value not in text, f"a canary leaked into {where}"


@pytest.fixture
def all_logs(caplog):
    """Everything any logger says at DEBUG, through a plain handler that redacts nothing itself."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # First in line: evadmin's own handler scrubs records in place, and must not hide an unscrubbed one.
    logging.getLogger().handlers.insert(0, handler)
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        records = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}\n{r.stack_info or ''}" for r in caplog.records)
        return stream.getvalue() + caplog.text + records

    yield text
    logging.getLogger().removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def published():
    """Every task message evadmin sends in this test: headers and body."""
    messages: list[str] = []

    def record(sender=None, headers=None, body=None, **kwargs):
        messages.append(f"{sender} {headers!r} {body!r}")

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.fixture(params=["client_credentials", "static_token"])
def canaries(request, api_settings, sandbox_api, all_logs):
    """A canary client secret, and the token the sandbox issues for it, planted in evadmin."""
    secret = _canary_secret()
    sandbox_api.create_client(CANARY_CLIENT, secret, SCOPES)
    api_settings.EVADMIN_API_CLIENT_ID = CANARY_CLIENT
    api_settings.EVADMIN_API_CLIENT_SECRET = secret
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    if request.param == "static_token":
        api_settings.EVADMIN_API_TOKEN = sandbox_api.token(CANARY_CLIENT, secret)
    token = evenergy_client().token.get()  # client credentials: the token request goes through evadmin
    evenergy_client().users.list(page_size=1)
    return Canaries(secret, token)


def _exception_text(exc: BaseException) -> str:
    return f"{exc}\n{exc!r}\n{getattr(exc, 'user_message', '')}\n" + "".join(traceback.format_exception(exc))


def test_an_api_error_leaks_no_secret(canaries, sandbox_api, all_logs):
    sandbox_api.faults(fail_next=[503])
    with pytest.raises(errors.ServerError) as caught:
        evenergy_client().users.list(page_size=1)
    canaries.assert_absent("the exception", _exception_text(caught.value))
    canaries.assert_absent("the logs", all_logs())
    assert "GET /users 503" in all_logs()  # the failure was logged, just not the secrets


def test_a_401_leaks_no_secret(canaries, api_settings, sandbox_api, all_logs):
    # The token is revoked, and the client's secret changed, so renewing the token fails too.
    sandbox_api.create_client(CANARY_CLIENT, _canary_secret(), SCOPES)
    sandbox_api.faults(revoke_all_tokens=True)
    with pytest.raises(errors.Unauthorized) as caught:
        evenergy_client().users.list(page_size=1)
    canaries.assert_absent("the exception", _exception_text(caught.value))
    canaries.assert_absent("the logs", all_logs())
    assert " 401 " in all_logs()


def test_errors_stored_by_a_directory_sync_leak_no_secret(canaries, sandbox_api, all_logs, published):
    sandbox_api.create_client(CANARY_CLIENT, _canary_secret(), SCOPES)
    sandbox_api.faults(revoke_all_tokens=True)
    directory_sync_step(kind="full", sync_id=None)
    sync = DirectorySync.objects.get()
    assert "authenticate" in sync.error  # the failure is recorded ...
    canaries.assert_absent("the directory sync's error", sync.error)  # ... without the credentials
    canaries.assert_absent("the logs", all_logs())
    canaries.assert_absent("the task messages", "\n".join(published))


def raise_with_credentials(request):
    """A bug that puts the credentials into an exception (a dict of request headers, say)."""
    from django.conf import settings

    raise RuntimeError({"headers": {"X-Token": evenergy_client().token.get()}, "secret": settings.EVADMIN_API_CLIENT_SECRET})


urlpatterns = [path("boom/", raise_with_credentials)]


def test_error_pages_leak_no_secret(canaries, api_settings, sandbox_api, all_logs, settings):
    viewer = make_staff("viewer")
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    sandbox_api.faults(fail_next=[503])
    friendly = client.get("/users/user00000000000000000000000001/")
    assert friendly.status_code in (502, 503) and "API" in friendly.text
    canaries.assert_absent("the friendly API error page", friendly.text)

    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    crash = client.get("/boom/")
    assert crash.status_code == 500
    canaries.assert_absent("the 500 page", crash.text)
    assert "Internal Server Error: /boom/" in all_logs()  # the traceback was logged, scrubbed
    canaries.assert_absent("the logs", all_logs())


def test_audit_events_hold_no_secret(canaries, api_settings, sandbox_api, all_logs):
    """What the trail stores from requests and failures (sign-in attempts included)."""
    support = make_staff("support")
    client = Client()
    client.post("/accounts/login/", {"username": support.username, "password": canaries.values[0]})
    client.force_login(support)
    sandbox_api.faults(fail_next=[503])
    client.post("/users/new/", {"email": "canary@example.com"})
    stored = "\n".join(
        f"{e.before} {e.after} {e.reason} {e.request_id}" for e in AuditEvent.objects.order_by("id")
    )
    canaries.assert_absent("the audit trail", stored)
    canaries.assert_absent("the logs", all_logs())


@pytest.fixture
def canary_worker(transactional_db, sandbox, sandbox_api, suite_broker):
    """A Celery worker of its own (on its own queue) whose environment holds the canary secret."""
    secret = _canary_secret()
    client_id = f"canary-worker-{os.getpid()}"
    queue = f"canary-{os.getpid()}"
    sandbox_api.create_client(client_id, secret, SCOPES)
    env = worker_env(sandbox, suite_broker, EVADMIN_API_CLIENT_ID=client_id, EVADMIN_API_CLIENT_SECRET=secret,
                     EVADMIN_API_TOKEN="")
    worker = CeleryWorker("--loglevel", "DEBUG", "--concurrency", "1", "--without-gossip", "--without-mingle",
                          "-Q", queue, "--hostname", f"{queue}@%h", env=env).start()
    yield {"client_id": client_id, "secret": secret, "queue": queue, "log": worker.log}
    worker.stop()


def _wait_for_line(log: list[str], needle: str) -> None:
    wait_for(lambda: any(needle in line for line in log), timeout=30,
             message=lambda: f"no {needle!r} in the worker's output:\n" + "".join(log)[-3000:])


@pytest.mark.worker
def test_a_failed_task_leaks_no_secret(canary_worker, sandbox_api, published):
    worker = canary_worker
    evenergy_refresh_token.apply_async(queue=worker["queue"])
    _wait_for_line(worker["log"], "evenergy.refresh_token[")
    _wait_for_line(worker["log"], "succeeded")
    token = cache.get(f"evenergy:token:{worker['client_id']}")["access_token"]  # the worker's canary token

    # Now the API refuses the worker's credentials: the next refresh fails with a traceback.
    cache.delete(f"evenergy:token:{worker['client_id']}")
    sandbox_api.create_client(worker["client_id"], _canary_secret(), SCOPES)
    evenergy_refresh_token.apply_async(queue=worker["queue"])
    _wait_for_line(worker["log"], "Unauthorized")
    _wait_for_line(worker["log"], "raised unexpected")

    canaries = Canaries(worker["secret"], token)
    canaries.assert_absent("the worker's output", "".join(worker["log"]))
    canaries.assert_absent("the task messages", "\n".join(published))
    assert len(published) == 2
