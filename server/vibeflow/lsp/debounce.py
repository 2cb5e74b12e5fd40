"""Coalesces bursts of edits into one publish per document: immediate after a quiet period, else debounced.

An isolated edit is published on the next loop turn (leading edge); edits that follow a publish within
`delay` wait for `delay` of quiet (trailing edge), capped by `max_wait` so continuous typing still updates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Debouncer:
    """Runs `callback(key)` once `delay` seconds pass without a new `schedule(key)`, or after `max_wait`."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        self._callback = callback
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._first: dict[str, float] = {}
        self._last_fire: dict[str, float] = {}

    def schedule(self, key: str, delay: float, max_wait: float = 0.25) -> None:
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        first = self._first.setdefault(key, now)
        if (timer := self._timers.pop(key, None)) is not None:
            timer.cancel()
        elif now - self._last_fire.get(key, 0.0) >= delay:
            self._timers[key] = loop.call_later(0, self._fire, key)  # quiet before: publish right away
            return
        wait = max(0.0, min(delay, first + max_wait - now))
        self._timers[key] = loop.call_later(wait, self._fire, key)

    def cancel(self, key: str) -> None:
        if (timer := self._timers.pop(key, None)) is not None:
            timer.cancel()
        self._first.pop(key, None)
        self._last_fire.pop(key, None)

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self._first.pop(key, None)
        self._last_fire[key] = time.monotonic()
        self._callback(key)
