"""The client's pacing: a burst up to the limit, then never more than the limit in any window."""

from __future__ import annotations

import anyio
import pytest

from linkup_mcp.api.rate_window import SlidingWindowLimiter

pytestmark = pytest.mark.anyio


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_burst_up_to_the_limit_then_wait_for_the_oldest() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter(5, 60.0, clock=t.clock, sleep=t.sleep)
    stamps = []
    for i in range(12):
        await limiter.acquire()
        stamps.append(t.now)
        t.now += 1.0 if i == 2 else 0.0  # a little time passes during the burst
    assert stamps[:5] == [1000.0, 1000.0, 1000.0, 1001.0, 1001.0]  # the burst is not slowed
    assert stamps[5:] == [1060.0, 1060.0, 1060.0, 1061.0, 1061.0, 1120.0, 1120.0]
    for start in stamps:  # the invariant the API enforces
        assert sum(1 for s in stamps if start <= s < start + 60.0) <= 5


async def test_concurrent_callers_share_one_window_in_arrival_order() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter(3, 10.0, clock=t.clock, sleep=t.sleep)
    order: list[tuple[int, float]] = []

    async def caller(i: int) -> None:
        await limiter.acquire()
        order.append((i, t.now))

    async with anyio.create_task_group() as tasks:
        for i in range(7):
            tasks.start_soon(caller, i)
            await anyio.sleep(0)  # arrival order 0, 1, 2, ...
    assert order == [(0, 1000.0), (1, 1000.0), (2, 1000.0), (3, 1010.0), (4, 1010.0), (5, 1010.0), (6, 1020.0)]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindowLimiter(0)
