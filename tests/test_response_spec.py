"""The `response:` notation of a spec, its JSON Schema, and how an answer drifts from it."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from linkup_mcp.spec.credits import expected_charge
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.spec.response import MAX_PROBLEMS, ResponseSpec, drift, json_schema, paths

SHAPE: dict[str, Any] = {
    "results": [{"public_id": "string", "headline": "string|null", "degree": "integer"}],
    "total_results": "integer",
    "next_cursor": "string|null",
    "pagination?": {"has_more": "boolean"},
    "score": "number",
    "extra_info": "object",
}
GOOD: dict[str, Any] = {
    "results": [{"public_id": "a", "headline": None, "degree": 2}, {"public_id": "b", "headline": "CTO", "degree": 1}],
    "total_results": 2,
    "next_cursor": None,
    "pagination": {"has_more": False},
    "score": 3,  # an integer is a number
    "extra_info": {"anything": [1]},
}


def test_a_matching_answer_has_no_drift_and_validates() -> None:
    assert drift(SHAPE, GOOD) == []
    jsonschema.validate(GOOD, json_schema(SHAPE))
    absent = {k: v for k, v in GOOD.items() if k not in ("next_cursor", "pagination")}  # |null and ? may be absent
    assert drift(SHAPE, absent) == []
    jsonschema.validate(absent, json_schema(SHAPE))


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        (
            {**GOOD, "total": 2, "total_results": None} | {},
            ["extra data.total", "data.total_results: null, documented integer"],
        ),
        (
            {k: v for k, v in GOOD.items() if k != "total_results"} | {"count": 2},
            ["renamed data.total_results -> data.count"],
        ),
        (
            {**GOOD, "results": [{"id": "a", "headline": None, "degree": "2nd"}]},
            [
                "renamed data.results[].public_id -> data.results[].id",
                "data.results[].degree: string, documented integer",
            ],
        ),
        ({**GOOD, "results": {"a": 1}}, ["data.results: object, documented array"]),
        ({**GOOD, "pagination": {"has_more": "no"}}, ["data.pagination.has_more: string, documented boolean"]),
        ([1, 2], ["data: array, documented object"]),
    ],
)
def test_drift_names_what_differs(answer: Any, found: list[str]) -> None:
    assert drift(SHAPE, answer) == found
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, json_schema(SHAPE))


def test_drift_is_short() -> None:
    many = {f"field_{i}": i for i in range(20)}
    found = drift({"a": "string"}, many)
    assert len(found) == MAX_PROBLEMS + 1 and found[-1] == "…"


def test_an_empty_object_is_documented_as_exactly_empty() -> None:
    assert drift({}, {}) == []
    assert drift({}, {"status": "ok"}) == ["extra data.status"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"a": "text"}, "data.a: unknown type text"),
        ({"a": ["string", "integer"]}, "data.a: an array is written [item]"),
        ({"a": 3}, "data.a: 3 is not a type"),
        ({"bad key": "string"}, "'bad key' is not a field name"),
    ],
)
def test_the_notation_is_checked(data: Any, problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        ResponseSpec(data=data)


def test_fields_lists_every_name_at_any_depth() -> None:
    assert ResponseSpec(data=SHAPE).fields() == {
        "results", "public_id", "headline", "degree", "total_results", "next_cursor", "pagination", "has_more",
        "score", "extra_info",
    }  # fmt: skip


SPECS = {a.tool: a.spec for a in load_specs()}


@pytest.mark.parametrize(
    ("tool", "args", "data", "expected"),
    [
        ("profiles_get", {"profile_url": "u"}, {}, 1),  # flat: the rule's price
        ("network_list_connections", {"count": 100}, {"connections": [{}] * 51}, 2),  # 1 per 50 returned
        ("network_list_connections", {"count": 100}, {"connections": []}, 1),  # never below one
        ("network_recommendations", {"count": 30}, {"recommendations": [{}] * 12}, 2),  # the only list
        ("messages_send", {"media_link": "https://x/a.pdf"}, {}, 2),  # +1 with media
        ("network_list_connections", {}, {"oops": []}, None),  # the answer shows no results
    ],
)
def test_the_charge_a_rule_gives_for_an_answer(
    tool: str, args: dict[str, Any], data: Any, expected: int | None
) -> None:
    assert expected_charge(SPECS[tool], args, data) == expected


def test_epoch_ms_is_an_integer_on_the_wire_with_an_iso_sibling_to_select() -> None:
    shape = {"messages": [{"timestamp": "epoch_ms", "meta": "object"}], "last_seen_at": "epoch_ms|null"}
    assert drift(shape, {"messages": [{"timestamp": 1_796_637_600_000, "meta": {}}], "last_seen_at": None}) == []
    assert drift(shape, {"messages": [{"timestamp": "2026-12-07", "meta": {}}], "last_seen_at": 1.5}) == [
        "data.messages[].timestamp: string, documented epoch_ms",
        "data.last_seen_at: number, documented epoch_ms",
    ]
    assert json_schema("epoch_ms|null") == {"type": ["integer", "null"]}
    assert paths(shape) == (
        [
            "messages",
            "messages.timestamp",
            "messages.timestamp_iso",
            "messages.meta",
            "last_seen_at",
            "last_seen_at_iso",
        ],
        ["messages.meta"],
    )
    assert ResponseSpec(data={"t": "epoch_ms"}).fields() == {"t"}
    with pytest.raises(ValueError, match="unknown type epoch_s"):
        ResponseSpec(data={"t": "epoch_s"})
