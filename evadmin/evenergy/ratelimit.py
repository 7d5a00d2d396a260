"""The API's hourly request budget, shared by every evadmin process.

The API allows 1,000 requests per rolling hour per OAuth client, and staff browsing and bulk jobs
draw on the same bucket. `RateBudget` keeps a sliding-window log of the requests evadmin sent
(in Redis when REDIS_URL is set, in the database otherwise) so background work can *reserve*
requests up to a share of the hour before sending them, and the UI can show what is left.
The API's own X-RateLimit-* headers are recorded too: they are the truth when we have them.
"""

from __future__ import annotations

import contextlib
import contextvars
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

WINDOW_SECONDS = 3600
OBSERVED_KEY = "evenergy:budget:observed"
BLOCKED_KEY = "evenergy:budget:blocked_until"

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
    local key, now, window, cap, n, force, tag = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
        tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local used = redis.call('ZCARD', key)
    local grant = n
    if force == 0 then grant = math.max(0, math.min(n, cap - used)) end
    for i = 1, grant do redis.call('ZADD', key, now, tag .. ':' .. i) end
    redis.call('EXPIRE', key, window + 60)
    return grant
    """

    def __init__(self, url: str, key: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._key = key
        self._script = self._redis.register_script(self._RESERVE)

    def take(self, n: int, cap: int, force: bool) -> int:
        return int(self._script(keys=[self._key], args=[time.time(), WINDOW_SECONDS, cap, n, int(force), uuid.uuid4().hex]))

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

    def take(self, n: int, cap: int, force: bool) -> int:
        from evadmin.evenergy.models import ApiRequestSlot, RateBudgetLock

        now = timezone.now()
        with transaction.atomic():
            RateBudgetLock.objects.select_for_update().get_or_create(pk=1)
            ApiRequestSlot.objects.filter(sent_at__lte=now - timedelta(seconds=WINDOW_SECONDS)).delete()
            used = ApiRequestSlot.objects.count()
            grant = n if force else max(0, min(n, cap - used))
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
        """
        cap = math.floor(self.limit * max_share)
        if n <= 0 or self.blocked_for() > 0:
            return 0
        return self._window.take(n, cap, force=False)

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
        if self.used() < self.limit:
            return max(0.0, self.blocked_for())
        oldest = self._window.oldest()
        wait = (oldest + WINDOW_SECONDS - time.time()) if oldest else 0.0
        return max(wait, self.blocked_for(), 0.0)

    def clear(self) -> None:
        self._window.clear()
        cache.delete_many([OBSERVED_KEY, BLOCKED_KEY])

    # --- what the API itself said ---------------------------------------------------------
    def observe(self, *, limit: str | None, remaining: str | None) -> None:
        if remaining is None:
            return
        try:
            observed = {"limit": int(float(limit or self.limit)), "remaining": int(float(remaining)), "at": time.time()}
        except ValueError:
            return
        cache.set(OBSERVED_KEY, observed, timeout=WINDOW_SECONDS)

    def block_for(self, seconds: float) -> None:
        """The API answered 429: nobody should send for `seconds`."""
        cache.set(BLOCKED_KEY, time.time() + seconds, timeout=max(1, math.ceil(seconds)))

    def blocked_for(self) -> float:
        until = cache.get(BLOCKED_KEY)
        return max(0.0, until - time.time()) if until else 0.0

    def snapshot(self) -> BudgetSnapshot:
        observed = cache.get(OBSERVED_KEY)
        if observed:
            as_of = datetime.fromtimestamp(observed["at"], tz=UTC)
            return BudgetSnapshot(limit=observed["limit"], remaining=observed["remaining"], as_of=as_of, source="api")
        return BudgetSnapshot(
            limit=self.limit, remaining=max(0, self.limit - self.used()), as_of=timezone.now(), source="local"
        )


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
