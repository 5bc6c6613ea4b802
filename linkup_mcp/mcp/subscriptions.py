"""Resource subscriptions to hosted webhooks' events, for both protocol eras.

A client subscribes to `linkup://webhooks/{id}/events` with `resources/subscribe` (handshake
era) or `subscriptions/listen` (2026-07-28). While anybody is subscribed, one follower per
(runtime, webhook) reads the webhook's SSE stream (`webhook_follow.py`) and every event becomes
one `notifications/resources/updated` for each subscriber; the last one leaving stops it.

A subscription is acknowledged only once the stream is up, so an event that happens right after
is not missed; the API refusing the stream (unknown webhook, custom mode) fails the subscription
with its message. Runtimes are kept apart (HTTP per-request keys): a follower uses its runtime's
key, and each runtime has its own listen bus.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
import anyio.abc
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ResourceUpdated
from mcp.shared.exceptions import MCPError

from linkup_mcp.api.client import StreamRefused
from linkup_mcp.api.webhook_follow import WebhookFollower
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.errors import Code
from linkup_mcp.mcp.resources import WEBHOOK_EVENTS_TEMPLATE, webhook_events_uri, webhook_of, webhooks_exposed

log = logging.getLogger(__name__)

_CLEANUP_KEY = "linkup_mcp.mcp.subscriptions"  # in the SDK connection's `state`: cleanup registered


class Sink(Protocol):
    """Where a resource update goes: one session, or a runtime's listen bus."""

    async def resource_updated(self, uri: str) -> None: ...


@dataclass(frozen=True)
class SessionSink:
    """A handshake-era client connection that sent `resources/subscribe`.

    The SDK hands each request a fresh `ServerSession` over the one connection, so sinks are
    equal by connection (its private `_connection`: there is no public handle; the e2e tests
    would catch a change) and notify through the subscribing request's session."""

    connection: Any
    session: Any = field(compare=False)

    @classmethod
    def of(cls, session: Any) -> SessionSink:
        return cls(getattr(session, "_connection", session), session)

    async def resource_updated(self, uri: str) -> None:
        await self.session.send_resource_updated(uri)


@dataclass(frozen=True, eq=False)
class BusSink:
    """Every `subscriptions/listen` stream of a runtime: the bus filters by URI per stream."""

    bus: InMemorySubscriptionBus

    async def resource_updated(self, uri: str) -> None:
        await self.bus.publish(ResourceUpdated(uri=uri))


@dataclass
class _Follow:
    key: tuple[int, str]  # (id of the runtime, webhook id)
    uri: str
    sinks: Counter[Sink] = field(default_factory=Counter)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    ready: anyio.Event = field(default_factory=anyio.Event)
    refused: StreamRefused | None = None


@dataclass
class _Listen:
    bus: InMemorySubscriptionBus
    handler: ListenHandler
    sink: BusSink


