"""Each kind of credit rule: the estimate the agent is shown equals what the sandbox debits
when the API returns what was asked for, and credits_get adds this server's own spend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.outreach import Guards
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.call.safety import SPENT_NOTE
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter

pytestmark = pytest.mark.anyio

FRIEND = "https://www.linkedin.com/in/victor-johnson"  # a 1st-degree connection in the seed-42 world

# tool, arguments, expected credits (estimate and debit alike)
RULES: list[tuple[str, dict[str, Any], int]] = [
    ("profiles_get_me", {}, 1),  # flat
    ("profiles_search_people", {"total_results": 25}, 3),  # 1 per 10 results, rounded up
    ("profiles_search_people", {"start_page": 1, "end_page": 2}, 10),  # pages window: 2 x 50 results
    ("profiles_get_viewers", {"count": 15}, 2),  # 1 per 10 of count
    ("network_list_connections", {"count": 120}, 3),  # 1 per 50
    ("network_list_connections", {}, 1),  # default count
    ("messages_send", {"profile_url": FRIEND, "message_text": "Plain text"}, 1),
    ("messages_send", {"profile_url": FRIEND, "message_text": "With a file", "media_link": "https://x.test/a.pdf"}, 2),
    ("accounts_list", {}, 0),  # free
    ("credits_get", {}, 0),
]


@pytest.fixture
async def runtime(catalog: Catalog) -> AsyncIterator[tuple[Runtime, SandboxServer]]:
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        meter = CreditMeter(max_credits=100)
        yield (
            Runtime(
                catalog,
                client=client,
                meter=meter,
                guards=Guards(daily_credits=500),
                default_account=sandbox.config.account_id,
            ),
            sandbox,
        )
        await client.aclose()


@pytest.mark.parametrize(("tool", "args", "credits"), RULES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(RULES)])
async def test_estimate_equals_sandbox_debit(
    runtime: tuple[Runtime, SandboxServer], tool: str, args: dict[str, Any], credits: int
) -> None:
    d, sandbox = runtime
    estimate = await d.call("credits_estimate", {"tool": tool, "arguments": args})
    before = sandbox.state.balance
    result = await d.call(tool, args)
    assert result["ok"] is True, result["error"]
    assert estimate["data"]["estimated"] == credits
    assert result["credits"]["estimated"] == credits
    assert result["credits"]["charged"] == credits
    assert before - sandbox.state.balance == credits


async def test_credits_get_adds_this_servers_spend(runtime: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = runtime
    await d.call("profiles_search_people", {"total_results": 25})
    result = await d.call("credits_get", {})
    assert result["data"]["credits_remaining"] == sandbox.config.initial_credits - 3
    assert result["data"]["this_server"] == {
        "session_spent": 3,
        "max_credits": 100,
        "budget_remaining": 97,
        "max_credits_per_call": 50,
        "spent_today": 3,
        "daily_credits": 500,
        "daily_remaining": 497,
        "confirm": "off",
        "outreach_sends": "at once",
        "pacing_left_today": {
            "account_id": sandbox.config.account_id,
            "invitation": 20,
            "message": 50,
            "engagement": 40,
        },
        "note": SPENT_NOTE,
    }
