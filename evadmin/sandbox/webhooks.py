"""Webhooks from the sandbox: the spec's `charging_sub_session.created` / `.ended`, signed as Svix does.

Endpoints are configured through the control API (/_sandbox/webhooks, see views/control.py) and
live in this process, like the faults. An event becomes one message (one `svix-id`, one body)
delivered to every endpoint subscribed to its type, off the request thread: a few worker threads
take deliveries from a schedule, and a failed attempt (connection error, timeout, non-2xx) is
retried after the endpoint's `retry_delays` with the same `svix-id` and body, a fresh
`svix-timestamp` and a fresh signature. Nothing here raises into the request that caused the event.

Signing is the Standard Webhooks scheme Svix uses (`svix` library): `svix-signature` is
`v1,<base64 HMAC-SHA256 of "{svix-id}.{svix-timestamp}.{body}">`, keyed with the bytes the
endpoint's `whsec_<base64>` secret encodes.

Bodies carry the sub-session exactly as `GET /v2/charging_sub_sessions/{id}` serves it. The
collections call this module (boost_start / boost_end create and end sub-sessions), so it cannot
import them: collections/charging.py hands over its serializer with `serialize_sub_sessions_with`.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from django.db import router, transaction
from svix.webhooks import Webhook

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record

logger = logging.getLogger(__name__)

SUB_SESSION_CREATED = "charging_sub_session.created"
SUB_SESSION_ENDED = "charging_sub_session.ended"
EVENT_TYPES = (SUB_SESSION_CREATED, SUB_SESSION_ENDED)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24  # what Svix generates
# Short, so a test sees the retries within seconds; an endpoint may set its own.
DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0)
DEFAULT_TIMEOUT = 5.0
WORKERS = 4  # one slow receiver should not hold up the others
LOG_SIZE = 500  # deliveries kept for GET /_sandbox/webhooks, newest last

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class WebhookEndpoint:
    url: str
    secret: str
    event_types: tuple[str, ...] = EVENT_TYPES
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    timeout: float = DEFAULT_TIMEOUT

    def as_json(self) -> dict:
        return {"url": self.url, "secret": self.secret, "event_types": list(self.event_types),
                "retry_delays": list(self.retry_delays), "timeout": self.timeout}


@dataclass
class Delivery:
    """One message to one endpoint, and how each attempt went."""

    message_id: str
    event_type: str
    endpoint: WebhookEndpoint
    body: str
    generation: int  # deliveries of an earlier generation were cleared by a reset
    status: str = PENDING
    attempts: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"message_id": self.message_id, "event_type": self.event_type, "url": self.endpoint.url,
                "status": self.status, "attempts": [dict(attempt) for attempt in self.attempts],
                "payload": json.loads(self.body)}


@dataclass(frozen=True)
class EventContext:
    """What a collection's serializer reads from an ApiContext when no request is being served."""

    base: str
    request: object = None
    token: object = None
    acting_user: object = None


_lock = threading.Condition()
_endpoints: dict[str, WebhookEndpoint] = {}
_log: deque[Delivery] = deque(maxlen=LOG_SIZE)
_schedule: list[tuple[float, int, Delivery]] = []  # a heap of (due, tie-breaker, delivery)
_sequence = itertools.count()
_generation = 0
_workers: list[threading.Thread] = []
_api_base = "http://127.0.0.1:8001/v2"
_sub_session_json: Callable[..., dict] | None = None


# --- Configuration -------------------------------------------------------------------------

def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _valid_secret(secret: object) -> bool:
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        return False
    encoded = secret[len(SECRET_PREFIX):]
    try:  # unpadded base64 too, as the svix library takes it
        return bool(base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True))
    except (binascii.Error, ValueError):
        return False


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number of seconds (0 or more)")
    return float(value)


def configure_endpoint(data: dict) -> WebhookEndpoint:
    """Add the endpoint `data` describes, or replace the one with its URL. Raises ValueError."""
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("url (an http:// or https:// URL) is required")
    secret = data.get("secret") or new_secret()
    if not _valid_secret(secret):
        raise ValueError('secret must be "whsec_" followed by base64')
    event_types = data.get("event_types") or list(EVENT_TYPES)
    if not isinstance(event_types, list) or any(kind not in EVENT_TYPES for kind in event_types):
        raise ValueError(f"event_types must be a list of {', '.join(EVENT_TYPES)}")
    retry_delays = data.get("retry_delays", DEFAULT_RETRY_DELAYS)
    if not isinstance(retry_delays, list | tuple):
        raise ValueError("retry_delays must be a list of seconds")
    endpoint = WebhookEndpoint(
        url=url, secret=secret, event_types=tuple(dict.fromkeys(event_types)),
        retry_delays=tuple(_seconds("retry_delays", delay) for delay in retry_delays),
        timeout=_seconds("timeout", data.get("timeout", DEFAULT_TIMEOUT)),
    )
    if not endpoint.timeout:
        raise ValueError("timeout must be more than 0 seconds")
    with _lock:
        _endpoints[url] = endpoint
    return endpoint


def remove_endpoints(url: str | None = None) -> int:
    """Remove the endpoint with this URL, or every endpoint; how many were removed."""
    with _lock:
        if url is None:
            removed = len(_endpoints)
            _endpoints.clear()
            return removed
        return 1 if _endpoints.pop(url, None) else 0


