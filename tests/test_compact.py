"""Compact mode: three meta-tools that find, describe and run every action, same rules."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import jsonschema
import pytest

from linkup_mcp.call.dispatch import UnknownToolError
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA
from tests.conftest import v2_success

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": PROFILE, "message_text": "Hi Jane"}


@pytest.fixture(scope="module")
def compact_catalog() -> Catalog:
    return Catalog.build(compact=True)


def compact_harness(harness: Any, compact_catalog: Catalog, *args: Any) -> Any:
    h = harness(*args)
    h.runtime.catalog = compact_catalog
    return h


def test_lists_three_meta_tools_and_nothing_else(compact_catalog: Catalog) -> None:
    import bpe_openai  # o200k_base built in (tiktoken would download it at run time)

    assert compact_catalog.names() == ["linkup_search_actions", "linkup_describe_action", "linkup_run_action"]
    listed = json.dumps(compact_catalog.definitions(), separators=(",", ":"))
    assert len(bpe_openai.get_encoding("o200k_base").encode(listed)) <= 1_500
    search = compact_catalog.definitions()[0]
    assert search["inputSchema"]["properties"]["category"]["enum"] == [
        "accounts", "content", "credits", "mail", "messages", "network", "profiles", "recruiter"
    ]  # fmt: skip


async def test_search_ranks_by_keywords_and_filters_by_category(harness: Any, compact_catalog: Catalog) -> None:
    h = compact_harness(harness, compact_catalog)
    found = await h.call("linkup_search_actions", {"query": "send message"})
    jsonschema.validate(found, ENVELOPE_SCHEMA)
    first = found["data"]["actions"][0]
    assert first == {
        "action": "messages_send",
        "title": "Send a LinkedIn message",
        "purpose": "Send a direct message to one person, usually a 1st-degree connection (they are notified).",
        "cost": "1 credit per call; +1 with media_link, media_file or media_path",
        "side_effect": "outreach",
    }
    recruiter = await h.call("linkup_search_actions", {"category": "recruiter", "limit": 50})
    assert [a["action"] for a in recruiter["data"]["actions"]] == [
        "recruiter_get_posts", "recruiter_get_candidates", "recruiter_get_cv", "recruiter_publish_job",
        "recruiter_close_job",
    ]  # fmt: skip
    nothing = await h.call("linkup_search_actions", {"query": "zzzz"})
    assert nothing["data"] == {"actions": [], "total_matches": 0}
    assert h.requests == []  # all local


async def test_describe_gives_the_direct_tools_schema(harness: Any, compact_catalog: Catalog, catalog: Catalog) -> None:
    h = compact_harness(harness, compact_catalog)
    described = await h.call("linkup_describe_action", {"action": "network_invite"})
    assert described["data"]["input_schema"] == catalog.tools["network_invite"].input_schema
    assert described["data"]["cost"] == "1 credit per call" and described["data"]["side_effect"] == "outreach"
    wrong = await h.call("linkup_describe_action", {"action": "network_invit"})
    assert wrong["error"]["code"] == "VALIDATION_ERROR"
    assert wrong["error"]["fields"] == [
        {
            "field": "action",
            "problem": "unknown action 'network_invit'; did you mean network_invite or "
            "network_list_invitations or network_check_invitation? "
            "(find actions with linkup_search_actions)",
        }
    ]


async def test_run_is_the_direct_call(harness: Any, compact_catalog: Catalog) -> None:
    direct = harness(lambda r: httpx2.Response(200, json=v2_success({"conversation_id": "c1"})))
    via_run = compact_harness(
        harness, compact_catalog, lambda r: httpx2.Response(200, json=v2_success({"conversation_id": "c1"}))
    )
    expected = await direct.call("messages_send", SEND)
    got = await via_run.call("linkup_run_action", {"action": "messages_send", "arguments": SEND})
    assert got == expected and got["tool"] == "messages_send"
    assert via_run.bodies() == direct.bodies() == [{"account_id": "acc_1", "action": "send", "params": SEND}]
    again = await via_run.call("linkup_run_action", {"action": "messages_send", "arguments": SEND})
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED" and len(via_run.requests) == 1


async def test_dry_run_validates_and_estimates_without_sending(harness: Any, compact_catalog: Catalog) -> None:
    h = compact_harness(harness, compact_catalog)
    dry = await h.call(
        "linkup_run_action",
        {"action": "profiles_search_people", "arguments": {"total_results": 35}, "dry_run": True},
    )
    assert dry["data"]["estimated"] == 4 and dry["data"]["fits_budget"] is True
    bad = await h.call("linkup_run_action", {"action": "profiles_search_people", "arguments": {"location": "Paris"}})
    assert bad["error"]["code"] == "VALIDATION_ERROR" and bad["error"]["fields"][0]["field"] == "location"
    assert h.requests == []


async def test_direct_tools_are_not_callable_in_compact_mode(harness: Any, compact_catalog: Catalog) -> None:
    h = compact_harness(harness, compact_catalog)
    with pytest.raises(UnknownToolError):
        await h.call("messages_send", SEND)
