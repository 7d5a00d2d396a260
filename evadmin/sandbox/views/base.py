"""The request pipeline every /v2 endpoint shares.

For each request, in order: injected faults (delay, then a forced status), bearer token (401),
the client's rolling-hour budget (429), `EvEnergy-Version` (400), method (405), scope (403),
`EvEnergy-User` (400), then the endpoint. Every answer carries EvEnergy-Version and the
X-RateLimit-* headers, and is written to the request log that /_sandbox/requests serves.
Answers forced by fault injection do not use up the rate budget.
"""

import io
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from evadmin.sandbox import faults
from evadmin.sandbox.auth import bearer_token
from evadmin.sandbox.models import AccessToken, User
from evadmin.sandbox.ratelimit import Budget, limiter
from evadmin.sandbox.responses import (
    API_VERSION,
    JSON,
    ApiError,
    api_base,
    invalid_expand,
    not_found,
    problem_response,
    status_problem,
)

logger = logging.getLogger("evadmin.sandbox")

UNAUTHORIZED_DETAILS = {
    "missing": "Authentication credentials were not provided.",
    "invalid": "Invalid token.",
    "expired": "The access token has expired.",
    "revoked": "The access token has been revoked.",
}
USER_HEADER_ID = re.compile(r"(user[0-9A-Z]{26})/?$")


@dataclass(frozen=True)
class Operation:
    handler: Callable[..., HttpResponse]
    scope: str | None  # None: no token needed (the API root)


@dataclass
class ApiContext:
    request: object
    base: str
    token: AccessToken | None
    acting_user: User | None

    def expand(self, allowed: tuple[str, ...]) -> set[str]:
        """The `expand` values (the parameter repeats); any value not in `allowed` is a 400."""
        values = self.request.GET.getlist("expand")
        unknown = [value for value in values if value not in allowed]
        if unknown:
            raise invalid_expand(unknown, allowed)
        # Expanding a nested field expands its parents too: "a.b.c" -> {"a", "a.b", "a.b.c"}.
        expanded = set()
        for value in values:
            parts = value.split(".")
            expanded.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
        return expanded

    def has_scope(self, scope: str) -> bool:
        return self.token is not None and scope in self.token.scope_set()

    def body(self):
        return request_data(self.request)


def request_data(request):
    """The JSON body (or a form body, dotted keys nested, blank values as null)."""
    content_type = request.content_type or "application/json"
    if content_type == "application/json":
        if not request.body.strip():
            return {}
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "Malformed request body", f"JSON parse error - {exc}", "parse-error") from None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = request.POST if request.method == "POST" else _parse_form(request)
        except MultiPartParserError as exc:
            raise ApiError(400, "Malformed request body", str(exc), "parse-error") from None
        data: dict = {}
        for key, value in form.items():
            node = data
            *parents, leaf = key.split(".")
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = value if value != "" else None
        return data
    raise ApiError(400, "Unsupported media type", f'Unsupported media type "{content_type}" in request.',
                   "unsupported-media-type")


def _parse_form(request):
    # Django parses form bodies for POST only; PATCH bodies are parsed the same way by hand.
    if request.content_type == "multipart/form-data":
        return request.parse_file_upload(request.META, io.BytesIO(request.body))[0]  # body already read
    return dict(parse_qsl(request.body.decode()))


def _acting_user(request) -> User | None:
    value = request.headers.get("EvEnergy-User")
    if value is None:
        return None
    # The spec's pattern is the user id; one documentation page says the user's URL: take both.
    match = USER_HEADER_ID.search(value.strip())
    user = User.objects.filter(pk=match.group(1)).first() if match else None
    if user is None:
        raise ApiError(400, "Invalid EvEnergy-User header", f"No user matches EvEnergy-User: {value}",
                       "invalid-user-header")
    return user


def _check_version(request) -> None:
    value = request.headers.get("EvEnergy-Version")
    if value is None:
        return
    try:
        supported = float(value) == float(API_VERSION)
    except ValueError:
        supported = False
    if not supported:
        raise ApiError(400, "Unsupported version", f"Unsupported version requested: {value}", "unsupported-version")


def _rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, "Too Many Requests", f"Request was rate limited. Try again in {retry_after} seconds",
                    "rate-limit-exceeded",
                    headers={"Retry-After": str(retry_after), "RetryAfter": str(retry_after)})


