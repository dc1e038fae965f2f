"""Request-rate limits per token and per client address, and the slow-down of
failed sign-ins per address.

In memory, per server process: a sliding window of request times per key,
with the number of keys bounded so a flood of addresses cannot grow memory
without end (the oldest keys are forgotten first).  ``docs/dependencies.md``
says why this is not Flask-Limiter.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

MAX_KEYS = 50_000


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> int | None:
        """Count one event for ``key``; None when allowed, else the seconds to wait (Retry-After)."""
        now = self.clock()
        with self._lock:
            events = self._events.pop(key, None) or deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            self._events[key] = events
            while len(self._events) > MAX_KEYS:
                self._events.popitem(last=False)
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return None


class SignInBrake:
    """Failed sign-ins per address: after ``free`` failures each next try waits twice as long."""

    def __init__(self, free: int = 3, max_wait: float = 300.0, clock=time.monotonic):
        self.free = free
        self.max_wait = max_wait
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def wait(self, address: str) -> int | None:
        """Seconds ``address`` must still wait before another sign-in, or None."""
        with self._lock:
            count, last = self._failures.get(address, (0, 0.0))
        if count < self.free:
            return None
        left = min(self.max_wait, 2.0 ** (count - self.free + 1)) - (self.clock() - last)
        return math.ceil(left) if left > 0 else None

    def failed(self, address: str) -> None:
        with self._lock:
            count, _ = self._failures.pop(address, (0, 0.0))
            self._failures[address] = (count + 1, self.clock())
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)
