"""The /_sandbox/ control API: fault injection, reset, OAuth clients and the request log.

Not part of the ev.energy API and unauthenticated: for development and tests only.
  GET  /_sandbox/           this summary
  GET  /_sandbox/faults     current faults and run-time overrides
  POST /_sandbox/faults     {"latency_ms", "error_rate", "error_status", "force_429", "retry_after",
                            "fail_next": [statuses], "hang_next", "hang_seconds", "token_lifetime",
                            "rate_limit_per_hour", "revoke_all_tokens": true, and the odd answers
                            "paging", "empty_lists", "rate_limit_headers", "overrides" (see
                            evadmin/sandbox/__init__.py)}; keys given change, others keep their value
  POST /_sandbox/reset      faults off, overrides back to settings, rate window and request log
                            cleared; {"data": true} also re-seeds the data as it was first seeded,
                            when anything may have changed it since the last seeding (a write)
  POST /_sandbox/clients    {"client_id", "client_secret", "scopes": [..], "rate_limit_per_hour"?}
  GET  /_sandbox/requests   the /v2 and /o/ requests since the last reset, oldest first
  GET  /_sandbox/seed/defects  {defect: [user ids]}: the users the last seeding planted each defect on
  GET  /_sandbox/outbox     the emails the API would have sent (password resets, onboarding links)
  GET  /_sandbox/seed/cases    {case: ground truth}: the support cases the last seeding planted
  GET  /_sandbox/webhooks   webhook endpoints (with their secrets) and the delivery log
  POST /_sandbox/webhooks   {"url", "secret"?, "event_types"?, "retry_delays"?, "timeout"?}: add or
                            replace the endpoint with this URL (a secret is generated if absent)
  DELETE /_sandbox/webhooks[?url=...]  remove one endpoint, or all
  POST /_sandbox/webhooks/trigger  {"event_type", "charging_sub_session": id}: send that event now
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evadmin.sandbox import faults, webhooks
from evadmin.sandbox.auth import client_upsert, tokens_revoke_all
from evadmin.sandbox.outbox import sent_emails
from evadmin.sandbox.ratelimit import limiter
from evadmin.sandbox.responses import api_base


def _json_body(request) -> dict:
    if not request.body.strip():
        return {}
    data = json.loads(request.body)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


ENDPOINTS = {
    "odd answers (POST /_sandbox/faults)": {
        "paging": {"null": "normal paging", **faults.ODD_PAGING},
        "empty_lists": "true: every list answers [] with no next page",
        "rate_limit_headers": '{"limit": "...", "remaining": "..."} sent verbatim as X-RateLimit-*',
        "overrides": '[{"match": "<id or 4-letter prefix>", "set": {"dotted.path": value}}] on matching objects',
    },
    "GET /_sandbox/faults": "current faults and run-time overrides",
    "POST /_sandbox/faults": "set faults (JSON keys: " + ", ".join(faults.FaultState().as_json()) + ", revoke_all_tokens)",
    "POST /_sandbox/reset": "faults off, rate window and request log cleared; {\"data\": true} re-seeds",
    "POST /_sandbox/clients": "create or update an OAuth client: client_id, client_secret, scopes",
    "GET /_sandbox/requests": "the /v2 and /o/ requests since the last reset",
    "GET /_sandbox/seed/defects": "{defect: [user ids]} as planted by the last seeding",
    "GET /_sandbox/outbox": "the emails the API would have sent since the last seeding, oldest first",
    "GET /_sandbox/seed/cases": "{case: ground truth (user, devices, session, sub-session, night...)}",
    "GET /_sandbox/webhooks": "webhook endpoints (secrets shown) and the delivery log",
    "POST /_sandbox/webhooks": "add or replace a webhook endpoint: url, secret?, event_types?, retry_delays?, timeout?",
    "DELETE /_sandbox/webhooks": "remove the endpoint ?url=..., or every endpoint",
    "POST /_sandbox/webhooks/trigger": "send a webhook now: event_type, charging_sub_session (id)",
}


@require_GET
def index(request):
    return JsonResponse({"endpoints": ENDPOINTS, "faults": faults.snapshot()})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def faults_view(request):
    if request.method == "GET":
        return JsonResponse(faults.snapshot())
    try:
        changes = _json_body(request)
        revoke_all = changes.pop("revoke_all_tokens", False)
        if revoke_all:
            faults.mark_data_changed()
        state = faults.configure(changes)
    except ValueError as exc:
        return _bad_request(str(exc))
    if revoke_all:
        state["revoked_tokens"] = tokens_revoke_all()
    return JsonResponse(state)


@csrf_exempt
@require_POST
def reset(request):
    try:
        options = _json_body(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    faults.reset()
    limiter.reset()
    webhooks.reset()
    reseeded = None
    # Re-seeding takes a second or two: skipped when nothing has changed the data since the last one
    # (a test suite resets before most tests, and most only read).
    if options.get("data") and faults.data_changed_since_seeding():
        from evadmin.sandbox.seed import seed_again

        reseeded = seed_again()
        faults.data_seeded()
    return JsonResponse({"reset": True, "reseeded": reseeded})


@csrf_exempt
@require_POST
def clients(request):
    try:
        data = _json_body(request)
    except ValueError as exc:
        return _bad_request(str(exc))
    scopes = data.get("scopes", [])
    if isinstance(scopes, str):
        scopes = scopes.split()
    limit = data.get("rate_limit_per_hour")
    if not data.get("client_id") or not data.get("client_secret") or not isinstance(scopes, list):
        return _bad_request("client_id, client_secret and scopes (a list) are required")
    faults.mark_data_changed()
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return _bad_request("rate_limit_per_hour must be a positive integer")
    client = client_upsert(client_id=str(data["client_id"]), client_secret=str(data["client_secret"]),
                           scopes=[str(scope) for scope in scopes], rate_limit_per_hour=limit)
    return JsonResponse({"client_id": client.client_id, "scopes": sorted(client.scope_set()),
                         "rate_limit_per_hour": client.rate_limit_per_hour})


@require_GET
def requests_view(request):
    return JsonResponse(faults.recorded_requests(), safe=False)


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def webhooks_view(request):
    if request.method == "GET":
        return JsonResponse(webhooks.snapshot())
    if request.method == "DELETE":
        return JsonResponse({"removed": webhooks.remove_endpoints(request.GET.get("url"))})
    try:
        endpoint = webhooks.configure_endpoint(_json_body(request))
    except ValueError as exc:
        return _bad_request(str(exc))
    # Bodies link to the sandbox as its clients reach it, as the /v2 answers do.
    webhooks.set_api_base(api_base(request))
    return JsonResponse(endpoint.as_json())


@csrf_exempt
@require_POST
def webhooks_trigger(request):
    try:
        data = _json_body(request)
        sub_session_id = data.get("charging_sub_session")
        if not isinstance(sub_session_id, str):
            raise ValueError("charging_sub_session (a sub-session id) is required")
        message_id = webhooks.trigger(data.get("event_type"), sub_session_id)
    except ValueError as exc:
        return _bad_request(str(exc))
    except LookupError as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    # Delivery happens after this answer, off this thread.
    return JsonResponse({"message_id": message_id}, status=202)


@require_GET
def seed_defects(request):
    from evadmin.sandbox.seed import seeded_defects

    return JsonResponse(seeded_defects())


@require_GET
def outbox(request):
    return JsonResponse(sent_emails(), safe=False)


@require_GET
def seed_cases(request):
    from evadmin.sandbox.seeding.cases import seeded_cases

    return JsonResponse(seeded_cases())


def not_found(request, exception=None):
    return JsonResponse({"error": "not found", "path": request.path}, status=404)


def server_error(request):
    return JsonResponse({"error": "server error"}, status=500)
