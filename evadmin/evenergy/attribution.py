"""What an API request is sent on behalf of: the web request's id travels to the API as X-Request-ID,
so the id a support agent quotes from an error page finds the API's own log lines too.

core's RequestIdMiddleware sets it for each web request; the client reads it on every call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"

_request_id: ContextVar[str] = ContextVar("evenergy_request_id", default="")


def current_request_id() -> str:
    """The id of the web request being served in this thread, or "" outside one (jobs, shells)."""
    return _request_id.get()


@contextlib.contextmanager
def on_behalf_of(*, request_id: str) -> Iterator[None]:
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)
