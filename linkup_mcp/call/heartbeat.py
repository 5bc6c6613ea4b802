"""Progress while a call runs: a call still running after HEARTBEAT_S reports the elapsed
seconds every second (waiting on LinkupAPI, a retry, a human)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio

log = logging.getLogger(__name__)

# (progress, total, message): MCP progress notifications, a no-op when the client gave no token
Progress = Callable[[float, "float | None", str], Awaitable[None]]
HEARTBEAT_S = 1.0  # a call still running after this long reports progress every second


async def _heartbeat(progress: Progress, tool: str, wait_first: bool = True) -> None:
    """Elapsed seconds as progress, from HEARTBEAT_S on, until cancelled."""
    elapsed = HEARTBEAT_S
    if wait_first:
        await anyio.sleep(HEARTBEAT_S)
    while True:
        try:
            await progress(elapsed, None, f"{tool}: still working after {elapsed:.0f} s")
        except Exception:  # a client gone or a transport hiccup must not fail the call
            log.debug("progress notification failed", exc_info=True)
            return
        await anyio.sleep(HEARTBEAT_S)
        elapsed += HEARTBEAT_S


@asynccontextmanager
async def heartbeat(progress: Progress | None, tool: str) -> AsyncIterator[None]:
    """`async with heartbeat(progress, tool):` reports progress while the block runs (nothing
    when `progress` is None). An exception from the block comes out as itself, not in a group."""
    if progress is None:
        yield
        return
    failure: Exception | None = None
    async with anyio.create_task_group() as beats:
        beats.start_soon(_heartbeat, progress, tool)
        try:
            yield
        except Exception as exc:
            failure = exc
        finally:
            beats.cancel_scope.cancel()
    if failure is not None:
        raise failure
