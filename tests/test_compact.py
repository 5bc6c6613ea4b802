"""Compact mode: four meta-tools that find, describe and run every action, same rules; reads and
side effects run through separately annotated meta-tools."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import jsonschema
import pytest

from linkup_mcp.call import compact
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


META = ["linkup_search_actions", "linkup_describe_action", "linkup_read_action", "linkup_run_action"]


def test_lists_four_meta_tools_and_nothing_else(compact_catalog: Catalog) -> None:
    import bpe_openai  # o200k_base built in (tiktoken would download it at run time)

    assert compact_catalog.names() == META
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
        "purpose": first["purpose"],  # the description's first sentence (test_search_result_shape)
        "params": [
            "profile_url*", "message_text*", "media_link", "media_file", "media_path", "allow_duplicate",
            "media_local_path",
        ],
        "cost": "1 credit per call; +1 with media_link, media_file or media_path",
        "side_effect": "outreach",
        "run_with": "linkup_run_action",
    }  # fmt: skip
    assert first["purpose"].startswith("Send a direct message to one person")
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


def test_annotations_fit_permission_prompts(compact_catalog: Catalog) -> None:
    """Clients that ask before tools that are not read-only must not ask for every read."""
    notes = {d["name"]: d["annotations"] for d in compact_catalog.definitions()}
    assert notes == {
        "linkup_search_actions": {"readOnlyHint": True, "openWorldHint": False},
        "linkup_describe_action": {"readOnlyHint": True, "openWorldHint": False},
        "linkup_read_action": {"readOnlyHint": True},  # it calls LinkupAPI: open world
        "linkup_run_action": {"destructiveHint": True},
    }


async def test_search_result_shape(harness: Any, compact_catalog: Catalog) -> None:
    """Each result: enough to call it in one pass — params (* = required), "give A or B" when the
    spec says so, cost, and the meta-tool that runs it."""
    h = compact_harness(harness, compact_catalog)
    found = {
        a["action"]: a
        for a in (await h.call("linkup_search_actions", {"query": "email", "limit": 50}))["data"]["actions"]
    }
    assert found["mail_find_email"] == {
        "action": "mail_find_email",
        "title": "Find a work email",
        "purpose": "Find a person's work email by profile URL, or by first and last name plus company.",
        "params": ["profile_url", "first_name", "last_name", "company_domain", "company_name", "fresh"],
        "cost": "1 credit per call (inferred)",
        "side_effect": "read",
        "run_with": "linkup_read_action",
        "give": "profile_url or first_name + last_name + company_domain/company_name",
    }
    people = (await h.call("linkup_search_actions", {"query": "search people", "limit": 1}))["data"]["actions"][0]
    assert people["action"] == "profiles_search_people" and people["run_with"] == "linkup_read_action"
    assert "fields" in people["params"] and "max_credits" in people["params"]
    assert not {"account_id", "skip", "seen"} & set(people["params"])  # said once in the instructions / set by next
    described = await h.call("linkup_describe_action", {"action": "network_invite"})
    assert described["data"]["run_with"] == "linkup_run_action"
    assert described["data"]["params"] == ["profile_url", "identifier", "message", "allow_duplicate"]
    assert described["data"]["give"] == "profile_url or identifier"


async def test_read_action_runs_reads_and_refuses_side_effects(harness: Any, compact_catalog: Catalog) -> None:
    h = compact_harness(harness, compact_catalog, lambda r: httpx2.Response(200, json=v2_success({"public_id": "j"})))
    read = await h.call("linkup_read_action", {"action": "profiles_get", "arguments": {"profile_url": PROFILE}})
    assert read["ok"] is True and read["tool"] == "profiles_get" and len(h.requests) == 1
    dry = await h.call(
        "linkup_read_action", {"action": "profiles_search_people", "arguments": {"total_results": 35}, "dry_run": True}
    )
    assert dry["tool"] == "linkup_read_action" and dry["data"]["estimated"] == 4 and "sends" not in dry["data"]
    refused = await h.call("linkup_read_action", {"action": "messages_send", "arguments": SEND})
    assert refused["ok"] is False and refused["tool"] == "linkup_read_action"
    assert refused["error"]["code"] == "VALIDATION_ERROR"
    assert refused["error"]["fields"] == [
        {
            "field": "action",
            "problem": "messages_send is not a read (side effect: outreach); linkup_read_action runs only reads: "
            "run it with linkup_run_action. Nothing was sent.",
        }
    ]
    dry_refused = await h.call("linkup_read_action", {"action": "network_withdraw", "arguments": {}, "dry_run": True})
    assert dry_refused["error"]["code"] == "VALIDATION_ERROR"
    assert len(h.requests) == 1  # nothing sent for either refusal
    # run_action still runs reads: agents written before linkup_read_action keep working
    again = await h.call(
        "linkup_run_action", {"action": "profiles_get", "arguments": {"profile_url": PROFILE, "fresh": True}}
    )
    assert again["ok"] is True and len(h.requests) == 2


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("how much did I spend", "credits_get"),
        ("send a message", "messages_send"),
        ("invite someone", "network_invite"),
        ("find email", "mail_find_email"),
        ("who viewed my profile", "profiles_get_viewers"),
        ("publish job", "recruiter_publish_job"),
        # other forms of a word, and a domain's other words for one thing
        ("spending", "credits_get"),
        ("spent today", "credits_get"),
        ("time spent on a post", "content_time_spent"),
        ("check my balance", "credits_get"),
        ("messages", "messages_send"),
        ("invitations", "network_list_invitations"),
        ("my profile", "profiles_get_me"),
        ("download resume", "recruiter_get_cv"),
        ("job applicants", "recruiter_get_candidates"),
        ("is this email valid", "mail_validate_email"),
        ("write a post", "content_create"),
    ],
)
def test_natural_queries_find_the_right_action_first(compact_catalog: Catalog, query: str, first: str) -> None:
    assert compact.search(compact_catalog, {"query": query})["actions"][0]["action"] == first


def test_words_match_whole_and_stop_words_match_nothing(compact_catalog: Catalog) -> None:
    """No substrings: "i" used to match every action (in "invite", "LinkedIn"...)."""
    spend = compact.search(compact_catalog, {"query": "how much did I spend", "limit": 50})
    assert [a["action"] for a in spend["actions"]] == ["credits_get", "content_time_spent"]
    assert spend["total_matches"] == 2
    assert compact.search(compact_catalog, {"query": "verse"}) == {"actions": [], "total_matches": 0}  # reverse
    for only_stop_words in ("how do I", "I", "the a of", "  "):
        found = compact.search(compact_catalog, {"query": only_stop_words})
        assert found["total_matches"] == (len(compact_catalog.tools) if not only_stop_words.strip() else 0)
    assert compact.query_terms("How much did I spend on my messages?") == ["cost", "spend", "my", "messages"]
    assert [compact.stem(w) for w in ("spend", "spent", "spending")] == ["spend"] * 3
    assert [compact.stem(w) for w in ("message", "messages", "messaging")] == ["messag"] * 3


def test_purpose_does_not_stop_at_an_abbreviation(compact_catalog: Catalog) -> None:
    assert compact.purpose(compact_catalog.tools["mail_validate_email"]) == (
        "Whether an email is deliverable: syntax_valid, is_valid, is_deliverable, is_catch_all, "
        "reachability (e.g. risky)."
    )
    assert compact.purpose(compact_catalog.tools["network_recommendations"]) == (
        'LinkedIn\'s "people you may know": name, subtitle, profile_url, insight (e.g. mutual connections).'
    )
    assert compact.purpose(compact_catalog.tools["credits_get"]).endswith("(process and day).")