def _dispatch(request, operations: dict[str, Operation], kwargs: dict) -> tuple[HttpResponse, str | None]:
    plan = faults.plan_request(request.method)
    if plan.delay_seconds:
        time.sleep(plan.delay_seconds)
    operation = operations.get(request.method)
    public = operation is not None and operation.scope is None
    bearer = bearer_token(request)
    token = bearer.token
    client_id = token.client_id if token else None
    limit = (token.client.rate_limit_per_hour if token else None) or faults.rate_limit_per_hour()
    budget: Budget = limiter.peek(client_id, limit)
    try:
        if plan.status is not None:
            if plan.status == 429:
                raise _rate_limited(plan.retry_after)
            problem = status_problem(plan.status)
            problem.field_errors = plan.field_errors
            raise problem
        if token is None and not public:
            raise ApiError(401, "Unauthorized", UNAUTHORIZED_DETAILS[bearer.error], "not-authenticated")
        if token is not None:
            budget = limiter.hit(client_id, limit)
            if not budget.allowed:
                raise _rate_limited(budget.retry_after)
        _check_version(request)
        if not operations:
            raise not_found()
        if operation is None:
            raise ApiError(405, "Method Not Allowed", f'Method "{request.method}" not allowed.',
                           "method-not-allowed", headers={"Allow": ", ".join(operations)})
        if operation.scope and operation.scope not in token.scope_set():
            raise ApiError(403, "Forbidden", f"This action requires the scope: {operation.scope}",
                           "insufficient-scope")
        context = ApiContext(request, api_base(request), token, _acting_user(request) if token else None)
        response = _with_overrides(operation.handler(context, **kwargs))
    except ApiError as error:
        response = problem_response(request, error)
    except Exception:  # an endpoint bug: answer like an API would, keep the traceback in the log
        logger.exception("sandbox endpoint failed: %s %s", request.method, request.get_full_path())
        response = problem_response(request, status_problem(500))
    response["EvEnergy-Version"] = API_VERSION
    response["X-RateLimit-Limit"] = str(budget.limit)
    response["X-RateLimit-Remaining"] = "0" if response.status_code == 429 else str(budget.remaining)
    odd_headers = faults.rate_limit_headers()
    if odd_headers:  # a fault: headers as sent by a confused proxy or API, taken verbatim
        for name, value in odd_headers.items():
            response[f"X-RateLimit-{name.capitalize()}"] = value
    return response, client_id


def _with_overrides(response: HttpResponse) -> HttpResponse:
    """The fault overrides (faults.apply_overrides) applied to a successful JSON answer."""
    if not faults.overrides_active() or response.status_code >= 300 or response.get("Content-Type") != JSON:
        return response
    data = faults.apply_overrides(json.loads(response.content))
    response.content = json.dumps(data, ensure_ascii=False)
    return response


def api_view(operations: dict[str, Operation]):
    @csrf_exempt
    def view(request, **kwargs):
        started, entry = time.monotonic(), log_arrival(request)
        response, client_id = _dispatch(request, operations, kwargs)
        log_answer(entry, response, started, client_id)
        return response

    view.operations = operations  # what this URL serves, by method (the spec conformance test reads it)
    return view


# Any /v2 path the sandbox doesn't serve: authenticated first, then 404, like the real API.
unknown_endpoint = api_view({})


def _loggable_body(request) -> str | None:
    if request.method not in ("POST", "PATCH", "PUT"):
        return None
    body = request.body.decode("utf-8", "replace")
    if body and request.path.startswith("/o/"):
        # Keep client secrets out of the log: it is served without authentication.
        body = urlencode([(key, "***" if key == "client_secret" else value)
                          for key, value in parse_qsl(body, keep_blank_values=True)])
    return body


def log_arrival(request) -> dict:
    """Log a request as it arrives (status null until answered), so a request still being
    answered, e.g. one a client gave up on during a hang fault, is already counted."""
    entry = {
        "method": request.method,
        "path": request.path,
        "query": request.META.get("QUERY_STRING", ""),
        "status": None,
        "user_header": request.headers.get("EvEnergy-User"),
        "request_id": request.headers.get("X-Request-ID"),
        "authorization_present": "Authorization" in request.headers,
        "version_header": request.headers.get("EvEnergy-Version"),
        "body": _loggable_body(request),
        "client_id": None,
        "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "duration_ms": None,
    }
    faults.record(entry)
    return entry


def log_answer(entry: dict, response, started: float, client_id: str | None) -> None:
    faults.record_answer(entry, status=response.status_code, client_id=client_id,
                         duration_ms=round((time.monotonic() - started) * 1000, 1))
