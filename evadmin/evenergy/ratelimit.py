"""The API's hourly request budget, shared by every evadmin process.

The API allows 1,000 requests per rolling hour per OAuth client, and staff browsing and bulk jobs
draw on the same bucket. `RateBudget` keeps a sliding-window log of the requests evadmin sent
(in Redis when REDIS_URL is set, in the database otherwise) so background work can *reserve*
requests up to a share of the hour before sending them, and the UI can show what is left.
The API's own X-RateLimit-* headers are recorded too: they are the truth when we have them.

Staff first (README "API budget"): a request sent for a staff member draws on the whole hour and is
refused (unsent: BudgetExhausted, and the page falls back to evadmin's own copies) only when the hour
is spent. Background work reserves with `yield_to_staff`: besides its share it keeps clear of
`staff_reserve()`, the larger of a floor (15% of the limit) and twice what staff spent in the last
ten minutes projected over the hour. So jobs slow down as agents get busy and pick up again by
themselves as that spending ages out; `background_room()` tells a job page why it waits and how long.

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

from evadmin.evenergy import errors

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
OBSERVED_KEY = "evenergy:budget:observed"
BLOCKED_KEY = "evenergy:budget:blocked_until"
LOW_WARNED_KEY = "evenergy:budget:low_warned"
# The API's own X-RateLimit-Remaining below this share of its limit is a low budget: admins see a
# banner and the log a WARNING, once per crossing. Auth0 warns at 80% of a limit used (its
# api_limit_warning log): https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases
LOW_REMAINING_SHARE = 0.2
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

    @property
    def low(self) -> bool:
        """The API itself says less than LOW_REMAINING_SHARE of its limit remains."""
        return self.source == "api" and is_low(remaining=self.remaining, limit=self.limit)


def is_low(*, remaining: int, limit: int) -> bool:
    return remaining < LOW_REMAINING_SHARE * limit


class _RedisWindow:
    # Atomic: trim the window, count, grant what fits under the cap, log the granted requests
    # (staff ones in a second set too, so their recent rate can be told apart).
    _RESERVE = """
    -- With since >= 0, also keep under the API's `room`, less what was logged after `since`.
    local key, staff_key = KEYS[1], KEYS[2]
    local now, window, cap, n, force, tag = tonumber(ARGV[1]), tonumber(ARGV[2]),
        tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
    local since, room, staff = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    redis.call('ZREMRANGEBYSCORE', staff_key, '-inf', now - window)
    local used = redis.call('ZCARD', key)
    local grant = n
    if force == 0 then grant = math.max(0, math.min(n, cap - used)) end
    if force == 0 and since >= 0 then
        local sent = redis.call('ZCOUNT', key, '(' .. since, '+inf')
        grant = math.max(0, math.min(grant, room - sent))
    end
    for i = 1, grant do
        redis.call('ZADD', key, now, tag .. ':' .. i)
        if staff == 1 then redis.call('ZADD', staff_key, now, tag .. ':' .. i) end
    end
    redis.call('EXPIRE', key, window + 60)
    redis.call('EXPIRE', staff_key, window + 60)
    return grant
    """

    def __init__(self, url: str, key: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._key = key
        self._staff_key = f"{key}:staff"
        self._script = self._redis.register_script(self._RESERVE)

    def take(self, n: int, cap: int, force: bool, api_room: tuple[float, int] | None = None, *,
             staff: bool = False) -> int:
        since, room = api_room or (-1, 0)
        args = [time.time(), WINDOW_SECONDS, cap, n, int(force), uuid.uuid4().hex, repr(since), room, int(staff)]
        return int(self._script(keys=[self._key, self._staff_key], args=args))

    def used(self, *, since: float | None = None, staff: bool = False) -> int:
        start = since if since is not None else time.time() - WINDOW_SECONDS
        return int(self._redis.zcount(self._staff_key if staff else self._key, start, "+inf"))

    def oldest(self, *, skip: int = 0, since: float | None = None, staff: bool = False) -> float | None:
        """When the (skip+1)-th oldest request in the window (or after `since`) was sent."""
        start = since if since is not None else time.time() - WINDOW_SECONDS
        found = self._redis.zrangebyscore(self._staff_key if staff else self._key, start, "+inf", start=skip, num=1,
                                          withscores=True)
        return float(found[0][1]) if found else None

    def clear(self) -> None:
        self._redis.delete(self._key, self._staff_key)


class _DatabaseWindow:
    """One row per request sent; a locked row serialises reservations across processes."""

    def take(self, n: int, cap: int, force: bool, api_room: tuple[float, int] | None = None, *,
             staff: bool = False) -> int:
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
            ApiRequestSlot.objects.bulk_create([ApiRequestSlot(sent_at=now, staff=staff) for _ in range(grant)])
        return grant

    def _slots(self, *, since: float | None, staff: bool):
        from evadmin.evenergy.models import ApiRequestSlot

        start = since if since is not None else time.time() - WINDOW_SECONDS
        slots = ApiRequestSlot.objects.filter(sent_at__gt=datetime.fromtimestamp(start, tz=UTC))
        return slots.filter(staff=True) if staff else slots

    def used(self, *, since: float | None = None, staff: bool = False) -> int:
        return self._slots(since=since, staff=staff).count()

    def oldest(self, *, skip: int = 0, since: float | None = None, staff: bool = False) -> float | None:
        found = self._slots(since=since, staff=staff).order_by("sent_at").values_list("sent_at", flat=True)[skip:skip + 1]
        return found[0].timestamp() if found else None

    def clear(self) -> None:
        from evadmin.evenergy.models import ApiRequestSlot

        ApiRequestSlot.objects.all().delete()


@dataclass(frozen=True)
class BackgroundRoom:
    """What background work may send now, and if nothing, why and for how long (for job pages)."""

    requests: int
    reason: str = ""  # STAFF_FIRST, SHARE_SPENT or API_BLOCKED when there is no room
    wait_seconds: float = 0.0  # about how long until there is; 0 when it cannot tell (look again later)

    def describe(self, whose: str) -> str:
        """Why `whose` ("the bulk jobs'", "the directory sync's") work waits, in a sentence."""
        if self.reason == STAFF_FIRST:
            return f"staff come first: support staff are using the API now, and {whose} work uses what they leave."
        if self.reason == API_BLOCKED:
            return "the API answered 429 (too many requests): everyone waits for its Retry-After."
        return f"{whose} share of the hourly API budget is spent for now."


STAFF_FIRST, SHARE_SPENT, API_BLOCKED = "staff_first", "share_spent", "api_blocked"


class RateBudget:
    def __init__(self, *, limit: int, redis_url: str = "", client_id: str = "", staff_floor: float = 0.15,
                 staff_lookback_seconds: float = 600.0) -> None:
        self.limit = limit
        self.staff_floor = staff_floor
        self.staff_lookback_seconds = staff_lookback_seconds
        key = f"evenergy:budget:window:{client_id}"
        self._window = _RedisWindow(redis_url, key) if redis_url else _DatabaseWindow()

    def reserve(self, n: int, *, max_share: float = 1.0, yield_to_staff: bool = False) -> int:
        """Grant up to `n` requests now, keeping this caller under `max_share` of the hourly limit.

        Returns how many were granted (0 when the share is spent); they count as sent.
        Under max_share of the effective limit, and never more than the API last said remains
        (see the module docstring). Background work passes `yield_to_staff`: it also keeps clear of
        the room staff are expected to need (staff_reserve).
        """
        if n <= 0 or self.blocked_for() > 0:
            return 0
        observed = self._observed()
        return self._window.take(n, self._cap(observed, max_share, yield_to_staff), force=False,
                                 api_room=self._api_room(observed))

    def _cap(self, observed: dict | None, max_share: float, yield_to_staff: bool) -> int:
        limit = self.effective_limit(observed)
        cap = math.floor(limit * max_share)
        return min(cap, limit - self.staff_reserve(limit)) if yield_to_staff else cap

    def _api_room(self, observed: dict | None) -> tuple[float, int] | None:
        fresh = observed and time.time() - observed["at"] < REMAINING_FRESH_SECONDS
        if fresh and observed.get("remaining") is not None:
            return observed["at"], observed["remaining"]
        return None

    def staff_reserve(self, limit: int | None = None) -> int:
        """The requests kept free for staff this hour: the larger of the floor and twice what staff
        spent in the lookback, projected over the hour (so their demand can double without waiting)."""
        limit = limit if limit is not None else self.effective_limit()
        recent = self._window.used(since=time.time() - self.staff_lookback_seconds, staff=True)
        projected = 2 * recent * WINDOW_SECONDS / self.staff_lookback_seconds
        return min(limit, max(math.ceil(self.staff_floor * limit), math.ceil(projected)))

    def background_room(self, *, max_share: float, per_request: int = 1) -> BackgroundRoom:
        """What background work under `max_share` could reserve now, without reserving it; when it is
        less than `per_request`, why, and about how long until it is not (a job page says both)."""
        blocked = self.blocked_for()
        if blocked > 0:
            return BackgroundRoom(0, API_BLOCKED, blocked)
        observed = self._observed()
        limit = self.effective_limit(observed)
        share_cap = math.floor(limit * max_share)
        staff_cap = limit - self.staff_reserve(limit)
        used = self.used()
        room = max(0, min(share_cap, staff_cap) - used)
        if room >= per_request:
            return BackgroundRoom(room)
        if staff_cap < share_cap:
            # Room comes back as staff spending ages out of the lookback (or the hour's oldest leave).
            oldest_staff = self._window.oldest(since=time.time() - self.staff_lookback_seconds, staff=True)
            wait = (oldest_staff + self.staff_lookback_seconds - time.time()) if oldest_staff else 0.0
            return BackgroundRoom(room, STAFF_FIRST, max(0.0, wait))
        return BackgroundRoom(room, SHARE_SPENT, self.seconds_until_left(used - (share_cap - per_request)))

    def seconds_until_left(self, leaving: int) -> float:
        """How long until `leaving` of the window's oldest requests have left it (0: it cannot tell,
        e.g. a share of nothing, which no request leaving will open)."""
        if leaving <= 0:
            return 0.0
        oldest = self._window.oldest(skip=leaving - 1)
        return max(0.0, oldest + WINDOW_SECONDS - time.time()) if oldest else 0.0

    def effective_limit(self, observed: dict | None = None) -> int:
        """The configured limit, or the API's reported one while fresh if that is higher."""
        observed = observed if observed is not None else self._observed()
        return max(self.limit, (observed or {}).get("limit") or 0)

    def _observed(self) -> dict | None:
        return cache.get(OBSERVED_KEY)

    def record(self, n: int = 1) -> None:
        """Count requests sent outside the client's own accounting (tests), unless the current task
        reserved them already. Never refuses."""
        if self._draw_prepaid(n):
            return
        self._window.take(n, self.limit, force=True)

    def spend(self, *, staff: bool) -> None:
        """Count one request the client is about to send: from the current task's reservation if it
        made one, else from the hour, staff first (they may use all of it). Raises BudgetExhausted,
        and nothing is sent, when the hour (or what the API last said remains) has no room."""
        if self._draw_prepaid(1):
            return
        observed = self._observed()
        if self._window.take(1, self.effective_limit(observed), force=False, api_room=self._api_room(observed),
                             staff=staff):
            return
        wait = max(self.seconds_until_free(), self.blocked_for(), 1.0)
        raise errors.BudgetExhausted("the hour's API budget is spent: the request was not sent", retry_after=wait)

    def _draw_prepaid(self, n: int) -> bool:
        prepaid = _prepaid.get()
        if prepaid is not None and prepaid[0] >= n:
            prepaid[0] -= n
            return True
        return False

    @contextlib.contextmanager
    def prepaid(self, n: int) -> Iterator[None]:
        """Within this block, the next `n` requests draw on a reservation already made."""
        token = _prepaid.set([n])
        try:
            yield
        finally:
            _prepaid.reset(token)

    def used(self, *, staff: bool = False) -> int:
        return self._window.used(staff=staff)

    def oldest_leaves_at(self) -> datetime | None:
        """When the oldest request in the window leaves it (one more free), or None if it is empty."""
        oldest = self._window.oldest()
        return datetime.fromtimestamp(oldest + WINDOW_SECONDS, tz=UTC) if oldest else None

    def seconds_until_free(self) -> float:
        """How long until the oldest request in the window leaves it (0 if there is room)."""
        if self.used() < self.effective_limit():
            return max(0.0, self.blocked_for())
        leaves_at = self.oldest_leaves_at()
        wait = (leaves_at - timezone.now()).total_seconds() if leaves_at else 0.0
        return max(wait, self.blocked_for(), 0.0)

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
        self._warn_once_when_low(reported_limit or self.limit, reported_remaining)

    def _warn_once_when_low(self, limit: int, remaining: int) -> None:
        """One WARNING per crossing below LOW_REMAINING_SHARE, not one per answer: the first process
        to add the flag logs; the flag goes when an answer says the API has room again."""
        if not is_low(remaining=remaining, limit=limit):
            cache.delete(LOW_WARNED_KEY)
        elif cache.add(LOW_WARNED_KEY, True, timeout=WINDOW_SECONDS):
            logger.warning("the API's hourly budget is low: %d of %d requests left (below %d%%); see /api-budget/",
                           remaining, limit, round(LOW_REMAINING_SHARE * 100))

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
_implausible_logged = False  # one warning per process (tests set it back)


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
    global _implausible_logged
    if _implausible_logged:
        return
    _implausible_logged = True
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
            staff_floor=settings.EVADMIN_API_STAFF_FLOOR,
            staff_lookback_seconds=settings.EVADMIN_API_STAFF_LOOKBACK_MINUTES * 60,
        )
    return _budget


def reset_rate_budget() -> None:
    """Forget the process's RateBudget so the next use reads settings again (tests)."""
    global _budget
    _budget = None
