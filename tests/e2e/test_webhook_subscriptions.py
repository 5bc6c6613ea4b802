"""Hosted webhooks as MCP resources with subscriptions: the real server over stdio follows the
sandbox's SSE stream while a client is subscribed and tells it of every event exactly once,
across a dropped stream, in both protocol eras (`resources/subscribe` and `subscriptions/listen`)."""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from linkup_mcp.sandbox import SandboxConfig, SandboxServer
from tests.e2e.conftest import env_for, mcp_session

pytestmark = pytest.mark.anyio


@contextmanager
def sandbox_env() -> Iterator[tuple[SandboxServer, dict[str, str], httpx2.Client]]:
    # Events only when the test injects them: no simulated replies on their own.
    with SandboxServer(SandboxConfig(event_delay_s=3600)) as sandbox:
        env = env_for(sandbox, LINKUP_TOOLSETS="webhooks")
        headers = {"x-api-key": sandbox.config.api_key}
        with httpx2.Client(base_url=sandbox.base_url, headers=headers) as admin:
            yield sandbox, env, admin


async def admin_post(admin: httpx2.Client, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await anyio.to_thread.run_sync(lambda: admin.post(path, json=payload or {}))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    with anyio.fail_after(timeout):
        while not check():
            await anyio.sleep(0.02)


def stream_requests(admin: httpx2.Client) -> list[dict[str, Any]]:
    return [r for r in admin.get("/_sandbox/requests").json()["requests"] if r["action"] == "stream_webhook"]


async def create_hosted(client: Client) -> str:
    created = (await client.call_tool("webhooks_create", {"events": ["all"]})).structured_content
    assert created is not None and created["ok"] is True, created
    webhook_id: str = created["data"]["webhook_id"]
    started = (await client.call_tool("webhooks_start", {"webhook_id": webhook_id})).structured_content
    assert started is not None and started["data"] == {
        "webhook_id": webhook_id,
        "account_id": created["data"]["account_id"],
        "monitoring": True,
    }
    return webhook_id


async def read_events(client: Client, uri: str) -> dict[str, Any]:
    result = await client.read_resource(uri)
    content = result.contents[0]
    assert isinstance(content, types.TextResourceContents) and content.mime_type == "application/json"
    body: dict[str, Any] = json.loads(content.text)
    return body


def updates_of(seen: list[Any]) -> list[str]:
    return [m.params.uri for m in seen if isinstance(m, types.ResourceUpdatedNotification)]


async def test_subscribed_client_sees_each_event_once_across_a_dropped_stream() -> None:
    seen: list[Any] = []

    async def on_message(message: Any) -> None:
        seen.append(message)

    with sandbox_env() as (sandbox, env, admin), tempfile.TemporaryFile("w+") as errlog:
        env["LINKUP_LOG_LEVEL"] = "DEBUG"  # every request line logged: the key must still not show
        async with mcp_session(env, errlog=errlog, message_handler=on_message) as client:
            assert client.server_capabilities.resources.subscribe is True  # type: ignore[union-attr]
            webhook_id = await create_hosted(client)
            uri = f"linkup://webhooks/{webhook_id}/events"
            listed = {str(r.uri): r for r in (await client.list_resources()).resources}
            assert uri in listed and listed[uri].mime_type == "application/json"
            templates = (await client.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["linkup://webhooks/{webhook_id}/events"]
            assert (await read_events(client, uri))["items"] == []

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # resources/subscribe is the handshake era's way
                await client.subscribe_resource(uri)
            first = await admin_post(admin, "/_sandbox/events", {"type": "message", "text": "first"})
            await eventually(lambda: len(updates_of(seen)) == 1)

            # The stream drops; the next event happens before the server is back (backoff ≥ 0.25 s):
            # it must arrive through the resumed stream (Last-Event-ID), and the first not again.
            assert (await admin_post(admin, "/_sandbox/webhooks/drop_streams"))["dropped"] == 1
            second = await admin_post(admin, "/_sandbox/events", {"type": "accepted_invitation"})
            await eventually(lambda: len(updates_of(seen)) == 2)
            await eventually(lambda: len(stream_requests(admin)) == 2)
            await anyio.sleep(0.3)
            assert updates_of(seen) == [uri, uri]

            events = await read_events(client, uri)
            assert [i["event"]["event"]["type"] for i in events["items"]] == ["message", "accepted_invitation"]
            assert events["items"][0]["event"]["event"]["message_text"] == first["event"]["message_text"]
            assert events["items"][1]["event"]["event"]["profile_url"] == second["event"]["profile_url"]
            assert events["webhook_id"] == webhook_id
            assert events["next"]["seen"] == [events["items"][1]["event_id"]]  # where webhooks_events goes on

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                await client.unsubscribe_resource(uri)
            await admin_post(admin, "/_sandbox/events", {"type": "message", "text": "after"})
            await anyio.sleep(0.5)
            assert updates_of(seen) == [uri, uri]  # nothing once unsubscribed
            assert len((await read_events(client, uri))["items"]) == 3
        streams = stream_requests(admin)
        errlog.seek(0)
        log = errlog.read()
    assert [r["status"] for r in streams] == [200, 200]
    assert f"webhook {webhook_id}: the event stream ended; reconnecting" in log
    assert "/stream?api_key=" in log and sandbox.config.api_key not in log


async def test_subscribing_to_what_cannot_be_followed_is_refused() -> None:
    with sandbox_env() as (_, env, _admin):
        async with mcp_session(env) as client:
            webhook_id = await create_hosted(client)
            custom = await client.call_tool("webhooks_create", {"url": "https://127.0.0.1:9/hook"})
            custom_id = custom.structured_content["data"]["webhook_id"]  # type: ignore[index]
            cases = {
                "linkup://webhooks/wh_missing/events": "Cannot follow webhook wh_missing: Webhook not found",
                f"linkup://webhooks/{custom_id}/events": f"Cannot follow webhook {custom_id}: Webhook {custom_id} is",
                "linkup://credits": "Cannot subscribe to linkup://credits: only linkup://webhooks/{webhook_id}/events",
                # an id that cannot go into a URL path: refused here (it once crashed the server)
                "linkup://webhooks/-x/events": "Cannot subscribe to linkup://webhooks/-x/events: only",
            }
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for uri, message in cases.items():
                    with pytest.raises(MCPError) as refused:
                        await client.subscribe_resource(uri)
                    assert refused.value.error.code == types.INVALID_PARAMS
                    assert refused.value.error.message.startswith(message), refused.value.error.message
                await client.subscribe_resource(f"linkup://webhooks/{webhook_id}/events")  # the hosted one is fine


async def test_webhook_resources_follow_the_toolset_exposure() -> None:
    with sandbox_env() as (_, env, admin):
        await admin_post(admin, "/v2/webhooks", {"account_id": env["LINKUP_ACCOUNT_ID"]})
        async with mcp_session({**env, "LINKUP_TOOLSETS": "messages"}) as client:
            uris = [str(r.uri) for r in (await client.list_resources()).resources]
            assert not [u for u in uris if u.startswith("linkup://webhooks/")]
            assert (await client.list_resource_templates()).resource_templates == []
            with warnings.catch_warnings(), pytest.raises(MCPError, match="the webhooks toolset is off"):
                warnings.simplefilter("ignore")
                await client.subscribe_resource("linkup://webhooks/wh_1/events")


async def test_listen_stream_gets_updates_in_the_2026_era() -> None:
    with sandbox_env() as (_, env, admin):
        async with mcp_session(env, mode="2026-07-28") as client:
            webhook_id = await create_hosted(client)
            uri = f"linkup://webhooks/{webhook_id}/events"
            async with client.listen(resource_subscriptions=[uri]) as subscription:
                assert subscription.honored.resource_subscriptions == [uri]
                await admin_post(admin, "/_sandbox/events", {"type": "message"})
                with anyio.fail_after(10):
                    event = await subscription.__anext__()
                assert event.uri == uri
                assert len((await read_events(client, uri))["items"]) == 1
            await eventually(lambda: len(stream_requests(admin)) == 1)
