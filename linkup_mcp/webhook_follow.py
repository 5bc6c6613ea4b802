"""Follow one hosted webhook's SSE stream for as long as somebody listens: reconnect with
backoff when it drops, resume after the last event seen (`Last-Event-ID`), so no event is lost
or seen twice across reconnects. The caller decides what an event means (a resource update)."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
import httpx2

from linkup_mcp.client import LinkupClient, StreamRefused

log = logging.getLogger(__name__)

OnEvent = Callable[[httpx2.ServerSentEvent], Awaitable[None]]


@dataclass
class Backoff:
    """Exponential backoff with full jitter; reset once a connection is up again."""

    base_s: float = 0.5
    cap_s: float = 30.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        self.failures += 1
        ceiling = min(self.cap_s, self.base_s * 2 ** (self.failures - 1))
        return self.rng.uniform(ceiling / 2, ceiling)


class WebhookFollower:
    """The state of following one webhook: the resume point, and whether the stream is up."""

    def __init__(self, client: LinkupClient, webhook_id: str, on_event: OnEvent, *, backoff: Backoff | None = None):
        self.client = client
        self.webhook_id = webhook_id
        self.on_event = on_event
        self.backoff = backoff or Backoff()
        self.last_event_id: str | None = None
        self.connections = 0  # streams opened so far (1 + reconnects)

    async def run(self, *, task_status: anyio.abc.TaskStatus[StreamRefused | None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Follow until cancelled or refused. `task_status.started` fires after the first attempt:
        with None once the stream is up (or a network failure left it retrying), with the
        StreamRefused when the API refused it (unknown webhook, custom mode, bad key)."""
        started = False
        while True:
            try:
                async with self.client.event_stream(self.webhook_id, last_event_id=self.last_event_id) as events:
                    self.connections += 1
                    self.backoff.failures = 0
                    async for sse in events:
                        if sse.event == "connected" and not started:
                            started = True
                            task_status.started(None)
                        elif sse.event == "webhook":
                            self.last_event_id = sse.id or self.last_event_id
                            await self.on_event(sse)
                log.info("webhook %s: the event stream ended; reconnecting", self.webhook_id)
            except StreamRefused as refused:
                log.warning("webhook %s: the API refused its event stream: %s", self.webhook_id, refused)
                if not started:
                    task_status.started(refused)
                return
            except (httpx2.TransportError, httpx2.StreamError) as exc:
                log.info("webhook %s: event stream failed (%s); reconnecting", self.webhook_id, type(exc).__name__)
            if not started:
                started = True
                task_status.started(None)
            await anyio.sleep(self.backoff.next_delay())
