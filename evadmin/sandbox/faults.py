"""Fault injection, run-time overrides and the request log, driven by the /_sandbox/ control API.

The state lives in this module, guarded by one lock: the sandbox serves from a single process
(threaded), so every request thread sees the same faults and log, and a restart clears them.
Faults apply to /v2 requests only (token requests are never delayed or failed by them).
"""

import random
import threading
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings

# The log is for counting requests in tests and benchmarks; cap it so a long run can't eat memory.
MAX_LOGGED_REQUESTS = 50_000
# Paging answers the spec's own examples allow, each one a way a client's paging loop can fail:
ODD_PAGING = {
    # numbered pages: every next link says page 2, as the spec's link-pages example does (a page
    # past the end serves the last one); cursor pages: the next link repeats the cursor asked for
    "repeat_next": "the next link says page=2 on every page, or repeats the cursor just asked for",
    # the page or cursor asked for is ignored: the first page is served again, with advancing links
    "ignore_paging": "every page is the first page, with links that still advance",
    # the next link's cursor is an id of another collection (the spec's Link example is a vehicle id)
    "foreign_cursor": "the next link carries a vehicle id as its cursor",
}
ID_PREFIX_LENGTH = 4


@dataclass
class FaultState:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    force_429: int = 0
    retry_after: int = 1
    fail_next: deque = field(default_factory=deque)
    hang_next: int = 0
    hang_seconds: float = 0.0
    token_lifetime: int | None = None  # None: settings.EVADMIN_SANDBOX_TOKEN_LIFETIME
    rate_limit_per_hour: int | None = None  # None: settings.EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR
    # Odd answers the published spec allows (issue 11): see ODD_PAGING and apply_overrides.
    paging: str | None = None
    rate_limit_headers: dict | None = None  # {"limit": "...", "remaining": "..."}, sent verbatim
    overrides: list = field(default_factory=list)  # [{"match": id or 4-letter prefix, "set": {path: value}}]
    empty_lists: bool = False  # every list answers [] with no next page

    def as_json(self) -> dict:
        return {
            "latency_ms": self.latency_ms, "error_rate": self.error_rate, "error_status": self.error_status,
            "force_429": self.force_429, "retry_after": self.retry_after, "fail_next": [status if not (errors or method) else {"status": status, "field_errors": errors, "method": method}
                          for status, errors, method in self.fail_next],
            "hang_next": self.hang_next, "hang_seconds": self.hang_seconds,
            "token_lifetime": self.token_lifetime or settings.EVADMIN_SANDBOX_TOKEN_LIFETIME,
            "rate_limit_per_hour": self.rate_limit_per_hour or settings.EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR,
            "paging": self.paging, "rate_limit_headers": self.rate_limit_headers,
            "overrides": self.overrides, "empty_lists": self.empty_lists,
        }


@dataclass(frozen=True)
class FaultPlan:
    """What to do to one /v2 request: wait `delay_seconds`, then answer `status` if set."""

    delay_seconds: float = 0.0
    status: int | None = None
    retry_after: int = 1
    field_errors: dict | None = None  # for a scripted 400: the validation errors to report


_lock = threading.Lock()
_state = FaultState()
_log: deque = deque(maxlen=MAX_LOGGED_REQUESTS)
# Whether the data may differ from its last seeding (a write, a client or token change): a reset that
# asks for the data as seeded re-seeds only then. Unknown at start, so the first such reset does.
_data_changed = True
_random = random.Random()


def _number(changes: dict, key: str, cast, minimum: float, maximum: float | None = None):
    value = changes[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{key} must be between {minimum} and {maximum}" if maximum is not None
                         else f"{key} must be at least {minimum}")
    return cast(value)


