"""Credit-capped auto-pagination against the sandbox: stops exactly at the cap, resumes from next."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(catalog: Catalog) -> AsyncIterator[tuple[Runtime, SandboxServer]]:
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        yield (
            Runtime(catalog, client=client, meter=CreditMeter(), default_account=sandbox.config.account_id),
            sandbox,
        )
        await client.aclose()


def debited(sandbox: SandboxServer) -> int:
    return sandbox.config.initial_credits - sandbox.state.balance


async def test_offset_lists_page_until_the_credit_cap(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("network_list_connections", {"count": 40, "max_credits": 3})
    assert len(result["data"]["connections"]) == 120
    assert [r.params for r in sandbox.state.requests] == [
        {"count": 40},
        {"count": 40, "offset": 40},
        {"count": 40, "offset": 80},
    ]
    assert result["auto_pages"] == {"pages": 3, "results": 120, "credits": 3, "stopped": "max_credits"}
    assert result["credits"]["charged"] == 3 == debited(sandbox)
    assert result["next"] == {"count": 40, "offset": 120} and result["has_more"] is True
    whole = [c["profile_url"] for c in result["data"]["connections"]]
    resumed = await d.call("network_list_connections", result["next"])
    assert resumed["data"]["connections"][0]["profile_url"] not in whole


async def test_max_credits_is_never_exceeded(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("profiles_search_people", {"keyword": "a", "total_results": 50, "max_credits": 2})
    assert result["credits"]["charged"] == 2 == debited(sandbox)
    assert [r.params for r in sandbox.state.requests] == [{"keyword": "a", "total_results": 20}]
    assert len(result["data"]["results"]) == 20
    assert result["auto_pages"]["stopped"] == "max_credits"
    # pages of 50: the next call takes page 1 again, minus the 20 results already returned
    assert result["next"] == {"keyword": "a", "start_page": 1, "end_page": 1, "skip": 20}


async def test_cursor_lists_and_the_natural_end(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("messages_list_inbox", {"count": 10, "max_credits": 50})
    total = len(result["data"]["conversations"])
    in_inbox = sum(1 for c in sandbox.state.world.conversations.values() if c.category == "INBOX")
    assert total == in_inbox == 30 and result["auto_pages"]["stopped"] == "end" and result["next"] is None
    assert result["credits"]["charged"] == 3 == debited(sandbox)  # three pages of 10
    assert len({c["conversation_id"] for c in result["data"]["conversations"]}) == 30


async def test_progress_per_page(world: tuple[Runtime, SandboxServer]) -> None:
    d, _ = world
    seen: list[tuple[float, str]] = []

    async def progress(done: float, total: float | None, message: str) -> None:
        seen.append((done, message))

    await d.call("network_list_connections", {"count": 50, "max_credits": 2}, progress=progress)
    assert seen == [
        (1, "network_list_connections: page 1, 50 results, 1 credits"),
        (2, "network_list_connections: page 2, 100 results, 2 credits"),
    ]


async def test_first_page_error_is_the_answer(world: tuple[Runtime, SandboxServer]) -> None:
    d, _ = world
    result = await d.call("network_list_connections", {"max_credits": 5, "account_id": "acc_inactive"})
    assert result["error"]["code"] == "ACCOUNT_INACTIVE" and result["credits"]["charged"] == 0


async def test_max_credits_only_on_list_tools(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("profiles_get_viewers", {"count": 10, "max_credits": 1})
    assert result["ok"] is True and result["credits"]["charged"] == 1 == debited(sandbox)
    cheap = await d.call("messages_send", {"profile_url": "x", "message_text": "y", "max_credits": 1})
    assert cheap["error"]["code"] == "VALIDATION_ERROR" and len(sandbox.state.requests) == 1
