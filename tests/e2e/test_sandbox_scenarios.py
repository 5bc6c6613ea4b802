"""One agent scenario per category: the real `linkup-mcp` over stdio, the sandbox over loopback.

The sandbox runs in the test process so the test can read what it received and debited: every
envelope's `credits.charged` must equal the sandbox's `credits_consumed` for that request, and
the session total must equal the sandbox balance drop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from linkup_mcp.sandbox import SandboxServer
from tests.e2e.agent import Agent
from tests.e2e.conftest import mcp_session

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
async def agent(sandbox: SandboxServer) -> AsyncIterator[Agent]:
    env = {
        "LINKUP_API_KEY": sandbox.config.api_key,
        "LINKUP_BASE_URL": sandbox.base_url,
        "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
    }
    async with mcp_session(env) as client:
        yield Agent(client, sandbox)


async def test_prospect_invite_and_withdraw(agent: Agent) -> None:
    found = await agent.ok(
        "profiles_search_people",
        {"location": ["Paris"], "network": ["S"], "fetch_invitation_state": True, "total_results": 25},
    )
    assert len(found["results"]) == 25
    assert all("Paris" in p["location"] for p in found["results"])
    lead = next(p for p in found["results"] if p["invitation_state"] == "CAN_INVITE")
    profile = await agent.ok("profiles_get", {"profile_url": lead["linkedin_url"]})
    assert profile["public_id"] == lead["public_id"]

    invited = await agent.ok("network_invite", {"profile_url": lead["linkedin_url"], "message": "Hello!"})
    assert invited["public_identifier"] == lead["public_id"]
    sent = await agent.ok("network_list_sent", {"count": 50})
    mine = [i for i in sent["invitations"] if i["recipient"]["linkedin_url"] == lead["linkedin_url"]]
    assert len(mine) == 1 and mine[0]["entity_urn"] == invited["invitation_urn"]
    state = await agent.ok("network_check_invitation", {"profile_url": lead["linkedin_url"]})
    assert state["invitation_state"] == "PENDING"
    withdrawn = await agent.ok("network_withdraw", {"invitation_id": state["invitation_id"]})
    assert withdrawn["withdrawn"] is True
    after = await agent.ok("network_check_invitation", {"profile_url": lead["linkedin_url"]})
    assert after["invitation_state"] == "NO_INVITATION"
    agent.balance_matches()


async def test_message_shows_in_conversation_and_inbox(agent: Agent) -> None:
    connections = await agent.ok("network_list_connections", {"count": 3})
    friend = connections["connections"][0]["profile_url"]
    text = "Thanks for connecting - could we talk on Thursday?"
    sent = await agent.ok("messages_send", {"profile_url": friend, "message_text": text})
    conversation = await agent.ok("messages_get_conversation", {"profile_url": friend, "count": 5})
    assert conversation["messages"][0]["entity_urn"] == sent["entityUrn"]
    assert conversation["messages"][0]["text"] == text
    inbox = await agent.ok("messages_list_inbox", {"count": 5})
    assert inbox["conversations"][0]["conversation_id"] == sent["conversation_id"]
    with_media = await agent.call(
        "messages_send", {"profile_url": friend, "message_text": "The deck", "media_link": "https://x.test/deck.pdf"}
    )
    assert with_media["credits"] == {**with_media["credits"], "charged": 2, "estimated": 2}
    agent.balance_matches()


async def test_post_comment_and_react(agent: Agent) -> None:
    me = await agent.ok("profiles_get_me", {})
    post = await agent.ok("content_create", {"message": "We are hiring platform engineers in Lyon."})
    mine = await agent.ok("content_search", {"profile_url": me["profile_url"], "total_results": 5})
    assert mine["posts"][0]["post_url"] == post["post_url"]
    feed = await agent.ok("content_get_feed", {"total_results": 10})
    other = next(p for p in feed["posts"] if p["post_url"] != post["post_url"])
    await agent.ok("content_comment", {"post_url": other["post_url"], "comment_text": "Great point on on-call load."})
    comments = await agent.ok("content_get_comments", {"post_url": other["post_url"], "total_results": 50})
    assert any(c["comment_text"] == "Great point on on-call load." for c in comments["comments"])
    await agent.ok("content_react", {"post_url": other["post_url"], "reaction_type": "PRAISE"})
    reactions = await agent.ok("content_get_reactions", {"post_url": other["post_url"], "total_results": 100})
    assert any(r["profile_url"] == me["profile_url"] and r["type"] == "PRAISE" for r in reactions["reactions"])
    agent.balance_matches()


async def test_recruiter_candidates_cv_and_job_lifecycle(agent: Agent) -> None:
    posts = await agent.ok("recruiter_get_posts", {"total_results": 10})
    by_status = {p["status"]: p["job_id"] for p in posts["posts"]}
    candidates = await agent.ok("recruiter_get_candidates", {"job_id": by_status["OPEN"], "count": 5})
    assert 0 < len(candidates["candidates"]) <= 5
    cv = await agent.ok("recruiter_get_cv", {"application_id": candidates["candidates"][0]["application_id"]})
    assert cv["cv"]["content_type"] == "application/pdf" and cv["cv"]["resource_uri"].startswith("linkup://files/")
    await agent.ok("recruiter_publish_job", {"job_id": by_status["DRAFT"]})
    await agent.ok("recruiter_close_job", {"job_id": by_status["OPEN"]})
    after = await agent.ok("recruiter_get_posts", {"total_results": 10})
    status = {p["job_id"]: p["status"] for p in after["posts"]}
    assert status[by_status["DRAFT"]] == "OPEN" and status[by_status["OPEN"]] == "CLOSED"
    agent.balance_matches()


async def test_email_find_validate_reverse(agent: Agent) -> None:
    connections = await agent.ok("network_list_connections", {"count": 1})
    person = connections["connections"][0]["profile_url"]
    found = await agent.ok("mail_find_email", {"profile_url": person})
    assert found["found"] is True
    valid = await agent.ok("mail_validate_email", {"email": found["email"]})
    assert valid["email"] == found["email"] and valid["is_deliverable"] is True and valid["syntax_valid"] is True
    who = await agent.ok("mail_reverse_email", {"email": found["email"]})
    assert who["found"] is True and who["profile"]["profile_url"] == person
    sent = agent.sandbox.state.requests[-1]
    assert (sent.path, sent.account_id) == ("/v2/enrich", None)  # lookups carry no account
    agent.balance_matches()


async def test_accounts_and_credits(agent: Agent) -> None:
    accounts = await agent.ok("accounts_list", {"limit": 10})
    ids = {a["account_id"] for a in accounts["accounts"]}
    assert ids == {"acc_sandbox", "acc_inactive"}
    account = await agent.ok("accounts_get", {"account_id": "acc_inactive"})
    assert account["is_active"] is False
    inactive = await agent.call("profiles_get_me", {"account_id": "acc_inactive"})
    assert inactive["error"]["code"] == "ACCOUNT_INACTIVE" and inactive["credits"]["charged"] == 0
    await agent.ok("profiles_get_me", {})
    balance = await agent.ok("credits_get", {})
    assert balance["credits_remaining"] == agent.sandbox.config.initial_credits - 1
    agent.balance_matches()


async def test_builtin_sandbox_marks_every_result() -> None:
    async with mcp_session({}, "--sandbox") as client:
        ok = await client.call_tool("profiles_get_me", {})
        refused = await client.call_tool("profiles_get", {})
    assert ok.structured_content["sandbox"] is True and ok.structured_content["ok"] is True
    assert refused.structured_content["sandbox"] is True
    assert refused.structured_content["error"]["code"] == "VALIDATION_ERROR"
