"""`fields` keeps what the agent asked for, on nested lists too, and says what it dropped."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from linkup_mcp.call.result_size import size_of
from linkup_mcp.call.shaping import shape
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


@pytest.mark.anyio
async def test_fields_in_a_call_shape_data_but_not_next_or_the_wire(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({**DATA, "total_available_results": 50})))
    result = await h.call("profiles_search_people", {"keyword": "cto", "fields": ["results.profile_url"]})
    assert result["data"] == {"results": [{"profile_url": "u1"}, {"profile_url": "u2"}]}
    assert result["shaped"]["unmatched"] == [] and result["shaped"]["bytes_after"] < result["shaped"]["bytes_before"]
    # two of a 50-result page returned: the next call takes that page and drops those two
    assert result["next"] == {
        "keyword": "cto",
        "fields": ["results.profile_url"],
        "start_page": 1,
        "end_page": 1,
        "skip": 2,
    }
    assert h.bodies()[0]["params"] == {"keyword": "cto"}  # a control argument: never sent
