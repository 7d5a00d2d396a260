"""Reads that cost once: a page's API reads kept briefly in the shared cache, and their last copy.

A read is cached by scope (a driver's id, or a list) and name ("user", "devices"...) for
EVADMIN_API_READ_CACHE_SECONDS: opening the same driver again, paging back or a second agent on the
same driver costs no request within it. A write through evadmin calls `read_cache_store` (the API's
answer is the new state) or `read_cache_forget`, so nobody is shown what it changed.

Each read also leaves a last copy for EVADMIN_API_LAST_COPY_DAYS: when the budget is spent or the API
is down, the page shows that copy and says how old it is (`Read.unavailable`), instead of an error.
Redis when REDIS_URL is set (shared by every gunicorn and Celery process), else the database cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from evadmin.evenergy import errors

T = TypeVar("T")
# Failures that leave a page to its last copy: no room in the budget, the API's 429, an outage.
UNAVAILABLE = (errors.RateLimited, errors.ServerError, errors.TransportError)


@dataclass(frozen=True)
class Read(Generic[T]):
    value: T
    fetched_at: datetime
    live: bool  # read from the API for this page (False: from the cache)
    unavailable: errors.ApiError | None = None  # set when this is the last copy, live data being unavailable

    @property
    def age(self) -> timedelta:
        return timezone.now() - self.fetched_at


def _version(scope: str) -> int:
    return cache.get(f"evenergy:read:{scope}:version") or 0


def _keys(scope: str, name: str) -> tuple[str, str]:
    return f"evenergy:read:{scope}:{_version(scope)}:{name}", f"evenergy:last:{scope}:{name}"


_copies_will_do: ContextVar[bool] = ContextVar("evenergy_copies_will_do", default=False)


@contextlib.contextmanager
def copies_will_do() -> Iterator[None]:
    """Within the block a read evadmin already holds is used however old (its age is shown) rather than
    asked again: for a fragment re-drawing what its page already read and paid for (a log timeline
    adding one source re-reads nothing else), so a click costs what its button says."""
    token = _copies_will_do.set(True)
    try:
        yield
    finally:
        _copies_will_do.reset(token)


def read_through(*, scope: str, name: str, fetch: Callable[[], T], refresh: bool = False,
                 seconds: int | None = None) -> Read[T]:
    """The cached read, or a live one (`refresh` forces it); the last copy when live data cannot be had.
    `seconds`: how long it stays fresh, when not the setting's (slow-moving figures such as statistics).

    Raises the API's error when it is unavailable and there is no copy at all.
    """
    fresh_key, last_key = _keys(scope, name)
    if not refresh and _copies_will_do.get():
        seen = read_cache_seen(scope=scope, name=name)
        if seen is not None:
            return seen
    if not refresh:
        cached = cache.get(fresh_key)
        if cached is not None:
            return Read(value=cached[0], fetched_at=cached[1], live=False)
    try:
        value = fetch()
    except UNAVAILABLE as exc:
        last = cache.get(last_key)
        if last is None:
            raise
        return Read(value=last[0], fetched_at=last[1], live=False, unavailable=exc)
    return _store(fresh_key, last_key, value, seconds)


def read_cache_seen(*, scope: str, name: str, fresh_only: bool = False) -> Read | None:
    """What evadmin has of a read without asking the API: the fresh read, else (unless `fresh_only`) the
    last copy, else None. For a panel that needs what another panel has read (the vehicle whose error
    log it shows) and must cost only its own request."""
    fresh_key, last_key = _keys(scope, name)
    cached = cache.get(fresh_key)
    if cached is not None:
        return Read(value=cached[0], fetched_at=cached[1], live=False)
    last = None if fresh_only else cache.get(last_key)
    return Read(value=last[0], fetched_at=last[1], live=False) if last is not None else None


def read_cache_peek(*, scope: str, name: str) -> Read | None:
    """The fresh cached read, or None: never a request (a page shows what another page already paid for)."""
    return read_cache_seen(scope=scope, name=name, fresh_only=True)


def read_cache_store(*, scope: str, name: str, value: T) -> Read[T]:
    """Keep `value` as the fresh read (and the last copy), as of now: a write's answer is the new state."""
    return _store(*_keys(scope, name), value)


def _store(fresh_key: str, last_key: str, value: T, seconds: int | None = None) -> Read[T]:
    now = timezone.now()
    cache.set(fresh_key, (value, now), seconds or settings.EVADMIN_API_READ_CACHE_SECONDS)
    cache.set(last_key, (value, now), settings.EVADMIN_API_LAST_COPY_DAYS * 86400)
    return Read(value=value, fetched_at=now, live=True)


def read_cache_forget(*, scope: str) -> None:
    """Every fresh read of `scope` is stale from now on (its last copies stay, for outages)."""
    key = f"evenergy:read:{scope}:version"
    if not cache.add(key, 1, None):
        cache.incr(key)
