"""The outreach loop without an account: create a hosted webhook, send a message, wait for the
reply with webhooks_wait — the real server over stdio, the sandbox over loopback."""

from __future__ import annotations

import pytest

from linkup_mcp.sandbox import SandboxConfig, SandboxServer
from tests.e2e.conftest import env_for, mcp_session

pytestmark = pytest.mark.anyio

FRIEND = "https://www.linkedin.com/in/victor-johnson"


async def test_send_then_wait_for_the_reply() -> None:
    with SandboxServer(SandboxConfig(event_delay_s=0.5)) as sandbox:
        env = env_for(sandbox, LINKUP_TOOLSETS="messages,webhooks")
        async with mcp_session(env) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert {"webhooks_create", "webhooks_events", "webhooks_wait"} <= names
            created = (await client.call_tool("webhooks_create", {"events": ["message_received"]})).structured_content
            assert created["ok"] is True, created["error"]
            webhook = created["data"]["webhook_id"]
            sent = await client.call_tool("messages_send", {"profile_url": FRIEND, "message_text": "Lunch on Friday?"})
            assert sent.structured_content["ok"] is True
            waited = await client.call_tool("webhooks_wait", {"webhook_id": webhook, "timeout_s": 10})
            following = {**waited.structured_content["next"], "timeout_s": 1}  # where to go on: its `next`
            again = await client.call_tool("webhooks_wait", following)
    data = waited.structured_content["data"]
    assert data["timed_out"] is False and len(data["items"]) == 1
    event = data["items"][0]["event"]["event"]
    assert event["type"] == "message" and event["sender_profile"] == FRIEND
    assert again.structured_content["data"]["items"] == []  # nothing twice
    assert again.structured_content["data"]["timed_out"] is True
