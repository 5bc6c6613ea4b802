"""Results over LINKUP_MAX_RESULT_BYTES are cut, flagged and explained, never silently."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import jsonschema
import pytest

from linkup_mcp.call.result_size import fit, size_of
from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA
from tests.conftest import v2_success

pytestmark = pytest.mark.anyio


def people(n: int) -> list[dict[str, Any]]:
    return [{"profile_url": f"https://www.linkedin.com/in/p{i:04d}", "headline": "x" * 80} for i in range(n)]


def test_small_data_is_returned_as_is() -> None:
    data = {"results": people(3)}
    assert fit(data, 10_000) == (data, None)


def test_biggest_list_keeps_the_longest_prefix_that_fits() -> None:
    data = {"results": people(200), "total_results": 200, "tags": ["a", "b"]}
    cut, report = fit(data, 5_000)
    assert size_of(cut) <= 5_000
    kept = len(cut["results"])
    assert cut["results"] == data["results"][:kept] and kept > 0
    # one more item would not have fitted
    assert size_of({**cut, "results": data["results"][: kept + 1]}) > 5_000
    assert cut["tags"] == ["a", "b"] and cut["total_results"] == 200
    assert report is not None
    assert report["cuts"] == [{"path": "results", "kept_items": kept, "total_items": 200}]
    assert report["original_bytes"] == size_of(data) and report["limit_bytes"] == 5_000
    assert len(data["results"]) == 200  # the caller's object is untouched


def test_long_string_is_cut_with_a_marker() -> None:
    data = {"cv": {"content": "A" * 20_000, "filename": "cv.pdf"}}
    cut, report = fit(data, 2_000)
    assert size_of(cut) <= 2_000
    content = cut["cv"]["content"]
    kept = report["cuts"][0]["kept_chars"] if report else -1
    assert content == "A" * kept + f"…[cut {20_000 - kept} chars]"
    assert report is not None and report["cuts"] == [{"path": "cv.content", "kept_chars": kept, "total_chars": 20_000}]


async def test_dispatcher_flags_cut_results_in_the_envelope(harness: Any) -> None:
    h = harness(
        [
            httpx2.Response(200, json=v2_success({"results": people(500)})),
            httpx2.Response(200, json=v2_success({"first_name": "Jane"})),
        ]
    )
    h.runtime.max_result_bytes = 8_000
    result = await h.call("profiles_search_people", {"total_results": 50})
    jsonschema.validate(result, ENVELOPE_SCHEMA)
    assert result["ok"] is True
    assert size_of(result["data"]) <= 8_000
    assert result["truncated"]["cuts"][0]["path"] == "results"
    assert "LINKUP_MAX_RESULT_BYTES" in result["truncated"]["hint"]
    small = await h.call("profiles_get", {"profile_url": "https://www.linkedin.com/in/p1"})
    assert "truncated" not in small  # the contract's envelope, unchanged when nothing is cut
    assert json.dumps(small)  # still plain JSON
