"""`python -m linkup_mcp`, with some performance tricks switched off: the "without" side of
benchmarks/tricks.py.

    BENCH_WITHOUT=name,name python benchmarks/variant_server.py ROOT [linkup-mcp args]

ROOT is the checkout whose `linkup_mcp` runs. Each name in BENCH_WITHOUT replaces one trick with
the plain way of doing the same thing, before the server starts; no name runs the server as is
(through this launcher too, so every variant pays the same start-up). Not a test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


def _stdio_threads() -> None:
    """The SDK's own stdio transport: stdin and stdout read and written by worker threads."""
    from linkup_mcp.mcp import stdio_lines, stdio_pipes

    stdio_pipes.pollable = stdio_lines.pollable = lambda fd: False  # type: ignore[assignment]


def _one_validator() -> None:
    """jsonschema alone decides (no fastjsonschema quick check first)."""
    from linkup_mcp.call import validation

    validation._quick_check = lambda schema: validation._never  # type: ignore[assignment]


def _ledger_immediate() -> None:
    """Every ledger row inserted when recorded (no timer thread batching read rows)."""
    from linkup_mcp.store.ledger import Ledger

    record = Ledger.record

    def immediate(self: Any, *args: Any, deferred: bool = False, **kwargs: Any) -> None:
        record(self, *args, **kwargs)

    Ledger.record = immediate  # type: ignore[method-assign]


def _yaml_each_start() -> None:
    """The YAML specs parsed at every start (no JSON copy in the user cache dir)."""
    from linkup_mcp.spec import loader

    loader._read_cache = lambda files: None  # type: ignore[assignment]
    loader._write_cache = lambda files, documents: None  # type: ignore[assignment]


def _url_each_call() -> None:
    """The request URL parsed on every call (no parsed-URL cache)."""
    import httpx2

    from linkup_mcp.api.client import LinkupClient

    LinkupClient._url = lambda self, path: httpx2.URL(self._base + path)  # type: ignore[method-assign]


def _eager_http_client() -> None:
    """The pooled AsyncClient (and its TLS context) built at start-up, not on the first request."""
    from linkup_mcp.api.client import LinkupClient

    init = LinkupClient.__init__

    def eager(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._http  # noqa: B018 - builds the client now

    LinkupClient.__init__ = eager  # type: ignore[method-assign]


def _eager_jsonschema() -> None:
    """jsonschema imported at start-up, not by the first tool call."""
    import jsonschema  # noqa: F401


def _heartbeat_task() -> None:
    """The progress heartbeat as a task per call (sleeps, then beats), not a loop timer."""
    import anyio

    from linkup_mcp.call import dispatcher, heartbeat

    class TaskHeartbeat:
        def __init__(self, progress: Any, tool: str):
            import asyncio

            async def later() -> None:
                await anyio.sleep(heartbeat.HEARTBEAT_S)
                await heartbeat._heartbeat(progress, tool)

            self._task = asyncio.get_running_loop().create_task(later())

        def stop(self) -> None:
            self._task.cancel()

    dispatcher.Heartbeat = TaskHeartbeat  # type: ignore[misc,assignment]


def _no_gc_freeze() -> None:
    """No gc.freeze() after start-up."""
    import gc

    gc.freeze = lambda: None


def _result_model() -> None:
    """The tool result built as a CallToolResult model (the SDK dumps it), not as its wire dict."""
    import mcp_types as types

    from linkup_mcp.mcp import server

    to_wire = server.tool_result

    def as_model(*args: Any, **kwargs: Any) -> Any:
        return types.CallToolResult.model_validate(to_wire(*args, **kwargs))

    server.tool_result = as_model  # type: ignore[assignment]


def _limiter_lock() -> None:
    """The rate limiter's lock taken on every request (no lock-free path while it has room)."""
    from linkup_mcp.api.rate_window import SlidingWindowLimiter

    async def acquire(self: Any) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if self._take(now):
                    return
                await self._sleep(self._stamps[0] + self.period - now)

    SlidingWindowLimiter.acquire = acquire  # type: ignore[method-assign]


PATCHES: dict[str, Callable[[], None]] = {
    "stdio-pipes": _stdio_threads,
    "quick-validator": _one_validator,
    "ledger-timer": _ledger_immediate,
    "yaml-cache": _yaml_each_start,
    "url-cache": _url_each_call,
    "lazy-http-client": _eager_http_client,
    "lazy-jsonschema": _eager_jsonschema,
    "heartbeat-timer": _heartbeat_task,
    "gc-freeze": _no_gc_freeze,
    "wire-dict-result": _result_model,
    "limiter-fast-path": _limiter_lock,
}


def main() -> None:
    root, *args = sys.argv[1:]
    sys.path.insert(0, root)
    os.chdir(root)
    for name in filter(None, os.environ.get("BENCH_WITHOUT", "").split(",")):
        PATCHES[name]()
    from linkup_mcp.__main__ import main as linkup_main

    sys.argv = ["linkup-mcp", *args]
    sys.exit(linkup_main(args))


if __name__ == "__main__":
    main()