class Subscriptions:
    def __init__(self, tasks: anyio.abc.TaskGroup):
        self._tasks = tasks
        self._follows: dict[tuple[int, str], _Follow] = {}
        self._listens: dict[int, _Listen] = {}

    @classmethod
    @asynccontextmanager
    async def running(cls) -> AsyncIterator[Subscriptions]:
        """Followers live in this context's task group; leaving it stops them all."""
        async with anyio.create_task_group() as tasks:
            subscriptions = cls(tasks)
            try:
                yield subscriptions
            finally:
                subscriptions.stop()

    def stop(self) -> None:
        """End every listen stream and follower (before the API clients close)."""
        for listen in self._listens.values():
            listen.handler.close()
        self._tasks.cancel_scope.cancel()

    def active(self, runtime: Runtime) -> list[str]:
        """The webhook ids followed for this runtime (for tests and `doctor`-like views)."""
        return sorted(webhook for key, webhook in self._follows if key == id(runtime))

    async def subscribe(self, runtime: Runtime, uri: str, sink: Sink) -> None:
        webhook_id = self._webhook(runtime, uri)
        key = (id(runtime), webhook_id)
        for _ in range(3):  # a follow that ended while we waited for it: start another
            follow = self._follows.get(key)
            if follow is None:
                follow = self._follows[key] = _Follow(key, uri)
                self._tasks.start_soon(self._follow, runtime, webhook_id, follow)
            follow.sinks[sink] += 1  # before the stream is up: its first event must find the sink
            try:
                await follow.ready.wait()
            except BaseException:  # the subscriber gave up (cancelled): leave nothing behind
                self._release(follow, sink)
                raise
            if follow.refused is not None:
                raise MCPError(
                    types.INVALID_PARAMS,
                    f"Cannot follow webhook {webhook_id}: {follow.refused.message}. "
                    "Subscriptions need a hosted webhook of this key (webhooks_list shows them).",
                )
            if self._follows.get(key) is follow:
                return
            self._release(follow, sink)
        raise MCPError(types.INTERNAL_ERROR, f"Cannot follow webhook {webhook_id}: its stream keeps ending; retry.")

    async def subscribe_session(self, runtime: Runtime, uri: str, session: Any) -> None:
        """`resources/subscribe` from a session: its subscriptions end with its connection."""
        sink = SessionSink.of(session)
        await self.subscribe(runtime, uri, sink)
        connection = sink.connection
        state = getattr(connection, "state", None)
        if isinstance(state, dict) and not state.get(_CLEANUP_KEY):
            state[_CLEANUP_KEY] = True
            connection.exit_stack.callback(self.drop, sink)

    def unsubscribe_session(self, runtime: Runtime, uri: str, session: Any) -> None:
        self.unsubscribe(runtime, uri, SessionSink.of(session))

    def drop(self, sink: Sink) -> None:
        """Every subscription of `sink` ends (its connection closed)."""
        for follow in list(self._follows.values()):
            if follow.sinks.pop(sink, None) and not follow.sinks:
                self._stop(follow)

    def unsubscribe(self, runtime: Runtime, uri: str, sink: Sink) -> None:
        follow = self._follows.get((id(runtime), webhook_of(uri) or ""))
        if follow is not None:
            self._release(follow, sink)

    def _release(self, follow: _Follow, sink: Sink) -> None:
        if follow.sinks[sink] <= 1:
            follow.sinks.pop(sink, None)  # not subscribed: unsubscribing is idempotent
        else:
            follow.sinks[sink] -= 1
        if not follow.sinks:
            self._stop(follow)

    def _stop(self, follow: _Follow) -> None:
        """End a follow now: forgotten at once, so a new subscriber starts a fresh one."""
        follow.scope.cancel()
        if self._follows.get(follow.key) is follow:
            del self._follows[follow.key]

    async def listen(
        self, runtime: Runtime, ctx: ServerRequestContext[Any], params: types.SubscriptionsListenRequestParams
    ) -> types.SubscriptionsListenResult:
        """Serve one `subscriptions/listen` stream, following the webhooks it names meanwhile.
        Other URIs are honoured and never fire (as the SDK's handler does for unknown ones)."""
        listen = self._listens.get(id(runtime))
        if listen is None:
            bus = InMemorySubscriptionBus()
            listen = self._listens[id(runtime)] = _Listen(bus, ListenHandler(bus), BusSink(bus))
        uris = [u for u in params.notifications.resource_subscriptions or [] if webhook_of(u) is not None]
        subscribed: list[str] = []
        try:
            for uri in uris:
                await self.subscribe(runtime, uri, listen.sink)
                subscribed.append(uri)
            return await listen.handler(ctx, params)
        finally:
            for uri in subscribed:
                self.unsubscribe(runtime, uri, listen.sink)

    def _webhook(self, runtime: Runtime, uri: str) -> str:
        webhook_id = webhook_of(uri)
        if webhook_id is None:
            raise MCPError(
                types.INVALID_PARAMS,
                f"Cannot subscribe to {uri}: only {WEBHOOK_EVENTS_TEMPLATE} resources change on their own.",
            )
        if not webhooks_exposed(runtime):
            raise MCPError(
                types.INVALID_PARAMS,
                f"Cannot subscribe to {uri}: the webhooks toolset is off (add webhooks to LINKUP_TOOLSETS).",
            )
        if runtime.client is None:
            raise MCPError(types.INVALID_PARAMS, f"Cannot subscribe to {uri}: no API key (set LINKUP_API_KEY).")
        return webhook_id

    async def _follow(self, runtime: Runtime, webhook_id: str, follow: _Follow) -> None:
        async def on_event(_: Any) -> None:
            await self._notify(follow)

        assert runtime.client is not None
        follower = WebhookFollower(runtime.client, webhook_id, on_event)
        try:
            with follow.scope:  # cancelled when the last subscriber leaves
                async with anyio.create_task_group() as tasks:
                    follow.refused = await tasks.start(follower.run)
                    follow.ready.set()
                if follow.refused is None:
                    # Refused on a reconnect (webhook deleted, or no longer hosted): subscribers
                    # read the resource once more and find out why.
                    await self._notify(follow)
        except Exception as exc:  # a bug of ours must not take the server (this task group) down
            log.error("webhook %s: following its stream failed: %r", webhook_id, exc)
            if not follow.ready.is_set():
                follow.refused = StreamRefused(500, Code.INTERNAL_ERROR, f"linkup-mcp failed ({type(exc).__name__})")
        finally:
            follow.ready.set()
            if self._follows.get(follow.key) is follow:
                del self._follows[follow.key]

    async def _notify(self, follow: _Follow) -> None:
        for sink in list(follow.sinks):
            try:
                await sink.resource_updated(follow.uri)
            except Exception as exc:  # the session is gone: forget it
                log.info("dropping a subscriber of %s: %s", follow.uri, type(exc).__name__)
                follow.sinks.pop(sink, None)
                if not follow.sinks:
                    self._stop(follow)


__all__ = ["BusSink", "SessionSink", "Subscriptions", "webhook_events_uri"]
