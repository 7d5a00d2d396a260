"""API failures reach people once, here: a full error page, or for htmx a banner in #flash.

Views and services let `evenergy.errors.ApiError` propagate; nothing about the API is ever a 500.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from evadmin.evenergy import errors

logger = logging.getLogger(__name__)
CURSOR_PARAMS = ("after", "before")  # the cursor pager's parameters (core/pager.py)


def api_error_status(error: errors.ApiError) -> int:
    if isinstance(error, errors.NotFound):
        return 404
    if isinstance(error, errors.RateLimited):
        return 429
    if isinstance(error, errors.ValidationFailed):
        return 400
    return 503 if isinstance(error, (errors.ServerError, errors.TransportError)) else 502


def api_error_headline(error: errors.ApiError) -> str:
    if isinstance(error, errors.InvalidCursor):
        return "This list could not be paged."
    if isinstance(error, errors.NotFound):
        return "This user does not exist."
    if isinstance(error, errors.RateLimited):
        return "The API's hourly budget is used up."
    if isinstance(error, errors.Forbidden):
        return "evadmin is not allowed to do this."
    if isinstance(error, errors.Unauthorized):
        return "evadmin could not sign in to the API."
    return "The ev.energy API is not answering properly."


class ApiErrorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, errors.ApiError):
            return None
        logger.warning("API error on %s %s: %s", request.method, request.path, exception.describe())
        status = api_error_status(exception)
        retryable = isinstance(exception, (errors.ServerError, errors.TransportError, errors.RateLimited))
        context = {"api_error": exception, "headline": api_error_headline(exception), "retryable": retryable}
        if isinstance(exception, errors.InvalidCursor):  # the page link is the problem: offer the first page
            current = request.htmx.current_url_abs_path if getattr(request, "htmx", False) else None
            context["first_page_url"] = _without_cursor(current or request.get_full_path())
        if getattr(request, "htmx", False):
            response = render(request, "errors/api_error.html#banner", context, status=status)
            return reswap(retarget(response, "#flash"), "innerHTML")
        response = render(request, "errors/api_error.html", context, status=status)
        if isinstance(exception, errors.RateLimited):
            response["Retry-After"] = str(int(exception.retry_after))
        return response


def _without_cursor(url: str) -> str:
    """The same list from its first page: the URL without its page cursor."""
    path, _, query = url.partition("?")
    params = QueryDict(query, mutable=True)
    for name in CURSOR_PARAMS:
        params.pop(name, None)
    return f"{path}?{params.urlencode()}" if params else path

