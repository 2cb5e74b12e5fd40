"""Per-key rate limiting: a sliding one-minute window of request times; over the limit the caller gets the
seconds until the oldest request leaves the window (the Retry-After header)."""

from __future__ import annotations

import math
import time
from collections import deque

DEFAULT_PER_MINUTE = 100
WINDOW_S = 60.0


class RateLimiter:
    """In-memory sliding window per key id (the gateway is one process, so memory is the right place)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._hits: dict[int, deque[float]] = {}

    def check(self, key_id: int, limit: int, now: float | None = None) -> int:
        """Record a request; return 0 when allowed, else the seconds to wait (≥ 1)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key_id, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + self.window_s - now))
        hits.append(now)
        return 0

    def forget(self, key_id: int) -> None:
        self._hits.pop(key_id, None)
