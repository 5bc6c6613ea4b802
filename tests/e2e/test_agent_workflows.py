"""Agent workflows as scenarios: the real `linkup-mcp` over stdio against the sandbox, asserting
the API actions each task sent, the credits it was charged (the sandbox's own figures), and that
no paid call went on a check the server could answer for free (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkup_mcp.sandbox import SandboxServer
from tests.e2e.agent import Agent
from tests.e2e.conftest import env_for, mcp_session

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


async def test_prospect_preview_confirm_send(sandbox: SandboxServer) -> None:
    """Search, preview an invitation, send it with the token; then the free checks: a 1st-degree
    connection the search showed, and a second note to the invited lead, cost nothing."""
    async with mcp_session(env_for(sandbox, LINKUP_CONFIRM="preview")) as client:
        agent = Agent(client, sandbox)
        found = await agent.ok(
            "profiles_search_people",
            {"network": ["F", "S"], "fetch_invitation_state": True, "total_results": 30},
        )
        states = {p["invitation_state"]: p["linkedin_url"] for p in found["results"]}
        lead, friend = states["CAN_INVITE"], states["CONNECTED"]

        preview = await agent.call("network_invite", {"profile_url": lead, "message": "Hello from Lyon"})
        assert preview["ok"] is True and preview["preview"] is True and preview["data"]["sent"] is False
        assert preview["data"]["preview"]["recipient"] == {"profile_url": lead}
        assert preview["data"]["preview"]["known_relation"]["state"] == "none"  # the search said CAN_INVITE
        token = preview["data"]["confirm_token"]
        await agent.ok("network_invite", {"profile_url": lead, "message": "Hello from Lyon", "confirm_token": token})

        connected = await agent.call("network_invite", {"profile_url": friend})
        assert connected["preview"] is True and connected["data"] is None
        assert connected["error"]["code"] == "ALREADY_CONNECTED" and connected["error"]["retryable"] is False
        assert "profiles_search_people at " in connected["error"]["message"]

        again = await agent.call("network_invite", {"profile_url": lead + "/", "message": "Another note"})
        assert again["error"]["code"] == "ALREADY_PENDING" and again["data"] is None
        assert "sent by this server with network_invite" in again["error"]["message"]

        assert agent.actions == ["search_people", "invite"]  # no paid check_invitation anywhere
        assert agent.charged == 3 + 1  # 30 results at 1 per 10, one invitation
        agent.balance_matches()


async def test_inbox_then_reply(sandbox: SandboxServer) -> None:
    async with mcp_session(env_for(sandbox)) as client:
        agent = Agent(client, sandbox)
        inbox = await agent.ok("messages_list_inbox", {"count": 5})
        other = inbox["conversations"][0]["participant"]["profile_url"]
        thread = await agent.ok("messages_get_conversation", {"profile_url": other, "count": 5})
        assert thread["messages"]
        reply = "Thanks - Thursday at 10 works for me."
        sent = await agent.ok("messages_send", {"profile_url": other, "message_text": reply})
        assert sent["conversation_id"] == inbox["conversations"][0]["conversation_id"]

        twice = await agent.call(
            "messages_send", {"profile_url": other, "message_text": "  thanks - thursday at 10 WORKS for me."}
        )
        assert twice["error"]["code"] == "DUPLICATE_SUPPRESSED" and twice["credits"]["charged"] == 0
        assert twice["error"]["message"].startswith("The same messages_send (same account, target and text")

        assert agent.actions == ["list_inbox", "get_conversation", "send"]
        agent.balance_matches()


async def test_find_then_validate_an_email(sandbox: SandboxServer) -> None:
    async with mcp_session(env_for(sandbox)) as client:
        agent = Agent(client, sandbox)
        people = await agent.ok("network_list_connections", {"count": 10})
        found = None
        for person in people["connections"]:
            found = await agent.ok("mail_find_email", {"profile_url": person["profile_url"]})
            if found["found"]:
                break
        assert found is not None and found["found"] is True
        lookups = agent.actions.count("find_email")
        valid = await agent.ok("mail_validate_email", {"email": found["email"]})
        assert valid["email"] == found["email"]
        again = await agent.call("mail_find_email", {"profile_url": person["profile_url"].upper() + "/"})
        assert again["cache"]["hit"] is True and again["credits"]["charged"] == 0  # another form, paid once
        assert agent.actions == ["list_connections"] + ["find_email"] * lookups + ["validate_email"]
        agent.balance_matches()


async def test_a_duplicate_attempt_after_a_restart_is_refused_free(sandbox: SandboxServer, tmp_path: Path) -> None:
    """What the server learnt lives in the ledger: a new process on it refuses a second invitation
    (another URL form, another note) and a repeated message without calling the API."""
    env = env_for(sandbox, LINKUP_LEDGER=str(tmp_path / "ledger.sqlite3"))
    async with mcp_session(env) as client:
        agent = Agent(client, sandbox)
        people = await agent.ok("network_list_connections", {"count": 2})
        friend = people["connections"][0]["profile_url"]
        await agent.ok("messages_send", {"profile_url": friend, "message_text": "Lunch next week?"})
        found = await agent.ok("profiles_search_people", {"network": ["S"], "fetch_invitation_state": True})
        lead = next(p for p in found["results"] if p["invitation_state"] == "CAN_INVITE")
        await agent.ok("network_invite", {"profile_url": lead["linkedin_url"]})
    async with mcp_session(env) as client:
        agent = Agent(client, sandbox)
        invite = await agent.call("network_invite", {"identifier": lead["public_id"], "message": "Hi again"})
        assert invite["error"]["code"] == "ALREADY_PENDING"
        connected = await agent.call("network_invite", {"profile_url": friend})
        assert connected["error"]["code"] == "ALREADY_CONNECTED"  # network_list_connections showed it
        message = await agent.call("messages_send", {"profile_url": friend, "message_text": "lunch next week? "})
        assert message["error"]["code"] == "DUPLICATE_SUPPRESSED"
        forced = await agent.call(
            "messages_send", {"profile_url": friend, "message_text": "lunch next week? ", "allow_duplicate": True}
        )
        assert forced["ok"] is True
        assert agent.actions == ["send"]  # only the deliberate repeat reached the API
        assert agent.charged == 1
