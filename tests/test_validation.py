"""Argument validation agrees with JSON Schema (Draft 2020-12) for every tool's input schema.

Arguments drawn from the schema have no problems; arguments built from them with one field set to
a value at or around its own bounds, or built from the schema's field names with arbitrary JSON
values, have no problems only if plain jsonschema finds no error either (`validation` is stricter
in one way only: a pattern's `$` ends the value, as ECMA-262 means it).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from linkup_mcp.call import validation
from linkup_mcp.spec.catalog import Catalog, Exposure
from linkup_mcp.spec.loader import load_specs

CATALOG = Catalog.build(load_specs(), Exposure.everything())
SCHEMAS = {name: tool.checked_schema for name, tool in CATALOG.tools.items()} | {
    name: definition["inputSchema"] for name, definition in CATALOG.local.items()
}
CHECK = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def _bounds(schema: Any) -> set[int]:
    """Every numeric or length bound in `schema`, and its neighbours."""
    found: set[int] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
                found |= {int(value) - 1, int(value), int(value) + 1}
            found |= _bounds(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _bounds(item)
    return found


LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def near(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values at and around one property's own bounds (as numbers, string lengths and list
    lengths) and its enum values, or any JSON when it has none."""
    edges = sorted(_bounds(schema))
    sizes = [n for n in edges if 0 <= n <= 10_000]
    enum = [*schema.get("enum", []), *schema.get("items", {}).get("enum", [])]
    candidates = [*edges, *("x" * n for n in sizes), *(["x"] * n for n in sizes), *enum, *(e + "!" for e in enum)]
    return st.sampled_from(candidates) if candidates else JSON


def jsonschema_valid(schema: dict[str, Any], value: Any) -> bool:
    return next(Draft202012Validator(schema).iter_errors(value), None) is None


def accepted(schema: dict[str, Any], value: Any) -> bool:
    return validation.problems(schema, value) == []


@pytest.mark.parametrize("tool", sorted(SCHEMAS))
@CHECK
@given(data=st.data())
def test_validation_agrees_with_jsonschema(tool: str, data: st.DataObject) -> None:
    schema = SCHEMAS[tool]
    valid = data.draw(from_schema(schema))
    assert accepted(schema, valid) and jsonschema_valid(schema, valid)
    for name, sub in [*schema["properties"].items(), ("unknown", {})]:  # one field changed at a time
        changed = {**valid, name: data.draw(near(sub))}
        assert not accepted(schema, changed) or jsonschema_valid(schema, changed), changed
    names = st.sampled_from([*schema["properties"], "unknown"])
    mixed = data.draw(st.dictionaries(names, JSON, max_size=4))
    assert not accepted(schema, mixed) or jsonschema_valid(schema, mixed), mixed


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("webhooks_events", {"webhook_id": "wh_1\n"}, "webhook_id"),
        ("accounts_get", {"account_id": "acc_1\n"}, "account_id"),
    ],
)
def test_a_pattern_ends_at_the_end_of_the_value(tool: str, arguments: dict[str, Any], field: str) -> None:
    """JSON Schema patterns are ECMA-262: `$` does not match before a trailing newline (Python's does)."""
    found = validation.problems(SCHEMAS[tool], arguments)
    assert [p["field"] for p in found] == [field]
    assert validation.problems(SCHEMAS[tool], {**arguments, field: arguments[field].strip()}) == []
