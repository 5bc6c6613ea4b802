"""Credit-capped auto-pagination against the sandbox: stops exactly at the cap, resumes from next, and on
a pages-style search neither pays twice for a result it can avoid re-reading nor drops one it paid for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.context import Call
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.call.steps import autopage
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter, estimate

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


async def everyone(d: Runtime, keyword: str) -> list[str]:
    """The sandbox's whole result list for a search, in its order (one call, after the checks)."""
    found = await d.call("profiles_search_people", {"keyword": keyword, "total_results": 200})
    assert found["data"]["total_available_results"] == len(found["data"]["results"]) < 200
    return [p["public_id"] for p in found["data"]["results"]]


def ids(result: dict[str, Any]) -> list[str]:
    return [p["public_id"] for p in result["data"]["results"]]


async def test_a_capped_search_reads_whole_api_pages_and_pays_for_nothing_twice(
    world: tuple[Runtime, SandboxServer],
) -> None:
    """The review's case: 10 asked (the default), 2 credits. The first window reaches as far into
    page 1 as the credits do, instead of 10 results then the same 10 again."""
    d, sandbox = world
    result = await d.call("profiles_search_people", {"keyword": "CTO", "max_credits": 2})
    assert [r.params for r in sandbox.state.requests] == [{"keyword": "CTO", "total_results": 20}]
    assert result["auto_pages"] == {"pages": 1, "results": 20, "credits": 2, "stopped": "max_credits"}
    assert result["credits"]["charged"] == 2 == debited(sandbox) and result["credits"]["estimated"] == 2
    assert result["next"] == {"keyword": "CTO", "start_page": 1, "end_page": 1, "skip": 20}
    assert result["has_more"] is True
    # following `next` by hand: page 1 again, whole (charged whole), less the 20 already returned
    rest = await d.call("profiles_search_people", result["next"])
    assert sandbox.state.requests[-1].params == {"keyword": "CTO", "start_page": 1, "end_page": 1}
    assert rest["credits"]["charged"] == 3 and rest["next"] is None and rest["has_more"] is False
    assert ids(result) + ids(rest) == await everyone(d, "CTO")  # 26: no gap, no repeat


