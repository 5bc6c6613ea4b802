"""Every tool, called over stdio against the sandbox with arguments drawn from its own input
schema: the server answers each with an envelope that validates against the output schema, and
no sandbox answer drifts from its action's documented response."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from linkup_mcp.errors import RETRYABLE
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog, CompiledTool, Exposure, toolset_specs
from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA
from linkup_mcp.spec.response import paths
from tests.e2e.conftest import mcp_session

pytestmark = pytest.mark.anyio

EXAMPLES_PER_TOOL = 4
LOCAL_CODES = {"DUPLICATE_SUPPRESSED", "PACING_LIMIT", "CHANNEL_ERROR"}
UNSERVED = {"INVALID_ACTION", "METHOD_NOT_ALLOWED"}  # what the sandbox answers for an action it lacks


def draw(schema: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """`n` arguments valid against `schema`, the same on every run (derandomized)."""
    out: list[dict[str, Any]] = []

    @settings(max_examples=n, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def collect(value: dict[str, Any]) -> None:
        if len(out) < n:
            out.append(value)

    collect()
    return out


def documented_fields(schema: dict[str, Any], tool: CompiledTool | None) -> dict[str, Any]:
    """`schema` with `fields` drawn from the paths a documented answer has: any other is refused
    before sending (call/shaping.unknown_paths), by design beyond what JSON Schema says."""
    props = schema.get("properties", {})
    if tool is None or "fields" not in props or not tool.action.spec.response.documented:
        return schema
    known = paths(tool.action.spec.response.data)[0]
    fields = {**props["fields"], "items": {"type": "string", "enum": known}}
    return {**schema, "properties": {**props, "fields": fields}}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.state.rate_limit_per_minute = 0  # the fuzz sends more than 300 requests a minute
        yield server


async def test_every_tool_with_schema_generated_arguments(sandbox: SandboxServer) -> None:
    env = {
        "LINKUP_API_KEY": sandbox.config.api_key,
        "LINKUP_BASE_URL": sandbox.base_url,
        "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
        "LINKUP_TOOLSETS": ",".join(toolset_specs()),  # every toolset, opt-in ones too
    }
    seen_codes: set[str] = set()
    everything = Catalog.build(exposure=Exposure.everything())
    # "Give A or B" is said in the description, not the listed schema (portability): draw from
    # the schema local validation enforces, which adds those alternatives.
    checked = {t.name: documented_fields(t.checked_schema, t) for t in everything.tools.values()}
    async with mcp_session(env) as client:
        tools = (await client.list_tools()).tools
        assert sorted(t.name for t in tools) == sorted(everything.names())
        for tool in tools:
            assert tool.output_schema is None  # optional in MCP; results are the envelope all the same
            tool.input_schema = checked.get(tool.name, tool.input_schema)
            if tool.name == "credits_estimate":  # arguments drawn from the estimated tool's schema
                schemas = {t.name: checked.get(t.name, t.input_schema) for t in tools}
                names = [t.name for t in tools if t.name not in ("credits_estimate", "webhooks_wait")]
                examples = [{"tool": n, "arguments": draw(schemas[n], 1)[0]} for n in names]
            else:
                examples = draw(tool.input_schema, EXAMPLES_PER_TOOL)
            if tool.name == "webhooks_wait":  # bounded waits: keep the fuzz fast
                examples = [{**e, "timeout_s": 1} for e in examples]
            assert examples, tool.name
            for args in examples:
                result = await client.call_tool(tool.name, args)
                envelope = result.structured_content
                assert isinstance(envelope, dict), (tool.name, args, result)
                jsonschema.validate(envelope, ENVELOPE_SCHEMA)
                assert envelope["tool"] == tool.name
                assert result.is_error is (not envelope["ok"])
                # every sandbox answer has the documented fields and types, and the rule's charge
                assert not envelope.get("drift"), (tool.name, args, envelope["drift"])
                if not envelope["ok"]:
                    code = envelope["error"]["code"]
                    assert code in RETRYABLE or code in LOCAL_CODES, (tool.name, args, envelope["error"])
                    # the sandbox serves every spec action (tests/test_sandbox_serves_specs.py)
                    assert code not in UNSERVED, (tool.name, args, envelope["error"])
                    assert "No route for" not in envelope["error"]["message"], (tool.name, envelope["error"])
                    # schema-valid arguments are never refused locally as invalid
                    assert code != "VALIDATION_ERROR", (tool.name, args, envelope["error"])
                    seen_codes.add(code)
    # Random ids and URLs mostly miss the seeded world: the sandbox must have said so itself.
    assert "INVALID_PARAMS" in seen_codes