def _status(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValueError(f"{value!r} is not an HTTP status")
    return value


def configure(changes: dict) -> dict:
    """Apply the keys given (others keep their value); raises ValueError on a bad value."""
    global _state
    unknown = set(changes) - set(FaultState().as_json()) - {"revoke_all_tokens"}
    if unknown:
        raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    with _lock:
        state = FaultState(**{**_state.__dict__, "fail_next": deque(_state.fail_next)})
        if "latency_ms" in changes:
            state.latency_ms = _number(changes, "latency_ms", int, 0, 600_000)
        if "error_rate" in changes:
            state.error_rate = _number(changes, "error_rate", float, 0, 1)
        if "error_status" in changes:
            state.error_status = _status(changes["error_status"])
        if "force_429" in changes:
            state.force_429 = _number(changes, "force_429", int, 0)
        if "retry_after" in changes:
            state.retry_after = _number(changes, "retry_after", int, 0)
        if "fail_next" in changes:
            if not isinstance(changes["fail_next"], list):
                raise ValueError("fail_next must be a list of HTTP statuses or {status, field_errors} objects")
            state.fail_next = deque(_scripted_answer(value) for value in changes["fail_next"])
        if "hang_next" in changes:
            state.hang_next = _number(changes, "hang_next", int, 0)
        if "hang_seconds" in changes:
            state.hang_seconds = _number(changes, "hang_seconds", float, 0, 600)
        if "token_lifetime" in changes:
            state.token_lifetime = _number(changes, "token_lifetime", int, 1)
        if "rate_limit_per_hour" in changes:
            state.rate_limit_per_hour = _number(changes, "rate_limit_per_hour", int, 1)
        if "paging" in changes:
            if changes["paging"] is not None and changes["paging"] not in ODD_PAGING:
                raise ValueError(f"paging must be null or one of: {', '.join(ODD_PAGING)}")
            state.paging = changes["paging"]
        if "rate_limit_headers" in changes:
            state.rate_limit_headers = _rate_limit_headers(changes["rate_limit_headers"])
        if "overrides" in changes:
            state.overrides = _overrides(changes["overrides"])
        if "empty_lists" in changes:
            if not isinstance(changes["empty_lists"], bool):
                raise ValueError("empty_lists must be true or false")
            state.empty_lists = changes["empty_lists"]
        _state = state
    return snapshot()


def _scripted_answer(value) -> tuple[int, dict | None, str | None]:
    """A fail_next entry: a bare status, or {"status": 400, "field_errors": {...}, "method": "POST"}
    to script a validation failure the sandbox's own rules would not produce, for the next
    request of that method (other requests pass it by)."""
    if isinstance(value, dict):
        field_errors = value.get("field_errors")
        if field_errors is not None and not isinstance(field_errors, dict):
            raise ValueError("field_errors must be an object of field: [messages]")
        method = str(value["method"]).upper() if value.get("method") else None
        return _status(value.get("status")), field_errors, method
    return _status(value), None, None


def _rate_limit_headers(value) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= {"limit", "remaining"}:
        raise ValueError('rate_limit_headers must be null or {"limit": "...", "remaining": "..."}')
    return {key: str(raw) for key, raw in value.items()}


def _overrides(value) -> list:
    if not isinstance(value, list):
        raise ValueError("overrides must be a list")
    for override in value:
        if not (isinstance(override, dict) and isinstance(override.get("match"), str) and override["match"]
                and isinstance(override.get("set"), dict)):
            raise ValueError('each override must be {"match": "<id or 4-letter prefix>", "set": {"path": value}}')
    return [{"match": override["match"], "set": dict(override["set"])} for override in value]


def _matches(resource_id: str, match: str) -> bool:
    return resource_id == match or (len(match) == ID_PREFIX_LENGTH and resource_id.startswith(match))


def _set_path(node: dict, path: str, value) -> None:
    """Set a dotted path whose parent exists (a path the resource does not have is left alone)."""
    *parents, leaf = path.split(".")
    for name in parents:
        node = node.get(name)
        if not isinstance(node, dict):
            return
    node[leaf] = value


def apply_overrides(data):
    """Every object in an answer (nested ones too) whose `id` an override matches gets its values.

    Answers the spec allows but the sandbox's own rules never produce: a tariff or EVSE site that
    no list offers, a null on every nullable field, coordinates the API stored out of range.
    """
    with _lock:
        overrides = list(_state.overrides)
    if not overrides:
        return data

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for child in list(node.values()):
                walk(child)
            resource_id = node.get("id")
            if isinstance(resource_id, str):
                for override in overrides:
                    if _matches(resource_id, override["match"]):
                        for path, value in override["set"].items():
                            _set_path(node, path, value)

    walk(data)
    return data


def overrides_active() -> bool:
    with _lock:
        return bool(_state.overrides)


def odd_paging() -> tuple[str | None, bool]:
    """(paging mode, empty_lists) for the list being answered."""
    with _lock:
        return _state.paging, _state.empty_lists


def rate_limit_headers() -> dict | None:
    with _lock:
        return _state.rate_limit_headers


def snapshot() -> dict:
    with _lock:
        return _state.as_json()


def reset() -> None:
    """Faults off, overrides back to settings, request log cleared (the rate window is ratelimit's)."""
    global _state
    with _lock:
        _state = FaultState()
        _log.clear()


def plan_request(method: str = "GET") -> FaultPlan:
    """Consume this request's share of the faults (one-shot counters count down here)."""
    with _lock:
        state = _state
        delay = state.latency_ms / 1000
        if state.hang_next > 0:
            state.hang_next -= 1
            delay += state.hang_seconds
        status, field_errors = None, None
        if state.fail_next and state.fail_next[0][2] in (None, method):
            status, field_errors, _ = state.fail_next.popleft()
        elif state.force_429 > 0:
            state.force_429 -= 1
            status = 429
        elif state.error_rate and _random.random() < state.error_rate:
            status = state.error_status
        return FaultPlan(delay, status, state.retry_after, field_errors)


def token_lifetime() -> int:
    return _state.token_lifetime or settings.EVADMIN_SANDBOX_TOKEN_LIFETIME


def rate_limit_per_hour() -> int:
    return _state.rate_limit_per_hour or settings.EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR


def record(entry: dict) -> None:
    with _lock:
        _log.append(entry)
        if entry["method"] not in ("GET", "HEAD", "OPTIONS") and entry["path"] != "/o/token/":
            mark_data_changed()  # a write or a revocation (a new token changes nothing seeded)


def mark_data_changed() -> None:
    global _data_changed
    _data_changed = True


def data_changed_since_seeding() -> bool:
    return _data_changed


def data_seeded() -> None:
    global _data_changed
    _data_changed = False


def record_answer(entry: dict, **values) -> None:
    with _lock:
        entry.update(values)


def recorded_requests() -> list[dict]:
    with _lock:
        return [dict(entry) for entry in _log]  # copies: threads still answering update theirs
