"""POST /o/token/ (client credentials grant) and POST /o/revoke_token/ (RFC 7009).

Errors use OAuth 2.0's JSON shape ({"error": "invalid_client"}), not problem+json, as an
OAuth server does. Token requests are logged but don't count against the rate limit.
"""

import json
import time

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from evadmin.sandbox.auth import authenticate_client, token_issue, token_revoke
from evadmin.sandbox.views.base import log_answer, log_arrival


def _oauth_json(data: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _oauth_error(error: str, description: str, status: int = 400) -> HttpResponse:
    response = _oauth_json({"error": error, "error_description": description}, status)
    if error == "invalid_client":
        response["WWW-Authenticate"] = 'Basic realm="sandbox"'
    return response


def _token(request) -> tuple[HttpResponse, str | None]:
    if request.method != "POST":
        return _oauth_error("invalid_request", "Use POST.", 405), None
    client = authenticate_client(request)
    if client is None:
        return _oauth_error("invalid_client", "Client authentication failed.", 401), None
    grant_type = request.POST.get("grant_type")
    if not grant_type:
        return _oauth_error("invalid_request", "Missing grant_type parameter."), client.client_id
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", f"Unsupported grant type: {grant_type}"), client.client_id
    allowed = client.scope_set()
    requested = set(request.POST.get("scope", "").replace(",", " ").split()) or allowed
    if not requested <= allowed:
        missing = ", ".join(sorted(requested - allowed))
        return _oauth_error("invalid_scope", f"Scopes not allowed for this client: {missing}"), client.client_id
    token = token_issue(client=client, scopes=requested)
    lifetime = round((token.expires_at - token.created_at).total_seconds())
    return _oauth_json({
        "access_token": token.token, "token_type": "Bearer", "expires_in": lifetime,
        "scope": " ".join(sorted(requested)),
    }), client.client_id


def _revoke(request) -> tuple[HttpResponse, str | None]:
    if request.method != "POST":
        return _oauth_error("invalid_request", "Use POST.", 405), None
    client = authenticate_client(request)
    if client is None:
        return _oauth_error("invalid_client", "Client authentication failed.", 401), None
    if request.POST.get("token"):
        token_revoke(token=request.POST["token"], client=client)
    # RFC 7009 2.2: 200 whether or not the token was known.
    return HttpResponse(status=200), client.client_id


def _logged(handler):
    @csrf_exempt
    def view(request):
        started, entry = time.monotonic(), log_arrival(request)
        response, client_id = handler(request)
        log_answer(entry, response, started, client_id)
        return response

    return view


token = _logged(_token)
revoke_token = _logged(_revoke)
