"""`fields` keeps what the agent asked for, on nested lists too, and says what it dropped; a path
a documented answer cannot have is refused before the paid call; epoch-ms times come with ISO 8601."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx2
import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.result_size import size_of
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.call.shaping import has_epoch_ms, iso_time, shape, unknown_paths, with_iso_times
from linkup_mcp.call.validation import summary
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.spec.envelope import text_form
from tests.conftest import v2_success

DATA = {
    "results": [
        {"profile_url": "u1", "headline": "h1", "experience": [{"title": "t1", "company": "c1"}]},
        {"profile_url": "u2", "headline": "h2", "experience": [{"title": "t2", "company": "c2"}, {"title": "t3"}]},
    ],
    "total_results": 2,
    "pagination": {"start_page": 1, "has_more": True},
}


def test_nested_lists_keep_the_same_fields_in_every_item() -> None:
    kept, report = shape(DATA, ["results.profile_url", "results.experience.title", "total_results"])
    assert kept == {
        "results": [
            {"profile_url": "u1", "experience": [{"title": "t1"}]},
            {"profile_url": "u2", "experience": [{"title": "t2"}, {"title": "t3"}]},
        ],
        "total_results": 2,
    }
    assert report == {
        "fields": ["results.profile_url", "results.experience.title", "total_results"],
        "unmatched": [],
        "bytes_before": size_of(DATA),
        "bytes_after": size_of(kept),
    }


def test_whole_subtrees_and_unmatched_paths() -> None:
    kept, report = shape(DATA, ["pagination", "pagination.has_more", "results.nope", "nothing"])
    assert kept == {"pagination": {"start_page": 1, "has_more": True}, "results": [{}, {}]}
    assert report["unmatched"] == ["pagination.has_more", "results.nope", "nothing"]


PEOPLE = {
    "results": [{"linkedin_url": "u1", "headline": "h1"}, {"linkedin_url": "u2", "headline": "h2"}],
    "total_results": 2,
    "total_available_results": 50,
}


@pytest.mark.anyio
async def test_fields_in_a_call_shape_data_but_not_next_or_the_wire(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success(PEOPLE)))
    result = await h.call("profiles_search_people", {"keyword": "cto", "fields": ["results.linkedin_url"]})
    assert result["data"] == {"results": [{"linkedin_url": "u1"}, {"linkedin_url": "u2"}]}
    assert result["shaped"]["unmatched"] == [] and result["shaped"]["bytes_after"] < result["shaped"]["bytes_before"]
    # two of a 50-result page returned: the next call takes that page and drops those two
    assert result["next"] == {
        "keyword": "cto",
        "fields": ["results.linkedin_url"],
        "start_page": 1,
        "end_page": 1,
        "skip": 2,
    }
    assert h.bodies()[0]["params"] == {"keyword": "cto"}  # a control argument: never sent


# -- `fields` against the documented answer, before the paid call ----------------------------

PEOPLE_PATHS = (
    "results, results.public_id, results.first_name, results.last_name, results.headline, results.location, "
    "results.profile_picture_url, results.linkedin_url, results.invitation_state, total_results, "
    "total_available_results"
)


def test_a_path_the_documented_answer_cannot_have_is_named_with_the_valid_ones(catalog: Catalog) -> None:
    people = catalog.tools["profiles_search_people"].action.spec.response.data
    assert unknown_paths(["results.headline", ".total_results.", "results..linkedin_url"], people) is None
    assert unknown_paths(["results.headlin", "total"], people) == {
        "field": "fields",
        "problem": "no such data path 'results.headlin' (did you mean results.headline?), 'total' (did you mean "
        f"total_results?); valid paths: {PEOPLE_PATHS}",
    }
    profile = catalog.tools["profiles_get"].action.spec.response.data  # experience: array (items not shown)
    assert unknown_paths(["experience.title", "skills"], profile) is None
    problem = unknown_paths(["experiance.title"], profile)
    assert problem is not None and problem["problem"].startswith(
        "no such data path 'experiance.title' (did you mean experience?); valid paths: public_id, "
    )
    assert problem["problem"].endswith("; any path below experience, education, skills")
    assert unknown_paths(["anything.at.all"], "object") is None  # nothing documented inside


@pytest.mark.anyio
async def test_an_unknown_path_is_refused_before_the_paid_call(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success(PEOPLE)))
    result = await h.call("profiles_search_people", {"keyword": "cto", "fields": ["results.profile_url"]})
    problem = (
        "no such data path 'results.profile_url' (did you mean results.profile_picture_url?); "
        f"valid paths: {PEOPLE_PATHS}"
    )
    assert result["error"] == {
        "code": "VALIDATION_ERROR",
        "message": summary([{"field": "fields", "problem": problem}]),  # validation's one wording
        "retryable": False,
        "http_status": None,
        "fields": [{"field": "fields", "problem": problem}],
    }
    assert h.requests == [] and result["credits"]["charged"] == 0


@pytest.mark.anyio
async def test_an_assumed_answer_lets_any_path_through_and_lists_the_known_ones(harness: Any) -> None:
    posts = {"posts": [{"post_url": "p1", "headline": "not documented"}], "total_results": 1}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(posts)))
    result = await h.call("content_search", {"keyword": "ai", "fields": ["posts.headline", "posts.nope"]})
    assert result["ok"] and result["data"] == {"posts": [{"headline": "not documented"}]}
    shaped = result["shaped"]
    assert shaped["unmatched"] == ["posts.nope"]
    assert (
        shaped["known"][:3] == ["posts", "posts.post_url", "posts.post_urn"]
        and "posts.posted_at_iso" in shaped["known"]
    )
    assert text_form(result)["shaped"] == {"unmatched": ["posts.nope"], "known": shaped["known"]}


# -- epoch milliseconds also as ISO 8601 --------------------------------------------------------

DEC_7 = 1_796_637_600_000  # 2026-12-07T10:00:00Z


def test_epoch_milliseconds_as_iso_8601_utc() -> None:
    assert iso_time(DEC_7) == "2026-12-07T10:00:00Z"
    assert iso_time(DEC_7 + 241) == "2026-12-07T10:00:00.241Z"
    assert iso_time(0) == "1970-01-01T00:00:00Z"
    assert [iso_time(v) for v in (None, "1796637600000", 1.5, True, 10**20)] == [None] * 5


def test_iso_siblings_follow_the_fields_the_spec_marks(catalog: Catalog) -> None:
    shape_ = catalog.tools["messages_get_conversation"].action.spec.response.data
    data = {
        "total_message_count": 2,
        "last_seen_at": None,
        "messages": [{"text": "hi", "timestamp": DEC_7, "sender": "Sam"}, {"timestamp": "soon"}],
        "next_cursor": None,
    }
    assert with_iso_times(shape_, data) == {
        "total_message_count": 2,
        "last_seen_at": None,
        "last_seen_at_iso": None,
        "messages": [
            {"text": "hi", "timestamp": DEC_7, "timestamp_iso": "2026-12-07T10:00:00Z", "sender": "Sam"},
            {"timestamp": "soon"},  # drifted: passed on as sent (the drift step reports it)
        ],
        "next_cursor": None,
    }
    inbox = catalog.tools["messages_list_inbox"].action.spec.response.data
    one = {"conversations": [{"last_message": {"time": DEC_7 + 5}}]}
    assert with_iso_times(inbox, one) == {
        "conversations": [{"last_message": {"time": DEC_7 + 5, "time_iso": "2026-12-07T10:00:00.005Z"}}]
    }
    assert not has_epoch_ms(catalog.tools["profiles_search_people"].action.spec.response.data)


@pytest.mark.anyio
async def test_iso_siblings_are_not_drift_and_fields_can_keep_them(harness: Any) -> None:
    conversation = {
        "total_message_count": 1,
        "unread_count": 0,
        "last_seen_message": True,
        "last_seen_at": DEC_7,
        "messages": [
            {
                "text": "hi",
                "timestamp": DEC_7,
                "sender": "Sam",
                "sender_info": {"first_name": "Sam", "last_name": "Lee", "profile_url": "u"},
                "message_type": "TEXT",
                "entity_urn": "urn:1",
            }
        ],
        "next_cursor": None,
    }
    h = harness(lambda r: httpx2.Response(200, json=v2_success(conversation)))
    args = {"conversation_id": "c1", "count": 1}
    whole = await h.call("messages_get_conversation", args)
    assert whole["ok"] and "drift" not in whole
    assert whole["data"]["last_seen_at_iso"] == "2026-12-07T10:00:00Z"
    assert whole["data"]["messages"][0]["timestamp_iso"] == "2026-12-07T10:00:00Z"
    kept = await h.call("messages_get_conversation", {**args, "fields": ["messages.timestamp_iso"]})
    assert kept["data"] == {"messages": [{"timestamp_iso": "2026-12-07T10:00:00Z"}]}
    assert kept["shaped"]["unmatched"] == [] and "drift" not in kept


@pytest.mark.anyio
async def test_sandbox_post_times_come_with_their_iso_form(catalog: Catalog) -> None:
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        rt = Runtime(catalog, client=client, meter=CreditMeter(), default_account=sandbox.config.account_id)
        fields = ["posts.posted_at", "posts.posted_at_iso"]
        result = await rt.call("content_search", {"keyword": "ai", "total_results": 3, "fields": fields})
        await client.aclose()
    assert result["ok"] and "drift" not in result and result["data"]["posts"]
    for post in result["data"]["posts"]:
        assert isinstance(post["posted_at"], int)  # the sandbox answers epoch ms, as the spec says
        seconds, ms = divmod(post["posted_at"], 1000)
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        assert post["posted_at_iso"] == moment + (f".{ms:03d}Z" if ms else "Z")
