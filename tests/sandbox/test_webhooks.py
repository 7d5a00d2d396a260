"""The sandbox's webhooks, received by a real HTTP server in this process and verified with `svix`.

A sandbox of its own (a few users) keeps the sub-sessions these tests store out of the shared one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.db import transaction
from svix.webhooks import Webhook, WebhookVerificationError

from evadmin.sandbox import ids, webhooks
from evadmin.sandbox.collections import charging
from evadmin.sandbox.models import Record
from tests import spec
from tests.sandbox.fixtures import REPO_ROOT, sandbox_process

CREATED, ENDED = "charging_sub_session.created", "charging_sub_session.ended"
FAST_RETRIES = {"retry_delays": [0.1, 0.2], "timeout": 2}


class Receiver:
    """An HTTP server that records every POST and answers the statuses scripted, then 200."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._arrived:
                    receiver.received.append({"headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.received) >= count, timeout), (
                f"{len(self.received)} of {count} webhook requests arrived")
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def hook_sandbox(tmp_path_factory):
    yield from sandbox_process(tmp_path_factory.mktemp("webhooks-sandbox"), seed_users=3)


@pytest.fixture
def sandbox(hook_sandbox):
    hook_sandbox.reset()
    return hook_sandbox


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def sub_session_data(start: datetime, end: datetime | None) -> dict:
    """A sub-session's stored fields (collections/charging.py), as the spec's schema has them."""
    minutes = int((end - start).total_seconds() // 60) if end else 0
    return {
        "start": start.isoformat().replace("+00:00", "Z"), "end": end and end.isoformat().replace("+00:00", "Z"),
        "mode": "SMART", "energy_delivered_watt_hours": 7200 if end else 0, "location": {"name": "Home"},
        "cost": 180 if end else 0, "currency": "GBP", "total_co2_grams": 900 if end else 0,
        "co2_intensity_grams_per_kilowatt_hour": 125, "co2_intensity_classification": "low",
        "duration_minutes": minutes, "grid_energy_delivered_watt_hours": 7200 if end else 0,
        "solar_energy_delivered_watt_hours": 0,
    }


def store_sub_session(sandbox, *, ended: bool = False) -> str:
    """A charging_sub_session Record written into the sandbox's database (no API creates one)."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    end = start + timedelta(hours=1) if ended else None
    record = {"id": ids.new_id("csub"), "at": start.isoformat(), "ends_at": end and end.isoformat(),
              "data": sub_session_data(start, end)}
    code = (
        "import json, os\n"
        "from datetime import datetime\n"
        "from evadmin.sandbox.models import Record\n"
        "row = json.loads(os.environ['SUB_SESSION'])\n"
        "Record.objects.create(id=row['id'], kind='charging_sub_session', at=datetime.fromisoformat(row['at']),\n"
        "    ends_at=row['ends_at'] and datetime.fromisoformat(row['ends_at']), data=row['data'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "evadmin.settings.test",
           "EVADMIN_SANDBOX_DB": str(sandbox.db_path), "SUB_SESSION": json.dumps(record)}
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=REPO_ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    return record["id"]


@pytest.fixture(scope="module")
def stored(hook_sandbox) -> dict[str, str]:
    return {"running": store_sub_session(hook_sandbox), "ended": store_sub_session(hook_sandbox, ended=True)}


def wait_for_delivery(sandbox, message_id: str, status: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for delivery in sandbox.webhooks()["deliveries"]:
            if delivery["message_id"] == message_id and delivery["status"] == status:
                return delivery
        time.sleep(0.05)
    raise AssertionError(f"{message_id} not {status}: {sandbox.webhooks()['deliveries']}")


def test_signature_is_svix_documented_example():
    # Svix's worked example (docs.svix.com/receiving/verifying-payloads/how-manual); its signature is
    # the one the spec's svix-signature parameter shows.
    signature = webhooks.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                              1614265330, '{"test": 2432232314}')
    example = spec._raw_spec()["components"]["parameters"]["svix-signature"]["schema"]["example"]
    assert signature == example == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_created_webhook_is_signed_and_carries_the_sub_session_as_served(sandbox, receiver, stored):
    secret = webhooks.new_secret()
    endpoint = sandbox.webhook_endpoint(receiver.url, secret=secret)
    assert endpoint["secret"] == secret and endpoint["event_types"] == [CREATED, ENDED]

    message_id = sandbox.trigger_webhook(CREATED, stored["running"])

    [request] = receiver.wait_for(1)
    headers, body = request["headers"], request["body"]
    assert headers["svix-id"] == message_id and message_id.startswith("msg_")
    assert headers["svix-event-type"] == CREATED
    assert abs(int(headers["svix-timestamp"]) - time.time()) < 30
    Webhook(secret).verify(body, headers)  # raises if the signature does not match
    payload = json.loads(body)
    assert spec.schema_problems("ChargingSubSessionCreatedWebhook", payload) == []
    assert payload["type"] == CREATED
    served = requests.get(sandbox.url(f"/charging_sub_sessions/{stored['running']}"), timeout=10,
                          headers={"Authorization": f"Bearer {sandbox.token()}", "EvEnergy-Version": "2"})
    served.raise_for_status()
    assert payload["data"] == served.json()
    assert payload["data"]["end"] is None

    delivery = wait_for_delivery(sandbox, message_id, "delivered")
    assert [attempt["status"] for attempt in delivery["attempts"]] == [200]
    assert delivery["url"] == receiver.url and delivery["event_type"] == CREATED


def test_ended_webhook_validates_and_goes_only_to_endpoints_subscribed(sandbox, receiver, stored):
    other = Receiver()
    try:
        ended_only = sandbox.webhook_endpoint(receiver.url, event_types=[ENDED])
        sandbox.webhook_endpoint(other.url, event_types=[CREATED])

        assert sandbox.trigger_webhook(ENDED, stored["ended"]) is not None
        [request] = receiver.wait_for(1)
        Webhook(ended_only["secret"]).verify(request["body"], request["headers"])
        payload = json.loads(request["body"])
        assert spec.schema_problems("ChargingSubSessionEndedWebhook", payload) == []
        assert payload["type"] == ENDED and payload["data"]["end"] is not None
        assert request["headers"]["svix-event-type"] == ENDED

        time.sleep(0.3)  # give a wrong delivery the time to arrive
        assert other.received == []
    finally:
        other.close()


def test_tampered_body_or_wrong_secret_fails_verification(sandbox, receiver, stored):
    secret = sandbox.webhook_endpoint(receiver.url)["secret"]
    sandbox.trigger_webhook(CREATED, stored["running"])
    [request] = receiver.wait_for(1)
    headers, body = request["headers"], request["body"]

    Webhook(secret).verify(body, headers)
    tampered = body.replace(b'"mode": "SMART"', b'"mode": "BOOST"')
    assert tampered != body
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "svix-id": "msg_someone_else"})


def test_failed_attempt_is_retried_with_the_same_message_id(sandbox, receiver, stored):
    secret = sandbox.webhook_endpoint(receiver.url, **FAST_RETRIES)["secret"]
    receiver.statuses = [500]

    message_id = sandbox.trigger_webhook(CREATED, stored["running"])

    first, second = receiver.wait_for(2)
    assert first["headers"]["svix-id"] == second["headers"]["svix-id"] == message_id
    assert first["body"] == second["body"]
    for request in (first, second):  # each attempt is signed afresh, and verifies
        Webhook(secret).verify(request["body"], request["headers"])
    delivery = wait_for_delivery(sandbox, message_id, "delivered")
    assert [(attempt["status"], attempt["error"]) for attempt in delivery["attempts"]] == [
        (500, "answered 500"), (200, None)]
    time.sleep(0.4)  # past every retry delay: a delivered message is not sent again
    assert len(receiver.received) == 2


def test_unreachable_endpoint_does_not_break_the_request(sandbox, receiver, stored):
    closed = Receiver()
    unreachable = closed.url
    closed.close()  # nothing listens on its port now
    sandbox.webhook_endpoint(unreachable, **FAST_RETRIES)
    sandbox.webhook_endpoint(receiver.url)

    started = time.monotonic()
    message_id = sandbox.trigger_webhook(CREATED, stored["running"])
    assert time.monotonic() - started < 2

    receiver.wait_for(1)  # the reachable endpoint gets the message all the same
    failed = wait_for_delivery(sandbox, message_id, "failed")
    assert failed["url"] == unreachable
    assert len(failed["attempts"]) == 3  # the first, and one per retry delay
    assert all(attempt["status"] is None and "ConnectionError" in attempt["error"] for attempt in failed["attempts"])
    token = sandbox.token()  # the sandbox answers as ever
    assert requests.get(sandbox.url("/users"), timeout=10,
                        headers={"Authorization": f"Bearer {token}", "EvEnergy-Version": "2"}).status_code == 200


def test_no_endpoint_no_message_and_reset_clears_endpoints_and_log(sandbox, receiver, stored):
    assert sandbox.trigger_webhook(CREATED, stored["running"]) is None

    sandbox.webhook_endpoint(receiver.url)
    message_id = sandbox.trigger_webhook(CREATED, stored["running"])
    wait_for_delivery(sandbox, message_id, "delivered")
    sandbox.reset()

    assert sandbox.webhooks() == {"endpoints": [], "deliveries": []}
    assert sandbox.trigger_webhook(CREATED, stored["running"]) is None


def test_endpoint_removed_and_bad_requests_refused(sandbox, receiver, stored):
    control = f"{sandbox.origin}/_sandbox/webhooks"
    for bad in ({}, {"url": "ftp://example.com"}, {"url": receiver.url, "secret": "not-whsec"},
                {"url": receiver.url, "event_types": ["charging_session.created"]},
                {"url": receiver.url, "retry_delays": [-1]}, {"url": receiver.url, "timeout": 0}):
        assert requests.post(control, json=bad, timeout=10).status_code == 400, bad
    trigger = f"{control}/trigger"
    assert requests.post(trigger, json={"event_type": "nope", "charging_sub_session": stored["running"]},
                         timeout=10).status_code == 400
    assert requests.post(trigger, json={"event_type": CREATED}, timeout=10).status_code == 400
    assert requests.post(trigger, json={"event_type": CREATED, "charging_sub_session": ids.new_id("csub")},
                         timeout=10).status_code == 404

    sandbox.webhook_endpoint(receiver.url)
    sandbox.webhook_endpoint(receiver.url, event_types=[ENDED])  # the same URL: replaced, not added
    assert [endpoint["event_types"] for endpoint in sandbox.webhooks()["endpoints"]] == [[ENDED]]
    assert requests.delete(control, params={"url": receiver.url}, timeout=10).json() == {"removed": 1}
    assert sandbox.webhooks()["endpoints"] == []


def test_hook_never_raises_into_the_request(monkeypatch, caplog):
    def broken_serializer(record, context, expand):
        raise KeyError("a field the serializer needs")

    monkeypatch.setattr(webhooks, "_sub_session_json", broken_serializer)
    webhooks.configure_endpoint({"url": "http://127.0.0.1:9/webhooks"})
    try:
        assert webhooks.sub_session_event(object(), CREATED) is None
        assert webhooks.sub_session_event(object(), "charging_sub_session.paused") is None
    finally:
        webhooks.reset()
    assert [record.levelname for record in caplog.records] == ["ERROR", "ERROR"]


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_event_is_sent_once_the_callers_transaction_commits(receiver, django_capture_on_commit_callbacks):
    start = datetime.now(UTC) - timedelta(minutes=5)
    record = Record(id=ids.new_id(charging.SUB_SESSION_PREFIX), kind=charging.SUB_SESSION, at=start,
                    data=sub_session_data(start, None))
    endpoint = webhooks.configure_endpoint({"url": receiver.url})
    try:
        with pytest.raises(RuntimeError), transaction.atomic(using="sandbox"):
            webhooks.sub_session_event(record, CREATED)
            raise RuntimeError("the request failed after creating the sub-session")
        with django_capture_on_commit_callbacks(using="sandbox", execute=True):
            message_id = webhooks.sub_session_event(record, CREATED)
        [request] = receiver.wait_for(1)
        time.sleep(0.3)  # give the rolled-back event the time to arrive, were it sent
        assert receiver.received == [request]
        assert request["headers"]["svix-id"] == message_id
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
        assert json.loads(request["body"])["data"]["id"] == record.id
    finally:
        webhooks.reset()
