"""Safety settings an agent can see before its first send (issue 18): the server instructions,
credits_get's `this_server` and credits_estimate's `sends` follow LINKUP_CONFIRM, the budgets, the
pacing caps and the recipient cap; the instructions name only what this session can call; and
every listed parameter acts (confirm_token only with previews, fresh only with a cache, no fields
on an answer with nothing to cut, no credit cap on a free list)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from linkup_mcp.call.outreach import Guards, RecipientCap
from linkup_mcp.call.runtime import Runtime, build_catalog, open_runtime
from linkup_mcp.config import Settings, parse_pacing
from linkup_mcp.mcp.instructions import instructions
from linkup_mcp.mcp.server import create_server
from linkup_mcp.spec.catalog import Catalog, Exposure
from linkup_mcp.spec.local_tools import LOCAL_TOOLS, meta_definitions
from tests.conftest import Harness, v2_success
from tests.pg import PostgresServer, postgres  # noqa: F401  (the session's PostgreSQL fixture)

pytestmark = pytest.mark.anyio

JANE = "https://www.linkedin.com/in/jane-doe"
BOB = "https://www.linkedin.com/in/bob-smith"
SEND = {"profile_url": JANE, "message_text": "Hi Jane"}
BALANCE = {"credits_remaining": 990, "credits_used": 10, "plan": "pro"}
NOTE = "spent_today: every process on this ledger since 00:00 UTC; session_spent: this process"


async def _runtime(**settings: Any) -> AsyncIterator[Runtime]:
    async with open_runtime(Settings(ledger=":memory:", **settings)) as rt:
        yield rt


async def said(**settings: Any) -> str:
    async for rt in _runtime(**settings):
        return instructions(rt)
    raise AssertionError("no runtime")


# -- the server instructions ------------------------------------------------------------------

DEFAULT = (
    "LinkupAPI V2 tools for LinkedIn/B2B automation, acting as a connected LinkedIn account: account_id (where a "
    "tool takes one) defaults to the configured account (LINKUP_ACCOUNT_ID); accounts_list lists them. Every call "
    "costs credits (each tool's 'Cost:' line; credits_estimate is free). Outreach tools (messages, invitations, "
    "posts, comments, reactions) are seen by real people and SEND at once — there is no preview; show the user "
    "what you will send before calling. Side effects are sent at most once, never retried. Budgets: at most 50 "
    "credits per call. Daily outreach caps per account: invitation 20, message 50, engagement (posts, comments, "
    "reactions, reposts) 40. Call credits_get (free) for what is left today, and these settings. Every result is "
    "one envelope {ok, tool, account_id, data, error, credits {charged, estimated, session_spent, "
    "budget_remaining}, next, sandbox}; a list's `next` holds the complete arguments of its next page (null at "
    "the end): pass it as is. Arguments the server reads itself: fields (dotted data paths to keep, e.g. "
    "results.headline: fewer tokens), max_credits (page through a list within this many credits), fresh (a paid "
    "lookup is answered again for free while fresh; fresh: true asks the API), allow_duplicate (send despite the "
    "duplicate guard or a known connected/invited state), skip (set by next)."
)


async def test_default_instructions_say_outreach_sends_at_once() -> None:
    assert await said() == DEFAULT


CONFIRM_SENTENCES = {
    "off": "Outreach tools (messages, invitations, posts, comments, reactions) are seen by real people and SEND at "
    "once — there is no preview; show the user what you will send before calling.",
    "preview": "Outreach tools (messages, invitations, posts, comments, reactions) are seen by real people: the first "
    "call of an outreach tool sends nothing and returns a preview with a confirm_token; call again with it to send.",
    "outreach": "Outreach tools (messages, invitations, posts, comments, reactions) are seen by real people: the user "
    "is asked to confirm each send in the client.",
    "all": "Outreach tools (messages, invitations, posts, comments, reactions) are seen by real people: the user is "
    "asked to confirm each send, and every other change, in the client.",
}


@pytest.mark.parametrize("mode", list(CONFIRM_SENTENCES))
async def test_instructions_state_the_confirmation_mode(mode: str) -> None:
    text = await said(confirm=mode)
    assert {m for m, sentence in CONFIRM_SENTENCES.items() if sentence in text} == {mode}
    assert ("confirm_token (from a preview, to send it)" in text) is (mode == "preview")


async def test_instructions_state_budgets_pacing_and_recipient_cap() -> None:
    text = await said(
        max_credits=100, daily_credits=500, max_credits_per_call=20, pacing="invitation=0,message=30", max_recipients=5
    )
    assert (
        "Budgets: at most 20 credits per call, 100 for this server process, 500 per UTC day (every process on the ledger)."
        in text
    )
    assert (
        "Daily outreach caps per account: invitation 0 (blocked), message 30, engagement (posts, comments, reactions, reposts) 40."
        in text
    )
    assert "At most 5 distinct recipients per outreach kind per server process." in text
    assert "distinct recipients" not in DEFAULT and "for this server process" not in DEFAULT  # unset: not said


async def test_read_only_instructions_promise_no_sends() -> None:
    text = await said(read_only=True)
    assert "Only read tools are exposed: nothing is sent to anyone." in text
    for absent in ("Outreach", "Daily outreach caps", "allow_duplicate", "at most once", "confirm"):
        assert absent not in text, absent


async def test_compact_instructions_name_actions_and_meta_tools() -> None:
    text = await said(tool_mode="compact", confirm="preview")
    assert "; the accounts_list action lists them." in text
    assert (
        "Find actions with linkup_search_actions; run reads with linkup_read_action, and what sends or changes something with linkup_run_action."
        in text
    )
    assert (
        "Every call costs credits (each action's cost in its search result; dry_run: true estimates it free)." in text
    )
    assert "the first call of an outreach action sends nothing" in text
    assert "Call the credits_get action (free) for what is left today, and these settings." in text
    assert "credits_estimate" not in text


ALL_NAMES = (
    set(Catalog.build(exposure=Exposure.everything()).names())
    | set(LOCAL_TOOLS)
    | {d["name"] for d in meta_definitions([])}
)

EXPOSURES: list[dict[str, Any]] = [
    {},
    {"tool_mode": "compact"},
    {"read_only": True},
    {"read_only": True, "tool_mode": "compact"},
    {"toolsets": ["profiles", "messages"]},
    {"toolsets": ["mail"], "tool_mode": "compact"},
    {"tools": ["profiles_get", "messages_send"]},
    {"exclude_tools": ["credits_get", "accounts_list", "credits_estimate"]},
    {"toolsets": ["webhooks", "credits"], "confirm": "all"},
]


@pytest.mark.parametrize("exposure", EXPOSURES, ids=[str(e) for e in EXPOSURES])
async def test_instructions_name_only_what_can_be_called(exposure: dict[str, Any]) -> None:
    async for rt in _runtime(**exposure):
        text = instructions(rt)
        named = set(re.findall(r"\b[a-z]+_[a-z_]+\b", text)) & ALL_NAMES
        listed = set(rt.catalog.names())
        for name in named:
            as_action = rt.catalog.compact and name in rt.catalog.tools and f"the {name} action" in text
            assert name in listed or as_action, f"{name} is named but not callable with {exposure}"
            if rt.catalog.compact and name not in listed:  # never as if it were a tool
                assert text.count(name) == text.count(f"the {name} action"), name


async def test_hidden_tools_are_not_mentioned() -> None:
    text = await said(exclude_tools=["credits_get", "accounts_list", "credits_estimate"])
    assert "accounts_list" not in text and "credits_get" not in text and "credits_estimate" not in text
    assert "(LINKUP_ACCOUNT_ID). Every call costs credits (each tool's 'Cost:' line)." in text


async def test_the_server_sends_the_runtimes_instructions() -> None:
    async for rt in _runtime(confirm="preview"):
        assert create_server(rt).create_initialization_options().instructions == instructions(rt)
        assert "returns a preview with a confirm_token" in instructions(rt)


# -- credits_get: what is left, and the settings ---------------------------------------------


def balance_harness(harness: Callable[..., Harness], **kw: Any) -> Harness:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/v2/credits":
            return httpx2.Response(200, json=v2_success(BALANCE, credits=0))
        return httpx2.Response(200, json=v2_success({"ok": 1}))

    return harness(answer, **kw)


async def this_server(h: Harness) -> dict[str, Any]:
    result = await h.call("credits_get")
    assert result["ok"] is True and {k: v for k, v in result["data"].items() if k != "this_server"} == BALANCE
    return dict(result["data"]["this_server"])


async def test_credits_get_default_settings(harness: Callable[..., Harness]) -> None:
    h = balance_harness(harness)
    assert await this_server(h) == {
        "session_spent": 0,
        "max_credits_per_call": 50,
        "spent_today": 0,
        "confirm": "off",
        "outreach_sends": "at once",
        "pacing_left_today": {
            "account_id": "acc_1",
            "invitation": 20,
            "message": 50,
            "engagement": 40,
        },
        "note": NOTE,
    }


async def test_credits_get_counts_pacing_and_recipients(harness: Callable[..., Harness]) -> None:
    h = balance_harness(harness, max_credits=10)
    rt = h.runtime
    rt.guards = Guards(daily_credits=100, pacing=parse_pacing("message=3"))
    rt.recipients = RecipientCap(5)
    rt.confirm_mode = "preview"
    preview = await h.call("messages_send", SEND)  # a preview sends nothing and counts for nothing
    assert preview["data"]["sent"] is False
    assert (await h.call("messages_send", {**SEND, "confirm_token": preview["data"]["confirm_token"]}))["ok"]
    rt.confirm_mode = "off"
    assert (await h.call("messages_send", {"profile_url": BOB, "message_text": "Hi Bob"}))["ok"]
    assert (await h.call("messages_send", SEND))["error"]["code"] == "DUPLICATE_SUPPRESSED"  # not counted
    assert (await h.call("network_invite", {"profile_url": BOB}))["ok"]
    assert await this_server(h) == {
        "session_spent": 3,
        "max_credits": 10,
        "budget_remaining": 7,
        "max_credits_per_call": 50,
        "spent_today": 3,
        "daily_credits": 100,
        "daily_remaining": 97,
        "confirm": "off",
        "outreach_sends": "at once",
        "pacing_left_today": {
            "account_id": "acc_1",
            "invitation": 19,
            "message": 1,
            "engagement": 40,
        },
        "max_recipients": 5,
        "recipients_addressed": {"invitation": 1, "message": 2, "engagement": 0},
        "note": NOTE,
    }


@pytest.mark.parametrize(
    ("mode", "sends"), [("preview", "preview first (confirm_token)"), ("outreach", "after the user confirms")]
)
async def test_credits_get_without_default_account(harness: Callable[..., Harness], mode: Any, sends: str) -> None:
    h = balance_harness(harness, account=None)
    h.runtime.confirm_mode = mode
    assert await this_server(h) == {
        "session_spent": 0,
        "max_credits_per_call": 50,
        "spent_today": 0,
        "confirm": mode,
        "outreach_sends": sends,
        "pacing_caps": {"invitation": 20, "message": 50, "engagement": 40},
        "note": NOTE,
    }


async def test_credits_get_read_only_says_only_the_mode(harness: Callable[..., Harness]) -> None:
    h = balance_harness(harness)
    h.runtime.catalog = Catalog.build(exposure=Exposure.of(read_only=True))
    assert await this_server(h) == {
        "session_spent": 0,
        "max_credits_per_call": 50,
        "spent_today": 0,
        "confirm": "off",
        "note": NOTE,
    }


# -- credits_estimate: when a call would send ------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "tool", "args", "sends"),
    [
        ("off", "messages_send", SEND, "at once"),
        ("preview", "messages_send", SEND, "preview first (confirm_token)"),
        ("preview", "messages_send", {**SEND, "confirm_token": "t"}, "at once"),
        ("outreach", "messages_send", SEND, "after the user confirms"),
        ("all", "messages_send", SEND, "after the user confirms"),
        ("preview", "network_withdraw", {"invitation_id": "inv_1"}, "at once"),  # previews are for outreach
        ("outreach", "network_withdraw", {"invitation_id": "inv_1"}, "at once"),
        ("all", "network_withdraw", {"invitation_id": "inv_1"}, "after the user confirms"),
        ("all", "profiles_get", {"profile_url": JANE}, None),  # a read sends nothing
    ],
)
async def test_estimate_says_when_a_call_sends(
    harness: Callable[..., Harness], mode: Any, tool: str, args: dict[str, Any], sends: str | None
) -> None:
    h = harness()
    h.runtime.confirm_mode = mode
    estimate = await h.call("credits_estimate", {"tool": tool, "arguments": args})
    assert estimate["ok"] is True, estimate["error"]
    assert estimate["data"].get("sends") == sends and ("sends" in estimate["data"]) is (sends is not None)
    assert h.requests == []


# -- every listed parameter acts --------------------------------------------------------------


def _outreach(catalog: Catalog) -> list[str]:
    return [n for n, t in catalog.tools.items() if t.action.spec.outreach is not None]


def _taking(catalog: Catalog, arg: str) -> list[str]:
    return [n for n, t in catalog.tools.items() if arg in t.input_schema["properties"]]


def test_confirm_token_is_listed_only_with_previews() -> None:
    plain, previews = build_catalog(Settings()), build_catalog(Settings(confirm="preview"))
    assert _taking(plain, "confirm_token") == []
    assert _taking(build_catalog(Settings(confirm="outreach")), "confirm_token") == []
    assert _taking(previews, "confirm_token") == _outreach(previews) != []
    assert "messages_send" in _outreach(previews)
    compact = build_catalog(Settings(confirm="preview", tool_mode="compact"))
    assert compact.compact and _taking(compact, "confirm_token") == _outreach(compact)


async def test_the_runtime_catalog_follows_its_confirm_mode(harness: Callable[..., Harness]) -> None:
    h = harness()
    assert "confirm_token" not in h.runtime.catalog.tools["messages_send"].input_schema["properties"]
    off = await h.call("messages_send", {**SEND, "confirm_token": "t"})
    assert off["error"]["code"] == "VALIDATION_ERROR" and "confirm_token" in off["error"]["message"]
    h.runtime.confirm_mode = "preview"
    assert h.runtime.catalog.tools["messages_send"].input_schema["properties"]["confirm_token"] == {"type": "string"}
    wrong = await h.call("messages_send", {**SEND, "confirm_token": "t"})
    assert wrong["error"]["code"] == "CONFIRM_TOKEN_INVALID"
    h.runtime.confirm_mode = "off"
    assert "confirm_token" not in h.runtime.catalog.tools["messages_send"].input_schema["properties"]
    assert h.requests == []


@pytest.mark.parametrize(
    ("cache_ttl", "without_fresh"),
    [
        (None, []),
        ("0", ["mail_find_email", "profiles_get", "network_check_invitation"]),
        ("profiles_get=0", ["profiles_get"]),
    ],
)
def test_fresh_only_where_the_cache_keeps_the_tool(cache_ttl: str | None, without_fresh: list[str]) -> None:
    catalog = build_catalog(Settings(cache_ttl=cache_ttl))
    fresh = set(_taking(catalog, "fresh"))
    cached = {n for n, t in catalog.tools.items() if t.action.spec.cache_ttl is not None}
    assert fresh == cached - set(build_catalog(Settings(cache_ttl=cache_ttl)).uncached)
    assert not fresh & set(without_fresh)
    if cache_ttl == "0":
        assert fresh == set()


def test_no_control_argument_that_does_nothing(catalog: Catalog) -> None:
    # a CV leaves as a resource: what stays in data is a few values, nothing for `fields` to cut
    assert "fields" not in catalog.tools["recruiter_get_cv"].input_schema["properties"]
    assert "fields" in catalog.tools["profiles_get"].input_schema["properties"]
    # accounts_list is free: a credit cap caps nothing
    assert "max_credits" not in catalog.tools["accounts_list"].input_schema["properties"]
    assert "max_credits" in catalog.tools["profiles_search_people"].input_schema["properties"]
    for name, tool in catalog.tools.items():
        spec, props = tool.action.spec, tool.input_schema["properties"]
        assert ("fresh" in props) <= (spec.cache_ttl is not None), name
        assert ("allow_duplicate" in props) == (spec.outreach is not None), name
        assert "confirm_token" not in props, name  # the fixture's catalog does not preview
        if "max_credits" in props:
            assert spec.credits.base > 0 or spec.credits.per_results is not None, name


def test_recipient_cap_reports_what_it_counted(catalog: Catalog) -> None:
    cap = RecipientCap(2)
    send, invite = catalog.tools["messages_send"].action, catalog.tools["network_invite"].action
    cap.record(send, "acc_1", "jane")
    cap.record(send, "acc_1", "jane")  # one person counts once
    cap.record(send, "acc_1", "bob")
    cap.record(invite, "acc_1", "jane")
    assert cap.addressed() == {"message": 2, "invitation": 1}
    assert RecipientCap(None).addressed() == {}
