"""Request metadata every page, API request and audit event needs: a request id, who the page
is for (API attribution) and the client's IP."""

import re
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from ulid import ULID

from evadmin.evenergy.attribution import REQUEST_ID_HEADER, Source, current_request_id, on_behalf_of

__all__ = ["REQUEST_ID_HEADER", "ApiAttributionMiddleware", "RequestIdMiddleware", "client_ip", "current_request_id"]

# An upstream proxy's id is kept only if it is short and plain, so it is safe in logs,
# headers and the audit trail (no CR/LF, quotes or markup).
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def new_request_id() -> str:
    # ULIDs sort by time, which makes ids in logs and the audit trail easy to line up.
    return str(ULID())


def sane_request_id(value: str | None) -> str | None:
    if value and _SANE_REQUEST_ID.match(value):
        return value
    return None


class RequestIdMiddleware:
    """Give each request an id (the caller's X-Request-ID if sane) and echo it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        with on_behalf_of(request_id=request_id):  # the API client sends it on as X-Request-ID
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ApiAttributionMiddleware:
    """The API requests a page sends are its staff member's, from that page (the budget puts staff
    first, and the ledger says who spent what). After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return self.get_response(request)
        try:
            page = resolve(request.path_info).view_name
        except Resolver404:
            page = request.path_info[:200]
        with on_behalf_of(source=Source.staff(request.user.get_username(), page)):
            return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None if it cannot be told.

    X-Forwarded-For is trusted only for the number of proxies we run in front of the app
    (setting EVADMIN_TRUSTED_PROXY_COUNT, default 0): anything further left was written by
    the client and could be forged. With N trusted proxies the client is the Nth entry
    from the right.
    """
    trusted_proxies = getattr(settings, "EVADMIN_TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if trusted_proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted_proxies:
            candidate = forwarded[-trusted_proxies]
    try:
        address = ip_address(candidate)
    except ValueError:
        return None
    # "::ffff:1.2.3.4" is an IPv4 client on a dual-stack socket: store the IPv4 form, which
    # also reads back from the database exactly as written (the audit hash relies on that).
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)
