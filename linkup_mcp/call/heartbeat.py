"""Progress while a call runs: a call still running after HEARTBEAT_S reports the elapsed
seconds every second (waiting on LinkupAPI, a retry, a human)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import anyio

log = logging.getLogger(__name__)

# (progress, total, message): MCP progress notifications, a no-op when the client gave no token
Progress = Callable[[float, "float | None", str], Awaitable[None]]
HEARTBEAT_S = 1.0  # a call still running after this long reports progress every second


async def _heartbeat(progress: Progress, tool: str) -> None:
    """Elapsed seconds as progress while a call runs (waiting on LinkupAPI, a retry, a human).
    Started once the call has run HEARTBEAT_S."""
    elapsed = HEARTBEAT_S
    while True:
        try:
            await progress(elapsed, None, f"{tool}: still working after {elapsed:.0f} s")
        except Exception:  # a client gone or a transport hiccup must not fail the call
            log.debug("progress notification failed", exc_info=True)
            return
        await anyio.sleep(HEARTBEAT_S)
        elapsed += HEARTBEAT_S


class Heartbeat:
    """Runs `_heartbeat` for a call that lasts longer than HEARTBEAT_S, from a loop timer: most
    calls end well before, and a task group with a sleeping task per call (spawn, cancel, join:
    several event-loop turns) cost ~0.1 ms of every call."""

    def __init__(self, progress: Progress, tool: str):
        self._task: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(HEARTBEAT_S, self._start, loop, progress, tool)

    def _start(self, loop: asyncio.AbstractEventLoop, progress: Progress, tool: str) -> None:
        self._task = loop.create_task(_heartbeat(progress, tool))

    def stop(self) -> None:
        self._timer.cancel()
        if self._task is not None:
            self._task.cancel()
