"""The client's exceptions: every transport or HTTP failure becomes one of these, once, in client.py.

Each carries the HTTP status, the problem+json body (RFC 9457) when there was one, the request id
and a `user_message` that is safe to show support staff (it never contains credentials).
"""

from __future__ import annotations

import re
from typing import Any

_SCOPE = re.compile(r"\b[a-z_]+(?::[a-z_]+)*:(?:read|write)\b")  # tariff:prices:read has three parts


class ApiError(Exception):
    user_message = "The ev.energy API could not complete the request."

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        problem: dict[str, Any] | None = None,
        method: str = "",
        path: str = "",
        request_id: str = "",
    ) -> None:
        self.status = status
        self.problem = problem or {}
        self.method = method
        self.path = path
        self.request_id = request_id
        super().__init__(message or self.describe())

    @property
    def title(self) -> str:
        return str(self.problem.get("title") or "")

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or "")

    def describe(self) -> str:
        parts = [f"{self.method} {self.path}".strip(), str(self.status or ""), self.title, self.detail]
        return " ".join(part for part in parts if part) or self.user_message


class ValidationFailed(ApiError):
    """400 (or 422): the API rejected the data; `field_errors` maps field names to messages."""

    user_message = "The ev.energy API rejected the data."

    @property
    def field_errors(self) -> dict[str, list[str]]:
        raw = self.problem.get("field_errors") or {}
        if not isinstance(raw, dict):
            return {}
        return {str(field): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in raw.items()}


class Unauthorized(ApiError):
    user_message = "evadmin could not authenticate with the ev.energy API. Check its client credentials."


class Forbidden(ApiError):
    """403: the OAuth client lacks a scope."""

    def __init__(self, message: str = "", *, required_scope: str = "", **kwargs: Any) -> None:
        self.required_scope = required_scope
        super().__init__(message, **kwargs)

    @property
    def missing_scope(self) -> str:
        """The scope named in the problem's detail, else the one the endpoint is known to need."""
        named = _SCOPE.search(self.detail)
        return named.group(0) if named else self.required_scope

    @property
    def user_message(self) -> str:  # type: ignore[override]
        if self.missing_scope:
            return f"evadmin's API client lacks the scope {self.missing_scope} for this action."
        return "evadmin's API client is not allowed to do this."


class NotFound(ApiError):
    user_message = "The ev.energy API has no such record."


class Conflict(ApiError):
    user_message = "The ev.energy API reported a conflict with the current state of the record."


class RateLimited(ApiError):
    """429: the hourly budget is spent; `retry_after` is in seconds."""

    def __init__(self, message: str = "", *, retry_after: float = 60.0, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)

    @property
    def user_message(self) -> str:  # type: ignore[override]
        minutes, seconds = divmod(int(round(self.retry_after)), 60)
        wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        return f"The ev.energy API's hourly request budget is used up. Try again in {wait}."


class BudgetExhausted(RateLimited):
    """evadmin did not send the request: the hour's budget has no room for it (nothing reached the
    API). Staff pages fall back to evadmin's own copies; writes keep the form."""

    @property
    def user_message(self) -> str:  # type: ignore[override]
        minutes, seconds = divmod(int(round(self.retry_after)), 60)
        wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        return f"evadmin has used this hour's ev.energy API budget; live data returns in about {wait}."


class ServerError(ApiError):
    user_message = "The ev.energy API is having trouble right now."


class TransportError(ApiError):
    """No HTTP answer: refused, reset, DNS, timeout.

    `request_sent` is True when the request may have reached the API (a read timeout): for a POST
    the outcome is then unknown and it must not be retried blindly.
    """

    user_message = "The ev.energy API could not be reached."

    def __init__(self, message: str = "", *, request_sent: bool = False, **kwargs: Any) -> None:
        self.request_sent = request_sent
        super().__init__(message, **kwargs)


class ApiTimeout(TransportError):
    user_message = "The ev.energy API did not answer in time."


class OutcomeUnknown(TransportError):
    """A write reached the API (or may have) and its answer was lost: it may have happened. The API
    has no idempotency keys, so it is never resent blindly; `check` says what to look at first."""

    def __init__(self, message: str = "", *, check: str = "", **kwargs: Any) -> None:
        self.check = check
        kwargs.setdefault("request_sent", True)
        super().__init__(message, **kwargs)

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return f"The ev.energy API did not confirm this change: it may have happened. {self.check}".strip()


class UnexpectedResponse(ApiError):
    """An answer evadmin cannot read (an unexpected status or a body that is not JSON)."""


class InvalidCursor(ValidationFailed):
    """The API refused a page link it gave (or one evadmin could not pass on): the list cannot be
    paged from there. Not the record's fault: say so, and offer the first page."""

    user_message = ("This list could not be paged: the ev.energy API did not accept the link to that page. "
                    "Start again from the first page.")


class PaginationStalled(UnexpectedResponse):
    """The API's next link did not move the list forward (a page or cursor offered again, a page of
    items already read, or more pages than any real list has): a loop, not a list. Never retried:
    each retry would spend the hour's budget for nothing.

    `items` holds what was read before the loop was noticed, for callers that can use a partial list.
    """

    def __init__(self, message: str = "", *, collection: str = "", items: list | None = None, **kwargs: Any) -> None:
        self.collection = collection
        self.reason = message
        self.items = list(items or [])
        super().__init__(message, **kwargs)

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return (f"The ev.energy API's list of {self.collection or 'records'} did not move forward ({self.reason}), "
                "so evadmin stopped reading it instead of asking again.")


def error_for_status(status: int) -> type[ApiError]:
    if status in (400, 422):
        return ValidationFailed
    if status == 401:
        return Unauthorized
    if status == 403:
        return Forbidden
    if status == 404:
        return NotFound
    if status == 409:
        return Conflict
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return UnexpectedResponse
