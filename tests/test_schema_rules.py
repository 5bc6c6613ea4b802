"""Every listed tool is portable to every major client (linkup_mcp/schema_rules.py), and the lint can fail."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from linkup_mcp.spec import schema_rules
from linkup_mcp.spec.catalog import OPT_IN_TOOLSETS, Catalog, Exposure
from linkup_mcp.spec.loader import load_specs

pytestmark = pytest.mark.anyio

ACTIONS = load_specs()
TOOLSETS = sorted({a.toolset for a in ACTIONS})

# Every toolset alone, the default, everything, read-only; in both tool modes.
EXPOSURES = [Exposure.of(toolsets=[t]) for t in TOOLSETS] + [
    Exposure(),
    Exposure.everything(),
    Exposure.of(toolsets=TOOLSETS, read_only=True),
]


@pytest.mark.parametrize(("exposure", "compact"), list(itertools.product(EXPOSURES, [False, True])))
def test_every_listed_tool_is_portable(exposure: Exposure, compact: bool) -> None:
    catalog = Catalog.build(ACTIONS, exposure, compact=compact)
    assert catalog.definitions()
    for definition in catalog.definitions():
        assert schema_rules.problems(definition) == [], definition["name"]


def test_opt_in_toolsets_are_linted_too() -> None:
    assert set(OPT_IN_TOOLSETS) <= set(TOOLSETS)


def _tool(schema: dict[str, Any], name: str = "t") -> dict[str, Any]:
    return {"name": name, "inputSchema": schema}


def test_lint_names_each_broken_rule() -> None:
    bad = {
        "type": "object",
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
        "properties": {
            "a": {"type": "array", "description": "no items"},
            "b": {"type": ["string", "null"], "format": "email", "$ref": "#/x"},
            "c": {"type": "array", "items": {"type": "object", "properties": {"d": {"const": 1}}}},
        },
    }
    assert schema_rules.problems(_tool(bad, "bad tool")) == [
        "tool-name: 'bad tool'",
        "no-root-combinator: bad tool: root 'anyOf'",
        "known-keywords: bad tool: keyword 'anyOf'",
        "array-items: bad tool.a: array without items",
        "known-keywords: bad tool.b: keyword '$ref'",
        "single-type: bad tool.b: type ['string', 'null']",
        "string-format: bad tool.b: format 'email'",
        "known-keywords: bad tool.c[].d: keyword 'const'",
    ]
    assert schema_rules.problems(_tool({"type": "string"})) == ["root-object: t: root type 'string'"]
    assert schema_rules.problems(_tool({"type": "object", "enum": [{}]})) == ["no-root-combinator: t: root 'enum'"]
    assert schema_rules.problems(_tool({"type": "object", "not": {}})) == [
        "no-root-combinator: t: root 'not'",
        "known-keywords: t: keyword 'not'",
    ]


def test_every_rule_names_its_source() -> None:
    ids = [rule.id for rule in schema_rules.RULES]
    assert len(set(ids)) == len(ids)
    for rule in schema_rules.RULES:
        assert rule.source.count("http") >= 1 and rule.clients and rule.text, rule.id


def test_give_a_or_b_is_said_and_enforced_not_declared() -> None:
    """The spec's root anyOf becomes a description sentence and a local check."""
    catalog = Catalog.build(ACTIONS, Exposure.everything())
    invite = catalog.tools["network_invite"]
    assert "anyOf" not in invite.input_schema
    assert invite.alternatives == (("profile_url",), ("identifier",))
    assert invite.definition["description"].split("\n")[0].endswith(" Give profile_url or identifier.")
    assert invite.checked_schema["anyOf"] == [{"required": ["profile_url"]}, {"required": ["identifier"]}]
    with_alternatives = sorted(t.name for t in catalog.tools.values() if t.alternatives)
    assert with_alternatives == sorted(a.tool for a in ACTIONS if "anyOf" in a.spec.params)
    assert len(with_alternatives) >= 3


async def test_a_call_without_either_alternative_is_refused_locally(harness: Any) -> None:
    h = harness()
    result = await h.call("network_invite", {"message": "hi"})
    assert result["ok"] is False and h.requests == []
    assert result["error"]["code"] == "VALIDATION_ERROR"
    assert result["error"]["fields"] == [{"field": "(arguments)", "problem": "pass one of: profile_url or identifier"}]
