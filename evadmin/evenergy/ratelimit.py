"""The API's hourly request budget, shared by every evadmin process.

The API allows 1,000 requests per rolling hour per OAuth client, and staff browsing and bulk jobs
draw on the same bucket. `RateBudget` keeps a sliding-window log of the requests evadmin sent
(in Redis when REDIS_URL is set, in the database otherwise) so background work can *reserve*
requests up to a share of the hour before sending them, and the UI can show what is left.
The API's own X-RateLimit-* headers are recorded too: they are the truth when we have them.

How the headers steer `reserve()` (issue 5), kept deliberately simple:
- limit: max(configured, the API's last X-RateLimit-Limit) while that report is in the cache (an
  hour): a client granted a higher limit than configured uses it; a lower one is not trusted to
  shrink the budget (the remaining count below already makes the server win).
- remaining: for REMAINING_FRESH_SECONDS after a response, no reservation grants more than the
  API's X-RateLimit-Remaining minus what evadmin logged since that response (the window entries
  newer than it). Older reports only get more pessimistic as the API's window rolls on, so after
  that the local log governs alone; if it guessed wrong, the API's 429 blocks everyone until its
  Retry-After. Requests in flight when the header was read may be counted once more: safe side.
  A 429's own Remaining (0) is dropped: its Retry-After already says when room comes back.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
OBSERVED_KEY = "evenergy:budget:observed"
BLOCKED_KEY = "evenergy:budget:blocked_until"
# How long an X-RateLimit-Remaining caps reservations: a minute holds a burst back and lets the
# next response correct it. The headers: shared/ev-energy/API-NOTES.md, "Rate limits".
REMAINING_FRESH_SECONDS = 60.0

# Requests reserved ahead by the current task; the client draws on them instead of recording anew.
_prepaid: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("evenergy_prepaid", default=None)


@dataclass(frozen=True)
class BudgetSnapshot:
    limit: int
    remaining: int
    as_of: datetime
    source: str  # "api" (from the last response's headers) or "local" (evadmin's own count)


class _RedisWindow:
    # Atomic: trim the window, count, grant what fits under the cap, log the granted requests.
    _RESERVE = """
    -- With since >= 0, also keep under the API's `room`, less what was logged after `since`.
    local key, now, window, cap, n, force, tag = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
        tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
    local since, room = tonumber(ARGV[7]), tonumber(ARGV[8])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local used = redis.call('ZCARD', key)
    local grant = n
    if force == 0 then grant = math.max(0, math.min(n, cap - used)) end
    if force == 0 and since >= 0 then
        local sent = redis.call('ZCOUNT', key, '(' .. since, '+inf')
        grant = math.max(0, math.min(grant, room - sent))
    end
    for i = 1, grant do redis.call('ZADD', key, now, tag .. ':' .. i) end
    redis.call('EXPIRE', key, window + 60)
    return grant
    """

    def __init__(self, url: str, key: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._key = key
        self._script = self._redis.register_script(self._RESERVE)

    def take(self, n: int, cap: int, force: bool, api_room: tuple[float, int] | None = None) -> int:
        since, room = api_room or (-1, 0)
        args = [time.time(), WINDOW_SECONDS, cap, n, int(force), uuid.uuid4().hex, repr(since), room]
        return int(self._script(keys=[self._key], args=args))

    def used(self) -> int:
        now = time.time()
        return int(self._redis.zcount(self._key, now - WINDOW_SECONDS, "+inf"))

    def oldest(self) -> float | None:
        now = time.time()
        first = self._redis.zrangebyscore(self._key, now - WINDOW_SECONDS, "+inf", start=0, num=1, withscores=True)
        return float(first[0][1]) if first else None

    def clear(self) -> None:
        self._redis.delete(self._key)


class _DatabaseWindow:
    """One row per request sent; a locked row serialises reservations across processes."""

    def take(self, n: int, cap: int, force: bool, api_room: tuple[float, int] | None = None) -> int:
        """`api_room` = (as of, remaining): also keep under what the API said, less what was sent since."""
        from evadmin.evenergy.models import ApiRequestSlot, RateBudgetLock

        now = timezone.now()
        with transaction.atomic():
            RateBudgetLock.objects.select_for_update().get_or_create(pk=1)
            ApiRequestSlot.objects.filter(sent_at__lte=now - timedelta(seconds=WINDOW_SECONDS)).delete()
            used = ApiRequestSlot.objects.count()
            grant = n if force else max(0, min(n, cap - used))
            if api_room is not None and not force:
                since = datetime.fromtimestamp(api_room[0], tz=UTC)
                grant = max(0, min(grant, api_room[1] - ApiRequestSlot.objects.filter(sent_at__gt=since).count()))
            ApiRequestSlot.objects.bulk_create([ApiRequestSlot(sent_at=now) for _ in range(grant)])
        return grant

    def used(self) -> int:
        from evadmin.evenergy.models import ApiRequestSlot

        return ApiRequestSlot.objects.filter(sent_at__gt=timezone.now() - timedelta(seconds=WINDOW_SECONDS)).count()

    def oldest(self) -> float | None:
        from evadmin.evenergy.models import ApiRequestSlot

        cutoff = timezone.now() - timedelta(seconds=WINDOW_SECONDS)
        first = ApiRequestSlot.objects.filter(sent_at__gt=cutoff).order_by("sent_at").values_list("sent_at", flat=True).first()
        return first.timestamp() if first else None

    def clear(self) -> None:
        from evadmin.evenergy.models import ApiRequestSlot

        ApiRequestSlot.objects.all().delete()


class RateBudget:
    def __init__(self, *, limit: int, redis_url: str = "", client_id: str = "") -> None:
        self.limit = limit
        key = f"evenergy:budget:window:{client_id}"
        self._window = _RedisWindow(redis_url, key) if redis_url else _DatabaseWindow()

    def reserve(self, n: int, *, max_share: float = 1.0) -> int:
        """Grant up to `n` requests now, keeping this caller under `max_share` of the hourly limit.

        Returns how many were granted (0 when the share is spent); they count as sent.
        Under max_share of the effective limit, and never more than the API last said remains
        (see the module docstring).
        """
        if n <= 0 or self.blocked_for() > 0:
            return 0
        observed = self._observed()
        cap = math.floor(self.effective_limit(observed) * max_share)
        api_room = None
        fresh = observed and time.time() - observed["at"] < REMAINING_FRESH_SECONDS
        if fresh and observed.get("remaining") is not None:
            api_room = (observed["at"], observed["remaining"])
        return self._window.take(n, cap, force=False, api_room=api_room)

    def effective_limit(self, observed: dict | None = None) -> int:
        """The configured limit, or the API's reported one while fresh if that is higher."""
        observed = observed if observed is not None else self._observed()
        return max(self.limit, (observed or {}).get("limit") or 0)

    def _observed(self) -> dict | None:
        return cache.get(OBSERVED_KEY)

    def record(self, n: int = 1) -> None:
        """Count requests that are being sent, unless the current task reserved them already."""
        prepaid = _prepaid.get()
        if prepaid is not None and prepaid[0] >= n:
            prepaid[0] -= n
            return
        self._window.take(n, self.limit, force=True)

    @contextlib.contextmanager
    def prepaid(self, n: int) -> Iterator[None]:
        """Within this block, the next `n` requests draw on a reservation already made."""
        token = _prepaid.set([n])
        try:
            yield
        finally:
            _prepaid.reset(token)

    def used(self) -> int:
        return self._window.used()

    def seconds_until_free(self) -> float:
        """How long until the oldest request in the window leaves it (0 if there is room)."""
        if self.used() < self.effective_limit():
            return max(0.0, self.blocked_for())
        oldest = self._window.oldest()
        wait = (oldest + WINDOW_SECONDS - time.time()) if oldest else 0.0
        return max(wait, self.blocked_for(), 0.0)

    def seconds_until_room(self, *, otherwise: float) -> float:
        """How long a caller that got nothing should wait: a 429's Retry-After, the window's oldest
        request leaving it, or `otherwise` when neither says (its share is spent, not the hour)."""
        return self.blocked_for() or self.seconds_until_free() or otherwise

    def clear(self) -> None:
        self._window.clear()
        cache.delete_many([OBSERVED_KEY, BLOCKED_KEY])

    # --- what the API itself said ---------------------------------------------------------
    def observe(self, *, limit: str | None, remaining: str | None) -> None:
        """Record the API's X-RateLimit-* headers, unless they cannot be true (then evadmin's own
        count stays in charge): a count is a whole number from 0, a limit from 1, both at most
        MAX_PLAUSIBLE_LIMIT."""
        if remaining is None:
            return
        reported_remaining = _whole_number(remaining)
        reported_limit = _whole_number(limit) if limit else None
        if reported_remaining is None or (limit and not reported_limit):
            _log_implausible_once(limit, remaining)
            return
        observed = {"limit": reported_limit, "remaining": reported_remaining, "at": time.time()}
        cache.set(OBSERVED_KEY, observed, timeout=WINDOW_SECONDS)

    def block_for(self, seconds: float) -> None:
        """The API answered 429: nobody should send for `seconds`."""
        cache.set(BLOCKED_KEY, time.time() + seconds, timeout=max(1, math.ceil(seconds)))
        observed = cache.get(OBSERVED_KEY)
        if observed and observed.get("remaining") is not None:  # superseded by Retry-After
            cache.set(OBSERVED_KEY, {**observed, "remaining": None}, timeout=WINDOW_SECONDS)

    def blocked_for(self) -> float:
        until = cache.get(BLOCKED_KEY)
        return max(0.0, until - time.time()) if until else 0.0

    def snapshot(self) -> BudgetSnapshot:
        observed = cache.get(OBSERVED_KEY)
        if observed:
            as_of = datetime.fromtimestamp(observed["at"], tz=UTC)
            limit = observed["limit"] or self.limit
            remaining = observed["remaining"] if observed["remaining"] is not None else max(0, limit - self.used())
            return BudgetSnapshot(limit=limit, remaining=remaining, as_of=as_of, source="api")
        return BudgetSnapshot(
            limit=self.limit, remaining=max(0, self.limit - self.used()), as_of=timezone.now(), source="local"
        )


