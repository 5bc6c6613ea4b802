"""Property-based tests of every API tool, from its own input schema.

- Arguments drawn from a tool's input schema are accepted and reach the wire unchanged: one
  request, exactly the V2 body (or query/path) the arguments describe; the credit estimate is
  never negative and decides, against the per-call cap, whether anything is sent.
- Arguments made invalid one way at a time (unknown property, missing required property,
  wrong JSON type, out-of-range value, value outside an enum, account id outside its pattern)
  are refused with VALIDATION_ERROR naming the offending field, and nothing is sent.
- Huge and deeply nested values are refused or passed on, never raised, and the refusal does
  not echo a megabyte back to the agent.

Each example gets a fresh harness (fresh ledger, meter and rate limiter), so duplicate
suppression, pacing and budgets never carry over between examples. The runtime is async;
each example runs it with `asyncio.run` inside a synchronous @given test.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import math
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from linkup_mcp.call.outreach import Guards
from linkup_mcp.call.validation import misnames
from linkup_mcp.spec.catalog import CONTROL_ARGS, Catalog, CompiledTool
from linkup_mcp.spec.credits import estimate
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.spec.models import ID_PATTERN
from tests.conftest import API_KEY, BASE_URL, Harness

CATALOG = Catalog.build(load_specs())
TOOLS = sorted(CATALOG.tools)
DEFAULT_ACCOUNT = "acc_1"  # the harness's LINKUP_ACCOUNT_ID
CAP = Guards().max_credits_per_call  # per-call credit cap (LINKUP_MAX_CREDITS_PER_CALL default)
assert CAP == 50
NOTHING_CHARGED = {"charged": 0, "estimated": 0, "session_spent": 0, "budget_remaining": None}
MB = 1_000_000

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the harness factory is called afresh in every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
INVALID = settings(PROPERTY, max_examples=10)


# -- helpers --------------------------------------------------------------------------------


def compiled(tool: str) -> CompiledTool:
    return CATALOG.tools[tool]


def props(tool: str) -> dict[str, Any]:
    """The properties as validation checks them (tools/list leaves out `minLength: 1`, `minimum: 1`)."""
    tool_ = compiled(tool)
    return (tool_.full_schema or tool_.input_schema)["properties"]


# Control arguments that reshape the answer, page on their own or read local files have their
# own tests (test_shaping, test_auto_pagination, test_uploads); here the wire and the envelope
# must be the plain ones.
RESHAPING = ("fields", "max_credits", "media_local_path")


@functools.cache
def valid_args(tool: str) -> st.SearchStrategy[dict[str, Any]]:
    schema = copy.deepcopy(compiled(tool).checked_schema)  # with the "give A or B" alternatives
    for name in RESHAPING:
        schema["properties"].pop(name, None)
    return from_schema(schema)


@functools.cache
def minimal_args(tool: str) -> dict[str, Any]:
    """Arguments the tool's schema accepts, the same on every run: the required ones only.

    Drawn (derandomized, not shrunk: `find` spent seconds per tool shrinking) from the schema
    with its optional properties left out."""
    schema = copy.deepcopy(compiled(tool).checked_schema)
    keep = set(schema.get("required", [])) | {n for o in schema.get("anyOf", [])[:1] for n in o["required"]}
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k in keep}
    found: list[dict[str, Any]] = []

    @settings(max_examples=1, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def draw(value: dict[str, Any]) -> None:
        found.append(value)

    draw()
    return found[0]


def run(h: Harness, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """One call on a fresh event loop; the caller's arguments must come through unmodified."""
    before = copy.deepcopy(args)

    async def go() -> dict[str, Any]:
        try:
            return await h.call(tool, args)
        finally:
            assert h.runtime.client is not None
            await h.runtime.client.aclose()

    result = asyncio.run(go())
    assert args == before, "the runtime modified the caller's arguments"
    return result


