"""The subscription manager in-process against the sandbox: one follower per webhook however many
subscribe, stopped when the last leaves; a webhook deleted while followed tells its subscribers
once; a subscriber whose session is gone is dropped; backoff grows and resets."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.lowlevel
import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.api.webhook_follow import Backoff, WebhookFollower
from linkup_mcp.call.runtime import Runtime, open_runtime
from linkup_mcp.config import Settings
from linkup_mcp.mcp.resources import webhook_events_uri
from linkup_mcp.mcp.subscriptions import Subscriptions
from linkup_mcp.sandbox import SandboxConfig, SandboxServer

pytestmark = pytest.mark.anyio


class Recorder:
    """A sink that records updates, or fails like a closed session."""

    def __init__(self, fail: bool = False):
        self.uris: list[str] = []
        self.fail = fail

    async def resource_updated(self, uri: str) -> None:
        if self.fail:
            raise anyio.ClosedResourceError
        self.uris.append(uri)


@asynccontextmanager
async def world() -> AsyncIterator[tuple[Runtime, Subscriptions, httpx2.AsyncClient, str]]:
    with SandboxServer(SandboxConfig(event_delay_s=3600)) as sandbox:
        settings = Settings(
            api_key=sandbox.config.api_key,
            base_url=sandbox.base_url,
            account_id=sandbox.config.account_id,
            toolsets=["webhooks"],
            ledger=":memory:",
        )
        headers = {"x-api-key": sandbox.config.api_key}
        async with (
            httpx2.AsyncClient(base_url=sandbox.base_url, headers=headers) as admin,
            open_runtime(settings) as runtime,
            Subscriptions.running() as subscriptions,
        ):
            created = await runtime.call("webhooks_create", {})
            yield runtime, subscriptions, admin, created["data"]["webhook_id"]


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    with anyio.fail_after(timeout):
        while not check():
            await anyio.sleep(0.02)


async def streams_opened(admin: httpx2.AsyncClient) -> int:
    requests = (await admin.get("/_sandbox/requests")).json()["requests"]
    return sum(r["action"] == "stream_webhook" for r in requests)


async def inject(admin: httpx2.AsyncClient, **payload: Any) -> None:
    assert (await admin.post("/_sandbox/events", json={"type": "message", **payload})).status_code == 200


async def test_one_follower_for_many_subscribers_until_the_last_leaves() -> None:
    async with world() as (runtime, subscriptions, admin, webhook_id):
        uri, runtime = webhook_events_uri(webhook_id), runtime
        a, b = Recorder(), Recorder()
        await subscriptions.subscribe(runtime, uri, a)
        await subscriptions.subscribe(runtime, uri, b)
        await subscriptions.subscribe(runtime, uri, b)  # twice: needs two unsubscribes
        assert subscriptions.active(runtime) == [webhook_id]
        await inject(admin)
        await eventually(lambda: len(a.uris) == 1 and len(b.uris) == 1)
        assert await streams_opened(admin) == 1

        subscriptions.unsubscribe(runtime, uri, a)
        subscriptions.unsubscribe(runtime, uri, a)  # idempotent
        subscriptions.unsubscribe(runtime, uri, b)
        await inject(admin)
        await eventually(lambda: len(b.uris) == 2)
        assert a.uris == [uri]
        subscriptions.unsubscribe(runtime, uri, b)
        await eventually(lambda: subscriptions.active(runtime) == [])
        await inject(admin)
        await anyio.sleep(0.3)
        assert (a.uris, b.uris) == ([uri], [uri, uri])


async def test_deleted_webhook_tells_subscribers_once_and_stops() -> None:
    async with world() as (runtime, subscriptions, _, webhook_id):
        uri, runtime = webhook_events_uri(webhook_id), runtime
        sink = Recorder()
        await subscriptions.subscribe(runtime, uri, sink)
        deleted = await runtime.call("webhooks_delete", {"webhook_id": webhook_id}, confirm=None)
        assert deleted["ok"] is True, deleted["error"]
        # The stream ends, the reconnect is refused (404): one last update, so the client reads the
        # resource and finds the webhook gone; no follower left retrying.
        await eventually(lambda: sink.uris == [uri] and subscriptions.active(runtime) == [])
        await anyio.sleep(0.3)
        assert sink.uris == [uri]
        with pytest.raises(MCPError, match=f"Cannot follow webhook {webhook_id}: Webhook not found"):
            await subscriptions.subscribe(runtime, uri, sink)


async def test_a_gone_session_is_dropped_and_the_follower_stops() -> None:
    async with world() as (runtime, subscriptions, admin, webhook_id):
        uri, runtime = webhook_events_uri(webhook_id), runtime
        await subscriptions.subscribe(runtime, uri, Recorder(fail=True))
        await inject(admin)
        await eventually(lambda: subscriptions.active(runtime) == [])


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    backoff.failures = 0  # what the follower does once a stream is up again
    assert 0.25 <= backoff.next_delay() <= 0.5


# -- the follower against scripted answers (MockTransport) ---------------------------------------

SSE = {"content-type": "text/event-stream"}


async def follow_script(
    answers: list[httpx2.Response], *, sleeps: int
) -> tuple[Any, list[httpx2.Request], list[float]]:
    """Run a follower against `answers` (then the last one again) until it has slept `sleeps`
    times; (its first `started` value, the requests, the delays slept)."""
    requests: list[httpx2.Request] = []
    delays: list[float] = []
    events: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return answers[min(len(requests), len(answers)) - 1]

    async def sleep(delay: float) -> None:  # no real waiting; the last one ends the follower
        delays.append(delay)
        if len(delays) >= sleeps:
            tasks.cancel_scope.cancel()
        await anyio.lowlevel.checkpoint()

    async def on_event(sse: Any) -> None:
        events.append(sse.id)

    client = LinkupClient(base_url="http://api.test", api_key="k-123456", transport=httpx2.MockTransport(answer))
    follower = WebhookFollower(client, "wh_1", on_event, backoff=Backoff(rng=random.Random(3)), sleep=sleep)
    started: list[Any] = []
    async with anyio.create_task_group() as tasks:
        started.append(await tasks.start(follower.run))
    await client.aclose()
    return started[0] if started else None, requests, delays


def sse_answer(body: str) -> httpx2.Response:
    return httpx2.Response(200, headers=SSE, content=body.encode())


async def test_follower_resumes_after_the_last_event_and_backs_off_while_streams_keep_closing() -> None:
    first = sse_answer('event: connected\ndata: {}\n\nid: evt_7\nevent: webhook\ndata: {"event_id": "evt_7"}\n\n')
    empty = sse_answer(": keepalive\n\n")  # accepted, then closed at once, again and again
    started, requests, delays = await follow_script([first, empty], sleeps=5)
    assert started is None
    assert requests[0].url.params["api_key"] == "k-123456" and "last-event-id" not in requests[0].headers
    assert [r.headers.get("last-event-id") for r in requests[1:]] == ["evt_7"] * 4
    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0]  # no reset for a stream that proved nothing
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True)), delays


async def test_follower_retries_rate_limits_and_server_errors_but_not_refusals() -> None:
    limited = httpx2.Response(429, headers={"retry-after": "7"}, json={"error": {"code": "RATE_LIMITED"}})
    broken = httpx2.Response(503, text="upstream down")
    started, requests, delays = await follow_script([limited, broken, sse_answer("")], sleeps=3)
    assert started is None and len(requests) == 3  # subscribed; still trying
    assert delays[0] == 7.0  # Retry-After honoured

    gone = httpx2.Response(404, json={"error": "Not found"})  # an error that is a bare string
    requests = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return gone

    client = LinkupClient(base_url="http://api.test", api_key="k-123456", transport=httpx2.MockTransport(answer))
    follower = WebhookFollower(client, "wh_1", on_event=lambda sse: anyio.sleep(0))
    async with anyio.create_task_group() as tasks:
        refused = await tasks.start(follower.run)
    assert (refused.status, refused.code, refused.message) == (404, "HTTP_404", "Not found")
    assert len(requests) == 1
    await client.aclose()


async def test_resubscribing_at_once_starts_a_fresh_follow() -> None:
    async with world() as (runtime, subscriptions, admin, webhook_id):
        uri, runtime = webhook_events_uri(webhook_id), runtime
        sink = Recorder()
        await subscriptions.subscribe(runtime, uri, sink)
        subscriptions.unsubscribe(runtime, uri, sink)
        await subscriptions.subscribe(runtime, uri, sink)  # before the old follow has wound down
        await inject(admin)
        await eventually(lambda: sink.uris == [uri])
        assert await streams_opened(admin) == 2


async def test_a_cancelled_subscribe_leaves_no_follower() -> None:
    async with world() as (runtime, subscriptions, admin, webhook_id):
        uri, runtime = webhook_events_uri(webhook_id), runtime
        sink = Recorder()
        with anyio.CancelScope() as scope:
            scope.cancel()
            await subscriptions.subscribe(runtime, uri, sink)
        await eventually(lambda: subscriptions.active(runtime) == [])
        await inject(admin)
        await anyio.sleep(0.3)
        assert sink.uris == []
