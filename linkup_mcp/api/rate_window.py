"""Client-side pacing: at most N requests in any 60-second window, as the API counts them.

A sliding log rather than a leaky bucket (aiolimiter): a bucket either forbids bursts (one
second of capacity) or lets a full bucket plus a minute of drip through a sliding window (twice
the limit). The log allows a burst of up to N at once, then each request waits until the
oldest leaves the window: the exact rule, in a few lines, with no dependency.

The API counts a request when it arrives, which is after this process let it go, by as much as
a busy event loop, a new connection or the network take (tens to hundreds of milliseconds in a
burst of a hundred). A slot freed exactly 60 s after the request left can therefore be taken a
little before the API's own window frees it: a 429. So `release()`, called when the answer is
back, moves the request's stamp to that moment, which is after the API counted it: a slot comes
back 60 s after the answer (one API latency later than the bare rule), and no 429 comes from
this process's own pace (benchmarks/tasks.py, the batch of 100 reads, measured both).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio


class Limiter(Protocol):
    """What the client waits on before each request: this process's window, or one shared by every
    replica through a PostgreSQL ledger (store/postgres.py, given by the runtime). A limiter may
    also have `release()`, which the client calls when the request's answer (or failure) is back."""

    async def acquire(self) -> None: ...


def release(limiter: Limiter) -> None:
    """The request `limiter.acquire()` let go is answered: tell the limiter, if it wants to know."""
    done = getattr(limiter, "release", None)
    if done is not None:
        done()


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
        self._stamps: deque[float] = deque()  # one per request in the window, oldest first
        self._flying: deque[float] = deque()  # stamps of requests not released yet, oldest first
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
        stamps, flying = self._stamps, self._flying
        while stamps and now - stamps[0] >= self.period:
            gone = stamps.popleft()
            if flying and flying[0] == gone:  # in flight longer than the window: its slot is back
                flying.popleft()
        if len(stamps) < self.limit:
            stamps.append(now)
            flying.append(now)
            return True
        return False

    def release(self) -> None:
        """A request is answered: the oldest stamp still in flight moves to now (stamps stay in
        order: now is after every stamp). Which request's stamp moves does not matter; each
        answered request holds one slot until 60 s after an answer, never less."""
        if not self._flying:
            return
        stamp = self._flying.popleft()
        try:
            self._stamps.remove(stamp)
        except ValueError:  # already left the window
            return
        self._stamps.append(max(self._clock(), self._stamps[-1] if self._stamps else stamp))
