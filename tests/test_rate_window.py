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


async def test_a_released_request_holds_its_slot_until_a_window_after_its_answer() -> None:
    """The API counts a request when it arrives, after it left here: an answered request's slot
    comes back a window after the answer, so the next burst can never reach the API early."""
    t = FakeTime()
    limiter = SlidingWindowLimiter(2, 60.0, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()
    await limiter.acquire()  # two requests out at 1000
    t.now = 1001.5  # answers back 1.5 s later
    limiter.release()
    limiter.release()
    await limiter.acquire()
    assert t.now == 1061.5  # not 1060: a window after the answer
    limiter.release()  # answered at once
    await limiter.acquire()
    assert t.now == 1061.5  # the second answer's slot came back at the same moment
    t.now = 1200.0
    limiter.release()
    limiter.release()  # more releases than requests in flight: nothing to move
    await limiter.acquire()
    assert t.now == 1200.0


async def test_a_request_never_answered_frees_its_slot_a_window_after_it_left() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter(1, 60.0, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()  # never released (a stream that failed to open, a cancelled call)
    await limiter.acquire()
    assert t.now == 1060.0
    limiter.release()  # the second one is answered at 1060: its own stamp moves, not a lost one
    await limiter.acquire()
    assert t.now == 1120.0
