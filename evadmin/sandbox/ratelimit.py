"""A rolling-hour request budget per OAuth client, as the real API enforces (1,000/h by default).

Kept in process memory: the sandbox is one process, and a restart starting with a fresh window
is what tests want anyway. Timestamps come from time.monotonic, so clock changes don't matter.
"""

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the oldest counted request leaves the window; 0 when allowed


class RollingHourLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def _window(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        return hits

    def hit(self, key: str, limit: int) -> Budget:
        """Count one request for `key`, unless the window is full (refused requests don't count)."""
        now = time.monotonic()
        with self._lock:
            hits = self._window(key, now)
            if len(hits) >= limit:
                wait = hits[0] + WINDOW_SECONDS - now if hits else WINDOW_SECONDS
                return Budget(False, limit, 0, max(1, math.ceil(wait)))
            hits.append(now)
            return Budget(True, limit, max(0, limit - len(hits)), 0)

    def peek(self, key: str | None, limit: int) -> Budget:
        now = time.monotonic()
        with self._lock:
            used = len(self._window(key, now)) if key else 0
        return Budget(used < limit, limit, max(0, limit - used), 0)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = RollingHourLimiter()
