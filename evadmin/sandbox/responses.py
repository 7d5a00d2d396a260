"""JSON and RFC 9457 problem responses, shaped like the real API's.

Problem `type` URLs live under the sandbox's own `/v2/problems/<slug>/` (the real API's under
https://api.ev.energy/v2/problems/), with a trailing slash as in the spec's examples.
"""

import json
from http import HTTPStatus

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

API_VERSION = "2"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def api_origin(request) -> str:
    """scheme://host as the client addressed the sandbox (absolute URLs use the request's Host)."""
    return f"{request.scheme}://{request.get_host()}"


def api_base(request) -> str:
    return f"{api_origin(request)}/v2"


def request_url(request) -> str:
    """The absolute URL of the request's path, percent-encoded: a path may carry any character."""
    return f"{api_origin(request)}{escape_uri_path(request.path)}"


def json_response(data, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type=JSON)


class ApiError(Exception):
    """Raised anywhere under a /v2 view; the dispatcher turns it into a problem response."""

    def __init__(self, status: int, title: str, detail: str, slug: str, *,
                 field_errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.field_errors = field_errors
        self.headers = headers or {}


def problem_response(request, error: ApiError) -> HttpResponse:
    body = {
        "type": f"{api_base(request)}/problems/{error.slug}/",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": request_url(request),
    }
    if error.field_errors:
        body["field_errors"] = error.field_errors
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=error.status, content_type=PROBLEM_JSON)
    for name, value in error.headers.items():
        response[name] = value
    return response


def status_problem(status: int, detail: str | None = None) -> ApiError:
    """A generic problem for a bare status (fault injection, unexpected errors)."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    slug = phrase.lower().replace(" ", "-").replace("'", "")
    return ApiError(status, phrase, detail or f"The sandbox answered {status} {phrase}.", slug)


def not_found(detail: str = "Resource does not exist or cannot be accessed.") -> ApiError:
    return ApiError(404, "Not found", detail, "not-found")


def invalid_pagination(parameter: str) -> ApiError:
    return ApiError(400, "Invalid pagination parameter",
                    f"Invalid value for pagination parameter: {parameter}", "pagination-parameters")


def invalid_expand(values: list[str], allowed: tuple[str, ...]) -> ApiError:
    return ApiError(400, "Invalid expand parameter",
                    f"Cannot expand {', '.join(values)}. Valid values: {', '.join(allowed)}.", "invalid-expand",
                    field_errors={"expand": [f'"{value}" is not a valid choice.' for value in values]})


def validation_failed(slug: str, field_errors: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "Request failed validation.", f"Error on fields: {', '.join(field_errors)}", slug,
                    field_errors=field_errors)