def query_text(value: Any) -> str:
    """A query-string value as the API expects it: JSON for lists/objects, true/false for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def assert_refused(result: dict[str, Any], h: Harness, fields: set[str]) -> list[dict[str, str]]:
    """VALIDATION_ERROR naming exactly `fields`, nothing sent, nothing charged."""
    assert h.requests == []
    assert result["ok"] is False and result["data"] is None
    error = result["error"]
    assert error["code"] == "VALIDATION_ERROR", error
    assert error["retryable"] is False and error["http_status"] is None
    assert {f["field"] for f in error["fields"]} == fields, error["fields"]
    for field in fields:
        assert field in error["message"]
    assert result["credits"] == NOTHING_CHARGED
    return error["fields"]


# -- 1. schema-valid arguments arrive unchanged ---------------------------------------------


def assert_wire(tool: CompiledTool, args: dict[str, Any], h: Harness) -> None:
    route = tool.action.route
    assert set(route.path_params()) <= {"account_id"}, "add path parameters other than account_id to this check"
    params = {k: v for k, v in args.items() if k not in CONTROL_ARGS}
    assert len(h.requests) == 1
    request = h.requests[0]
    assert request.method == route.method
    assert request.headers["x-api-key"] == API_KEY
    if route.body == "action":
        assert str(request.url) == BASE_URL + route.path
        assert request.headers["content-type"] == "application/json"
        expected: dict[str, Any] = {"action": tool.action.wire_action, "params": params}
        if route.account == "required":
            expected["account_id"] = args.get("account_id", DEFAULT_ACCOUNT)
        elif route.account == "optional" and "account_id" in args:  # mail: sent only when given
            expected["account_id"] = args["account_id"]
        body = json.loads(request.content)
        assert body == expected
        assert body["params"] == params  # the same, said the way the brief says it
    elif route.body == "query":
        assert request.content == b""
        path = route.path.replace("{account_id}", quote(args.get("account_id", DEFAULT_ACCOUNT), safe=""))
        assert request.url.raw_path.split(b"?")[0] == path.encode()
        sent = sorted(request.url.params.multi_items())
        assert sent == sorted((k, query_text(v)) for k, v in params.items())
    else:
        pytest.fail(f"{tool.name}: no wire check for route body {route.body!r}")


def expected_account(tool: CompiledTool, args: dict[str, Any]) -> str | None:
    mode = tool.action.route.account
    if mode == "none":
        return None
    if mode == "optional":
        return args.get("account_id")
    return args.get("account_id", DEFAULT_ACCOUNT)


@pytest.mark.parametrize("tool", TOOLS)
@PROPERTY
@given(data=st.data())
def test_schema_valid_arguments_are_sent_unchanged(harness: Any, tool: str, data: st.DataObject) -> None:
    ct = compiled(tool)
    args = data.draw(valid_args(tool), label="arguments")
    h = harness()
    result = run(h, tool, args)

    estimated = result["credits"]["estimated"]
    assert estimated == estimate(ct.action.spec, args)
    assert estimated >= 0
    assert result["tool"] == tool
    if estimated > CAP:
        assert h.requests == []
        assert result["ok"] is False
        assert result["error"]["code"] == "BUDGET_EXCEEDED"
        assert result["credits"]["charged"] == 0 and result["credits"]["session_spent"] == 0
        return
    assert result["error"] is None, result["error"]
    assert result["ok"] is True
    assert_wire(ct, args, h)
    assert result["account_id"] == expected_account(ct, args)
    assert result["credits"]["charged"] == 1  # the mock's metadata.credits_consumed
    if tool != "credits_get":  # credits_get's data gains this server's own spend
        assert result["data"] == {"ok": 1}


PER_RESULTS_TOOLS = [t for t in TOOLS if compiled(t).action.spec.credits.per_results]


@pytest.mark.parametrize("tool", PER_RESULTS_TOOLS)
@PROPERTY
@given(data=st.data())
def test_result_count_sets_estimate_and_the_cap_decides_sending(harness: Any, tool: str, data: st.DataObject) -> None:
    """The schema allows e.g. total_results up to 1000 (100 credits): above the cap, nothing is sent."""
    spec = compiled(tool).action.spec
    per = spec.credits.per_results
    assert per is not None
    count = props(tool)[per.param]
    lo, hi = count.get("minimum", 1), count.get("maximum", 10_000)
    edge = CAP * per.every // per.credits  # the largest count still within the cap
    edges = [n for n in (lo, edge, edge + 1, hi) if lo <= n <= hi]
    n = data.draw(st.one_of(st.sampled_from(edges), st.integers(lo, hi)), label=per.param)
    args = data.draw(valid_args(tool), label="arguments")
    dropped = ("start_page", "end_page", *(spec.credits.surcharge.if_any if spec.credits.surcharge else ()))
    args = {k: v for k, v in args.items() if k not in dropped}
    args[per.param] = n
    h = harness()
    result = run(h, tool, args)

    expected = math.ceil(n / per.every) * per.credits
    assert result["credits"]["estimated"] == expected
    if expected > CAP:
        assert result["error"]["code"] == "BUDGET_EXCEEDED" and h.requests == []
    else:
        assert result["ok"] is True, result["error"]
        assert_wire(compiled(tool), args, h)


# -- 2. invalid arguments are refused, naming the field -------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)

BY_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(-(10**12), 10**12),
    "number": st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    "string": st.text(max_size=10),
    "array": st.lists(st.integers(), max_size=3),
    "object": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
}


def wrong_type(sub: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value of any JSON type the property does not accept (1.0 counts as an integer)."""
    declared = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
    allowed = set(declared) | ({"integer"} if "number" in declared else set())
    return st.one_of([s for t, s in BY_TYPE.items() if t not in allowed])