# No client's hourly limit comes near this (the default is 1,000; `make load` runs at 1,000,000):
# a larger X-RateLimit-* value is a broken header, not a budget.
MAX_PLAUSIBLE_LIMIT = 10_000_000
_implausible_logged: set[str] = set()


def _whole_number(raw: str) -> int | None:
    """A header's count, or None when it is not a whole number between 0 and MAX_PLAUSIBLE_LIMIT."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= MAX_PLAUSIBLE_LIMIT:
        return None
    return int(value)


def _log_implausible_once(limit: str | None, remaining: str | None) -> None:
    """A proxy or API that sends nonsense sends it on every answer: one warning per process is enough."""
    if "headers" in _implausible_logged:
        return
    _implausible_logged.add("headers")
    logger.warning("ignoring X-RateLimit headers that cannot be true (limit %r, remaining %r); "
                   "the budget follows evadmin's own count", (limit or "")[:40], (remaining or "")[:40])


_budget: RateBudget | None = None


def rate_budget() -> RateBudget:
    """The process's RateBudget, built from settings on first use."""
    global _budget
    if _budget is None:
        _budget = RateBudget(
            limit=settings.EVADMIN_API_RATE_LIMIT_PER_HOUR,
            redis_url=settings.REDIS_URL,
            client_id=settings.EVADMIN_API_CLIENT_ID,
        )
    return _budget


def reset_rate_budget() -> None:
    """Forget the process's RateBudget so the next use reads settings again (tests)."""
    global _budget
    _budget = None
