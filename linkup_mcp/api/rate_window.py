"""Client-side pacing: at most N requests in any 60-second window, as the API counts them.

A sliding log rather than a leaky bucket (aiolimiter): a bucket either forbids bursts (one
second of capacity) or lets a full bucket plus a minute of drip through a sliding window (twice
the limit). The log allows a burst of up to N at once, then each request waits until the
oldest leaves the window: the exact rule, in a few lines, with no dependency.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio


class Limiter(Protocol):
    """What the client waits on before each request: this process's window, or one shared by every
    replica through a PostgreSQL ledger (store/postgres.py, given by the runtime)."""

    async def acquire(self) -> None: ...


class SlidingWindowLimiter:
    def __init__(
        self,
        limit: int,
        period: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit, self.period = limit, period
        self._clock, self._sleep = clock, sleep
        self._stamps: deque[float] = deque()
        self._lock = anyio.Lock()  # fair: waiters go in arrival order

    async def acquire(self) -> None:
        # Nobody waiting and room in the window: take the slot without the lock, whose uncontended
        # acquire still yields to the event loop once (a loop turn on every API call). The lock is
        # held only by a caller waiting for room, so newcomers still queue behind it in order.
        if not self._lock.locked() and self._take(self._clock()):
            return
        async with self._lock:
            while True:
                now = self._clock()
                if self._take(now):
                    return
                await self._sleep(self._stamps[0] + self.period - now)

    def _take(self, now: float) -> bool:
        """Drop stamps that left the window; record `now` if there is room."""
        stamps = self._stamps
        while stamps and now - stamps[0] >= self.period:
            stamps.popleft()
        if len(stamps) < self.limit:
            stamps.append(now)
            return True
        return False