@pytest.mark.parametrize("tool", TOOLS)
@INVALID
@given(data=st.data())
def test_unknown_property_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(tool), label="arguments")
    key = data.draw(st.text(min_size=1, max_size=30).filter(lambda k: k not in props(tool)), label="unknown")
    args[key] = data.draw(JSON_VALUES, label="value")
    h = harness()
    (problem,) = assert_refused(run(h, tool, args), h, {key})
    # the argument meant (a misname's advice, the closest names), else every valid name
    said = problem["problem"]
    assert said.startswith("unknown field; ")
    assert said.startswith(("unknown field; allowed fields: ", "unknown field; did you mean ")) or (
        key in misnames(compiled(tool).action.spec)
    ), said


REQUIRED_TOOLS = [t for t in TOOLS if compiled(t).input_schema.get("required")]
ANY_OF_TOOLS = [t for t in TOOLS if compiled(t).checked_schema.get("anyOf")]


@pytest.mark.parametrize("tool", REQUIRED_TOOLS)
@INVALID
@given(data=st.data())
def test_missing_required_property_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(tool), label="arguments")
    missing = data.draw(st.sampled_from(compiled(tool).input_schema["required"]), label="removed")
    del args[missing]
    h = harness()
    (problem,) = assert_refused(run(h, tool, args), h, {missing})
    assert problem["problem"].startswith("required field is missing; pass " + missing)


@pytest.mark.parametrize("tool", ANY_OF_TOOLS)
@INVALID
@given(data=st.data())
def test_missing_every_alternative_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    options = [o["required"] for o in compiled(tool).checked_schema["anyOf"]]
    args = data.draw(valid_args(tool), label="arguments")
    for name in {n for option in options for n in option}:
        args.pop(name, None)
    h = harness()
    (problem,) = assert_refused(run(h, tool, args), h, {"(arguments)"})
    assert problem["problem"] == "pass one of: " + " or ".join(" + ".join(o) for o in options)


@pytest.mark.parametrize("tool", [t for t in TOOLS if props(t)])  # credits_get takes no argument
@INVALID
@given(data=st.data())
def test_value_of_wrong_type_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(tool), label="arguments")
    name = data.draw(st.sampled_from(sorted(props(tool))), label="property")
    args[name] = data.draw(wrong_type(props(tool)[name]), label="wrong value")
    h = harness()
    found = assert_refused(run(h, tool, args), h, {name})
    assert any(p["problem"].startswith("expected ") for p in found), found


def out_of_range(sub: dict[str, Any]) -> list[st.SearchStrategy[Any]]:
    """Values of the right type outside the property's bounds."""
    out: list[st.SearchStrategy[Any]] = []
    if sub.get("type") == "integer":
        if "minimum" in sub:
            out.append(st.integers(max_value=sub["minimum"] - 1))
        if "maximum" in sub:
            out.append(st.integers(min_value=sub["maximum"] + 1))
    if sub.get("type") == "string":
        if sub.get("minLength", 0) > 0:
            out.append(st.text(max_size=sub["minLength"] - 1))
        if "maxLength" in sub:  # built by repetition: hypothesis cannot draw 8,001 characters one by one
            too_long = sub["maxLength"] + 1
            out.append(st.builds(lambda c, n: c * (too_long + n), st.characters(codec="utf-8"), st.integers(0, 50)))
    return out


RANGED = {t: {n: out_of_range(s) for n, s in props(t).items() if out_of_range(s)} for t in TOOLS}


@pytest.mark.parametrize("tool", [t for t in TOOLS if RANGED[t]])
@INVALID
@given(data=st.data())
def test_value_out_of_range_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(tool), label="arguments")
    name = data.draw(st.sampled_from(sorted(RANGED[tool])), label="property")
    args[name] = data.draw(st.one_of(RANGED[tool][name]), label="out of range")
    h = harness()
    assert_refused(run(h, tool, args), h, {name})


def enum_slots(tool: str) -> list[tuple[str, list[str], bool]]:
    """(property, allowed values, whether the enum is on the array's items)."""
    out = []
    for name, sub in props(tool).items():
        if "enum" in sub:
            out.append((name, sub["enum"], False))
        elif "enum" in sub.get("items", {}):
            out.append((name, sub["items"]["enum"], True))
    return out