def set_api_base(base: str) -> None:
    """The /v2 base URL that bodies' `url` fields use (the process's own, as clients reach it)."""
    global _api_base
    with _lock:
        _api_base = base.rstrip("/")


def serialize_sub_sessions_with(serialize: Callable[..., dict]) -> None:
    """Bodies' `data`: serialize(record, context, expand) as GET /charging_sub_sessions/{id} uses it."""
    global _sub_session_json
    _sub_session_json = serialize


def snapshot() -> dict:
    with _lock:
        return {"endpoints": [endpoint.as_json() for endpoint in _endpoints.values()],
                "deliveries": [delivery.as_json() for delivery in _log]}


def reset() -> None:
    """No endpoints, an empty log, and deliveries still scheduled or under way forgotten."""
    global _generation
    with _lock:
        _generation += 1
        _endpoints.clear()
        _log.clear()
        _schedule.clear()


# --- Events --------------------------------------------------------------------------------

def sub_session_event(record, event_type: str) -> str | None:
    """Deliver `event_type` for this charging sub-session `Record` to the subscribed endpoints.

    Called by whatever creates or ends a sub-session. The body is built now (the sub-session as
    it is at the event) and sent once the caller's transaction commits. Returns the message id,
    or None when no endpoint is subscribed. Never raises: a webhook must not fail the API request.
    """
    try:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown webhook event type {event_type!r}")
        with _lock:
            subscribed = [endpoint for endpoint in _endpoints.values() if event_type in endpoint.event_types]
            base = _api_base
        if not subscribed:
            return None
        if _sub_session_json is None:
            raise RuntimeError("no sub-session serializer: collections/charging.py was not imported")
        data = _sub_session_json(record, EventContext(base=base), set())
        message_id = "msg_" + ids.new_id("")
        body = json.dumps({"type": event_type, "timestamp": _iso_now(), "data": data}, ensure_ascii=False)
        transaction.on_commit(lambda: _enqueue(message_id, event_type, body, subscribed),
                              using=router.db_for_write(type(record)))
        return message_id
    except Exception:
        logger.exception("webhook %s for %s not sent", event_type, getattr(record, "pk", record))
        return None


def trigger(event_type: str, sub_session_id: str) -> str | None:
    """sub_session_event for a stored sub-session (the control API's trigger). Raises LookupError."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
    # The kind collections/charging.py stores sub-sessions under.
    record = Record.objects.filter(kind="charging_sub_session", pk=sub_session_id).first()
    if record is None:
        raise LookupError(f"no charging sub-session {sub_session_id}")
    return sub_session_event(record, event_type)


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _enqueue(message_id: str, event_type: str, body: str, endpoints: Iterable[WebhookEndpoint]) -> None:
    with _lock:
        for endpoint in endpoints:
            delivery = Delivery(message_id, event_type, endpoint, body, _generation)
            _log.append(delivery)
            _schedule_attempt(delivery, time.monotonic())
        _start_workers()


def _schedule_attempt(delivery: Delivery, due: float) -> None:
    heapq.heappush(_schedule, (due, next(_sequence), delivery))
    _lock.notify()


def _start_workers() -> None:
    _workers[:] = [worker for worker in _workers if worker.is_alive()]
    while len(_workers) < WORKERS:
        worker = threading.Thread(target=_work, name=f"sandbox-webhooks-{len(_workers)}", daemon=True)
        worker.start()
        _workers.append(worker)


def _work() -> None:
    while True:
        with _lock:
            while not _schedule or _schedule[0][0] > time.monotonic():
                _lock.wait(timeout=_schedule[0][0] - time.monotonic() if _schedule else None)
            _, _, delivery = heapq.heappop(_schedule)
        try:
            _attempt(delivery)
        except Exception:  # a worker must survive anything one delivery does
            logger.exception("webhook delivery %s failed unexpectedly", delivery.message_id)


# --- Delivery ------------------------------------------------------------------------------

def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `svix-signature` header value for this message and `svix-timestamp`."""
    return Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body)


def signed_headers(endpoint: WebhookEndpoint, message_id: str, event_type: str, body: str) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "evadmin-sandbox-webhooks",
        "svix-id": message_id,
        "svix-timestamp": str(timestamp),
        "svix-signature": sign(endpoint.secret, message_id, timestamp, body),
        "svix-event-type": event_type,
    }


def _attempt(delivery: Delivery) -> None:
    endpoint = delivery.endpoint
    headers = signed_headers(endpoint, delivery.message_id, delivery.event_type, delivery.body)
    started, at = time.monotonic(), _iso_now()
    status, error = None, None
    try:
        # Svix counts a redirect as a failure too.
        response = requests.post(endpoint.url, data=delivery.body.encode(), headers=headers,
                                 timeout=endpoint.timeout, allow_redirects=False)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"answered {status}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    with _lock:
        if delivery.generation != _generation:
            return
        delivery.attempts.append({"at": at, "status": status, "error": error,
                                  "duration_ms": round((time.monotonic() - started) * 1000, 1)})
        if error is None:
            delivery.status = DELIVERED
        elif len(delivery.attempts) > len(endpoint.retry_delays):
            delivery.status = FAILED
        else:
            _schedule_attempt(delivery, time.monotonic() + endpoint.retry_delays[len(delivery.attempts) - 1])
