"""Follow one hosted webhook's SSE stream for as long as somebody listens: reconnect with
backoff when it drops, resume after the last event seen (`Last-Event-ID`), so no event is lost
or seen twice across reconnects. The caller decides what an event means (a resource update)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
import anyio.abc
import httpx2

from linkup_mcp.api.client import LinkupClient, StreamRefused

log = logging.getLogger(__name__)

OnEvent = Callable[[httpx2.ServerSentEvent], Awaitable[None]]
STABLE_S = 30.0  # a stream up this long (or that delivered an event) resets the backoff


@dataclass
class Backoff:
    """Exponential backoff with full jitter; reset once a connection has proved itself."""

    base_s: float = 0.5
    cap_s: float = 30.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        self.failures += 1
        ceiling = min(self.cap_s, self.base_s * 2 ** (self.failures - 1))
        return self.rng.uniform(ceiling / 2, ceiling)


class WebhookFollower:
    """The state of following one webhook: the resume point, and how the stream has fared."""

    def __init__(
        self,
        client: LinkupClient,
        webhook_id: str,
        on_event: OnEvent,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ):
        self.client = client
        self.webhook_id = webhook_id
        self.on_event = on_event
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.sleep = sleep
        self.last_event_id: str | None = None
        self.connections = 0  # streams opened so far (1 + reconnects)

    async def run(self, *, task_status: anyio.abc.TaskStatus[StreamRefused | None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Follow until cancelled or refused. `task_status.started` fires after the first attempt:
        with None once the stream is open (or a transient failure left it retrying), with the
        StreamRefused when the API refused it for good (unknown webhook, custom mode, bad key).
        Rate limits and server errors are transient: retried after backoff (or Retry-After)."""
        started = False
        while True:
            retry_after: float | None = None
            try:
                async with self.client.event_stream(self.webhook_id, last_event_id=self.last_event_id) as events:
                    self.connections += 1
                    if not started:
                        started = True
                        task_status.started(None)
                    opened = self.clock()
                    async for sse in events:
                        if sse.event == "webhook":
                            self.last_event_id = sse.id or self.last_event_id
                            self.backoff.failures = 0
                            await self.on_event(sse)
                    if self.clock() - opened >= STABLE_S:
                        self.backoff.failures = 0
                log.info("webhook %s: the event stream ended; reconnecting", self.webhook_id)
            except StreamRefused as refused:
                if not refused.transient:
                    log.warning("webhook %s: the API refused its event stream: %s", self.webhook_id, refused)
                    if not started:
                        task_status.started(refused)
                    return
                retry_after = refused.retry_after
                log.info("webhook %s: event stream refused for now (%s); retrying", self.webhook_id, refused)
            except (httpx2.TransportError, httpx2.StreamError) as exc:
                log.info("webhook %s: event stream failed (%s); reconnecting", self.webhook_id, type(exc).__name__)
            if not started:
                started = True
                task_status.started(None)
            delay = self.backoff.next_delay()
            await self.sleep(max(delay, retry_after or 0.0))
