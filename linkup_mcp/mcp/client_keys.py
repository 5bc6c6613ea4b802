"""Per-request keys (LINKUP_CLIENT_KEYS): the runtime of each request's `X-Linkup-Api-Key`, with
the number open bounded so that a flood of keys cannot exhaust the server.

One runtime per distinct key (its own API client, credit meter and ledger), kept by the key's
SHA-256 and opened on first use. At most `max_open` stay open: a new key closes an idle one (no
request using it, no webhook followed for it) — the least recently used of those used only once
(what a flood of new keys leaves), else the least recently used — and a runtime idle for
`idle_s` is closed by `reap` (its ledger file and HTTP connections released; opened again, from
the same ledger, on the key's next request). When every open runtime is in use, a new key waits
its turn for the next one freed (at most `wait_s`, then "busy, retry") — the users already
served carry on, and a key in use more than once outlasts a flood of keys used once. A key is masked in logs (in every
form) from the moment it is seen.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from linkup_mcp.call.runtime import Runtime, open_runtime
from linkup_mcp.config import Settings
from linkup_mcp.redact import log_redactor

log = logging.getLogger(__name__)

KEY_HEADER = "x-linkup-api-key"
KEY_SHAPE = re.compile(r"[\x21-\x7e]{6,256}")  # printable ASCII, no spaces


@dataclass
class _Open:
    runtime: Runtime | None = None  # None while it opens
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    ready: anyio.Event = field(default_factory=anyio.Event)
    failed: BaseException | None = None
    in_use: int = 0
    uses: int = 0  # requests served: a key used once (what a flood of new keys leaves) goes first
    last_used: float = field(default_factory=time.monotonic)


@dataclass
class _Waiter:
    """A new key waiting for room, first come first served."""

    event: anyio.Event = field(default_factory=anyio.Event)
    granted: bool = False
    victim: _Open | None = None  # the idle runtime taken out to make the room; the waiter closes it


class ClientKeys:
    """`runtime_for` of `create_server`: an async context manager per request, holding the
    request's runtime open while the request runs.

    The bookkeeping is synchronous (no await between a check and what it decides), so it needs
    no lock on the event loop; opening and closing runtimes happen outside it."""

    def __init__(
        self,
        default: Runtime,
        settings_for: Callable[[str, str], Settings],
        *,
        max_open: int = 100,
        idle_s: float = 300.0,
        wait_s: float = 10.0,
        busy: Callable[[Runtime], bool] = lambda runtime: False,
    ):
        self._default, self._settings_for = default, settings_for
        self.max_open, self.idle_s, self.wait_s, self._busy = max_open, idle_s, wait_s, busy
        self._open: OrderedDict[str, _Open] = OrderedDict()  # least recently used first
        self._waiters: deque[_Waiter] = deque()
        self._reserved = 0  # room granted to waiters that have not taken it yet

    @property
    def open_count(self) -> int:
        return len(self._open)

    @asynccontextmanager
    async def __call__(self, ctx: ServerRequestContext[Any]) -> AsyncIterator[Runtime]:
        headers = getattr(ctx.request, "headers", None)  # the Starlette request on HTTP transports
        key = (headers.get(KEY_HEADER) or "").strip() if headers is not None else ""
        if not key:
            yield self._default
            return
        if not KEY_SHAPE.fullmatch(key):
            raise MCPError(types.INVALID_PARAMS, "X-Linkup-Api-Key: expected 6-256 printable ASCII characters")
        entry = await self._lease(key)
        try:
            assert entry.runtime is not None
            yield entry.runtime
        finally:
            self._release(entry)

    async def _lease(self, key: str) -> _Open:
        """The key's entry, counted in use (nobody closes it) from the moment it is found."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        entry = self._open.get(digest)
        if entry is None:
            entry = await self._admit(key, digest)
        else:
            entry.in_use += 1  # no await since the lookup: it cannot have been closed meanwhile
            self._open.move_to_end(digest)
        try:
            await entry.ready.wait()
        except BaseException:
            self._release(entry)
            raise
        if entry.failed is not None:
            self._release(entry)
            raise MCPError(types.INTERNAL_ERROR, "Could not open this key's runtime; retry in a few seconds.")
        entry.uses += 1
        return entry

    async def _admit(self, key: str, digest: str) -> _Open:
        """Room for a new key — free, an idle runtime's, or (full) the next to be freed, waited
        for in turn — then its entry; the caller waits until it is ready."""
        victim = None
        if self._waiters or not self._has_room():
            victim = None if self._waiters else self._take_idle()
            if victim is None:
                victim = await self._wait_for_room()
                self._reserved -= 1
        entry = self._open.get(digest)
        if entry is not None:  # opened meanwhile by another request with this key: the room goes on
            entry.in_use += 1
            self._hand_over()
            if victim is not None:
                await self._close(victim)
            return entry
        entry = self._open[digest] = _Open(in_use=1)
        await self._start(entry, key, digest, victim)
        return entry

    def _has_room(self) -> bool:
        return len(self._open) + self._reserved < self.max_open

    def _take_idle(self) -> _Open | None:
        """An idle runtime taken out of the table (its key used once first, else the least
        recently used); None when every one is in use."""
        idle = [d for d, e in self._open.items() if self._idle(e)]  # least recently used first
        victim = next((d for d in idle if self._open[d].uses < 2), idle[0] if idle else None)
        return None if victim is None else self._open.pop(victim)

    async def _wait_for_room(self) -> _Open | None:
        waiter = _Waiter()
        self._waiters.append(waiter)
        self._hand_over()  # room may be there already
        try:
            with anyio.move_on_after(self.wait_s):
                await waiter.event.wait()
        except BaseException:  # the request was cancelled: give back what it was granted
            if waiter.granted:
                self._reserved -= 1
                self._hand_over()
                if waiter.victim is not None:
                    await self._close(waiter.victim)
            else:
                self._waiters.remove(waiter)
            raise
        if not waiter.granted:
            self._waiters.remove(waiter)
            raise MCPError(
                types.INTERNAL_ERROR,
                "This server is serving as many API keys as it may at once; retry in a few seconds.",
            )
        return waiter.victim

    def _hand_over(self) -> None:
        """Grant room to the waiters, in turn, while there is some (free, or an idle runtime)."""
        while self._waiters:
            victim = None
            if not self._has_room():
                victim = self._take_idle()
                if victim is None:
                    return
            waiter = self._waiters.popleft()
            waiter.granted, waiter.victim = True, victim
            self._reserved += 1
            waiter.event.set()

    def _release(self, entry: _Open) -> None:
        entry.in_use -= 1
        entry.last_used = time.monotonic()
        if entry.in_use == 0 and self._waiters:
            self._hand_over()

    async def _start(self, entry: _Open, key: str, digest: str, victim: _Open | None) -> None:
        """Close the runtime it replaces, then open the key's (other keys are served meanwhile)."""
        try:
            if victim is not None:
                await self._close(victim)
            redactor = log_redactor()
            if redactor is not None:
                redactor.add(key)
                entry.stack.callback(redactor.remove, key)  # last: after the runtime has closed
            entry.runtime = await entry.stack.enter_async_context(open_runtime(self._settings_for(key, digest)))
            log.info("opened a runtime for client key %s… (%d open)", digest[:8], len(self._open))
        except BaseException as exc:
            entry.failed = exc
            if self._open.get(digest) is entry:
                del self._open[digest]
            self._hand_over()
            await self._close(entry)
            if not isinstance(exc, Exception):
                raise
            log.warning("could not open a runtime for client key %s…: %s", digest[:8], type(exc).__name__)
        finally:
            entry.ready.set()

    def _idle(self, entry: _Open) -> bool:
        return entry.in_use == 0 and entry.runtime is not None and not self._busy(entry.runtime)

    @staticmethod
    async def _close(entry: _Open) -> None:
        with anyio.CancelScope(shield=True):
            await entry.stack.aclose()

    async def reap(self) -> int:
        """Close the runtimes idle for `idle_s` or more; how many."""
        now = time.monotonic()
        stale = [d for d, e in self._open.items() if self._idle(e) and now - e.last_used >= self.idle_s]
        closing = [self._open.pop(d) for d in stale]  # out of the table before any await
        self._hand_over()
        for entry in closing:
            await self._close(entry)
        if closing:
            log.info("closed %d idle client-key runtimes (%d open)", len(closing), len(self._open))
        return len(closing)

    async def reap_forever(self) -> None:
        while True:
            await anyio.sleep(max(0.05, self.idle_s / 4))
            await self.reap()

    async def aclose(self) -> None:
        closing = list(self._open.values())
        self._open.clear()
        for entry in closing:
            if entry.runtime is not None:
                await self._close(entry)
