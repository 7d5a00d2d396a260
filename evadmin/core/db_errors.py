"""Database outages reach people as "try again shortly" (503), never as a 500 traceback.

Two catches, because a database error can surface in two places:
- `DatabaseUnavailableMiddleware.process_exception`: the view raised it (loading the session or the
  signed-in staff member is lazy, so that happens inside the view too, as does the API client's
  token cache and rate budget when they live in the database).
- `server_error` (handler500): it was raised in a middleware, e.g. saving the session after the
  view. Django turns such exceptions into the handler500 response while the exception is current.

The page and the banner render without a request context: the context processors (signed-in user,
API budget) would query the database that is down.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django_htmx.http import reswap, retarget

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Browsers and proxies may retry after this; people are told "shortly".
RETRY_AFTER_SECONDS = 5


def is_database_outage(exception: BaseException | None) -> bool:
    """True for the driver's "cannot connect / connection lost" errors, also when wrapped."""
    while exception is not None:
        if isinstance(exception, DATABASE_ERRORS):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        body = loader.render_to_string("errors/database_unavailable.html#banner")
        response = reswap(retarget(HttpResponse(body, status=503), "#flash"), "innerHTML")
    else:
        response = HttpResponse(loader.render_to_string("errors/database_unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.error("database unavailable on %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the outage page for database errors, the plain 500 page for anything else."""
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