async def test_a_search_that_ends_within_the_cap_is_one_window(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("profiles_search_people", {"keyword": "CTO", "max_credits": 10})
    assert [r.params for r in sandbox.state.requests] == [{"keyword": "CTO", "total_results": 50}]
    assert result["auto_pages"] == {"pages": 1, "results": 26, "credits": 3, "stopped": "end"}
    assert result["credits"] == {"charged": 3, "estimated": 5, "session_spent": 3, "budget_remaining": None}
    assert result["next"] is None and result["has_more"] is False and debited(sandbox) == 3
    assert ids(result) == await everyone(d, "CTO")


async def test_a_long_search_pages_by_50_then_resumes_mid_page_paying_the_reread_it_says(
    world: tuple[Runtime, SandboxServer],
) -> None:
    """149 results. 12 credits: pages 1 and 2 whole, 20 of page 3. Resuming from `next` must ask
    for page 3 from its first result (LinkupAPI has no other way in): those 20 are paid again,
    counted against max_credits and reported as `reread`."""
    d, sandbox = world
    first = await d.call("profiles_search_people", {"keyword": "e", "max_credits": 12})
    assert [r.params for r in sandbox.state.requests] == [
        {"keyword": "e", "total_results": 50},
        {"keyword": "e", "start_page": 2, "end_page": 2},
        {"keyword": "e", "start_page": 3, "end_page": 3, "total_results": 20},
    ]
    assert first["auto_pages"] == {"pages": 3, "results": 120, "credits": 12, "stopped": "max_credits"}
    assert first["credits"]["charged"] == 12 == debited(sandbox)
    assert first["next"] == {"keyword": "e", "start_page": 3, "end_page": 3, "skip": 20}
    assert first["has_more"] is True

    too_little = await d.call("profiles_search_people", {**first["next"], "max_credits": 2})
    assert too_little["error"]["code"] == "BUDGET_EXCEEDED" and len(sandbox.state.requests) == 3
    assert too_little["error"]["message"] == (
        "max_credits=2 does not cover one new result: LinkupAPI's pages start at their first result, so "
        "reading on from result 21 of page 3 pays again for the 20 of it already returned (3 credits for "
        "the next result); raise max_credits."
    )

    second = await d.call("profiles_search_people", {**first["next"], "max_credits": 3})
    assert sandbox.state.requests[-1].params == {"keyword": "e", "start_page": 3, "end_page": 3, "total_results": 30}
    assert second["auto_pages"] == {"pages": 1, "results": 10, "credits": 3, "stopped": "max_credits", "reread": 20}
    assert second["credits"]["charged"] == 3 and debited(sandbox) == 15
    assert second["next"] == {"keyword": "e", "start_page": 3, "end_page": 3, "skip": 30}

    third = await d.call("profiles_search_people", {**second["next"], "max_credits": 50})
    assert sandbox.state.requests[-1].params == {"keyword": "e", "start_page": 3, "end_page": 3}
    assert third["auto_pages"] == {"pages": 1, "results": 19, "credits": 5, "stopped": "end", "reread": 30}
    assert third["next"] is None and third["has_more"] is False and debited(sandbox) == 20
    assert ids(first) + ids(second) + ids(third) == await everyone(d, "e")


async def test_an_uncapped_search_reads_the_whole_list_in_pages(world: tuple[Runtime, SandboxServer]) -> None:
    d, sandbox = world
    result = await d.call("profiles_search_people", {"keyword": "e", "total_results": 10, "max_credits": 50})
    assert [r.params for r in sandbox.state.requests] == [
        {"keyword": "e", "total_results": 50},
        {"keyword": "e", "start_page": 2, "end_page": 2},
        {"keyword": "e", "start_page": 3, "end_page": 3},
    ]
    assert result["auto_pages"] == {"pages": 3, "results": 149, "credits": 15, "stopped": "end"}
    assert result["credits"]["charged"] == 15 == debited(sandbox) and result["next"] is None
    assert ids(result) == await everyone(d, "e")


async def test_a_short_page_that_says_more_is_read_on_and_never_called_the_end(harness: Any) -> None:
    """An API that gives fewer results than asked yet says there are more: the next window re-reads
    what it must (counted), and a window that brings nothing new stops — with `next`, not "end"."""
    rt = harness().runtime
    sent: list[dict[str, Any]] = []
    pages = [list(range(30)), list(range(35)), list(range(35))]  # page 1 cut at 30, then at 35, twice

    async def api(call: Call) -> Outcome:
        sent.append({k: v for k, v in call.args.items() if k != "skip"})
        got = pages[len(sent) - 1]
        data = {"results": [{"i": i} for i in got], "total_available_results": 80}
        return Outcome(data=data, charged=-(-len(got) // 10), estimated=estimate(call.spec, call.args))

    tool = rt.catalog.tools["profiles_search_people"]
    done = await autopage.step(Call(rt, tool, {"keyword": "x", "max_credits": 20}, account="acc_1"), api)
    assert sent == [
        {"keyword": "x", "total_results": 50},
        {"keyword": "x", "start_page": 1, "end_page": 1},  # from result 31: page 1 again, 30 re-read
        {"keyword": "x", "start_page": 1, "end_page": 1},  # from 36: nothing new came
    ]
    assert [r["i"] for r in done.data["results"]] == list(range(35))
    assert done.extras["auto_pages"] == {
        "pages": 3, "results": 35, "credits": 11, "stopped": "no new results", "reread": 65,
    }  # fmt: skip
    assert done.next_args == {"keyword": "x", "start_page": 1, "end_page": 1, "skip": 35}
    assert done.extras["has_more"] is True


async def test_credits_estimate_of_an_auto_paged_call_is_its_cap(harness: Any) -> None:
    """Auto-paging spends up to max_credits: the estimate is that upper bound, not one page."""
    h = harness()
    one_page = await h.call("credits_estimate", {"tool": "profiles_search_people", "arguments": {"keyword": "cto"}})
    capped = await h.call(
        "credits_estimate", {"tool": "profiles_search_people", "arguments": {"keyword": "cto", "max_credits": 20}}
    )
    assert one_page["data"]["estimated"] == 1 and capped["data"]["estimated"] == 20 and h.requests == []