@pytest.mark.parametrize("tool", [t for t in TOOLS if enum_slots(t)])
@INVALID
@given(data=st.data())
def test_string_outside_enum_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(tool), label="arguments")
    name, allowed, in_items = data.draw(st.sampled_from(enum_slots(tool)), label="property")
    bad = data.draw(st.text(max_size=15).filter(lambda s: s not in allowed), label="not allowed")
    args[name] = [bad] if in_items else bad
    field = f"{name}.0" if in_items else name
    h = harness()
    (problem,) = assert_refused(run(h, tool, args), h, {field})
    assert "is not allowed; use one of" in problem["problem"]


PATH_ACCOUNT_TOOLS = [t for t in TOOLS if compiled(t).action.route.account == "path"]


@pytest.mark.parametrize("tool", PATH_ACCOUNT_TOOLS)
@INVALID
@given(data=st.data())
def test_account_id_outside_its_pattern_is_refused(harness: Any, tool: str, data: st.DataObject) -> None:
    """Where the account id is a URL path segment (accounts_get): '..', 'a/b', ... are refused
    locally. (In a JSON body any string is the API's to judge: no pattern there, to save tokens.)"""
    args = data.draw(valid_args(tool), label="arguments")
    args["account_id"] = data.draw(st.text(max_size=20).filter(lambda s: not re.search(ID_PATTERN, s)), label="id")
    h = harness()
    assert_refused(run(h, tool, args), h, {"account_id"})


# -- huge and deeply nested values ----------------------------------------------------------

HUGE = "x" * MB
MAX_ERROR_MESSAGE = 10_000  # a refusal names the problem; it does not echo a megabyte back


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("tool", TOOLS)
def test_huge_value_in_unknown_property_is_refused(harness: Any, tool: str) -> None:
    h = harness()
    result = run(h, tool, {**minimal_args(tool), "zzz": HUGE})
    assert_refused(result, h, {"zzz"})
    assert len(result["error"]["message"]) < MAX_ERROR_MESSAGE


def _string_props_with(key: str) -> list[tuple[str, str]]:
    return [(t, n) for t in TOOLS for n, s in props(t).items() if s.get("type") == "string" and key in s]


@pytest.mark.parametrize(("tool", "name"), _string_props_with("maxLength"))
def test_huge_string_over_max_length_is_refused_without_echoing_it(harness: Any, tool: str, name: str) -> None:
    h = harness()
    result = run(h, tool, {**minimal_args(tool), name: HUGE})
    (problem,) = assert_refused(result, h, {name})
    assert problem["problem"].endswith("is too long")
    assert len(result["error"]["message"]) < MAX_ERROR_MESSAGE


def test_huge_string_without_max_length_is_sent_unchanged(harness: Any) -> None:
    h = harness()
    args = {"keyword": HUGE, "location": [HUGE]}
    result = run(h, "profiles_search_people", args)
    assert result["ok"] is True, result["error"]
    assert_wire(compiled("profiles_search_people"), args, h)


OBJECT_PROPS = [(t, n) for t in TOOLS for n, s in props(t).items() if s.get("type") == "object"]
OBJECT_LIST_PROPS = [(t, n) for t in TOOLS for n, s in props(t).items() if s.get("items", {}).get("type") == "object"]


@pytest.mark.parametrize(("tool", "name"), OBJECT_PROPS + OBJECT_LIST_PROPS)
@pytest.mark.parametrize("value", ["huge string", "nested 150 deep"])
def test_huge_or_deep_value_in_object_property_is_refused(harness: Any, tool: str, name: str, value: str) -> None:
    """A megabyte string is the wrong type; a deep object lacks the required keys and has an unknown one.

    150 levels is about what an MCP client's JSON can carry (pydantic's parser stops near 200)."""
    wrapped = props(tool)[name]["type"] == "array"
    bad: Any = HUGE if value == "huge string" else nested(150)
    h = harness()
    result = run(h, tool, {**minimal_args(tool), name: [bad] if wrapped else bad})
    error = result["error"]
    assert error is not None and error["code"] == "VALIDATION_ERROR" and h.requests == []
    where = f"{name}.0" if wrapped else name
    assert {f["field"] for f in error["fields"]} == (
        {where}
        if value == "huge string"
        else {f"{where}.filename", f"{where}.data", f"{where}.a"}  # nested fields named by their full path
    )
    assert len(error["message"]) < MAX_ERROR_MESSAGE


@pytest.mark.parametrize("where", ["unknown property", "object property"])
def test_absurdly_deep_value_is_refused_not_raised(harness: Any, where: str) -> None:
    deep = nested(5_000)
    args = {"message": "hi", "zzz": deep} if where == "unknown property" else {"message": "hi", "file": deep}
    h = harness()
    result = asyncio.run(h.call("content_create", args))  # not run(): its deepcopy would recurse itself
    assert result["error"]["code"] == "VALIDATION_ERROR" and h.requests == []
    assert result["error"]["fields"] == [{"field": "(arguments)", "problem": "nested deeper than 200 levels"}]
