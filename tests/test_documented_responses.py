"""Documented responses, one truth: each spec records the answer its LinkupAPI page shows
(`response`), the sandbox answers in exactly those names and types, tool descriptions name only
fields the answer has, and every action names its page (`source`)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from typing import Any

import jsonschema
import pytest

from linkup_mcp.api.client import LinkupClient, Reply
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.cli.commands import print_tools
from linkup_mcp.config import load_settings
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import CONTROL_ARGS, Catalog, Exposure
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.spec.response import json_schema
from tests.sample_calls import every_tool

pytestmark = pytest.mark.anyio

EVERYTHING = Catalog.build(exposure=Exposure.everything())


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def answers() -> AsyncIterator[tuple[dict[str, list[dict[str, Any]]], list[tuple[str, Any]]]]:
    """Every API tool called against a fresh sandbox: (envelopes by tool, raw (tool, data) replies)."""
    raw: list[tuple[str, Any]] = []
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        runtime = Runtime(
            EVERYTHING, client=client, meter=CreditMeter(), default_account=sandbox.config.account_id, cache_ttl="0"
        )
        send = client.send
        current: list[str] = []

        async def recording(*args: Any, **kwargs: Any) -> Reply:
            reply = await send(*args, **kwargs)
            if reply.body is not None and reply.body.get("success") is True:
                raw.append((current[-1], reply.body.get("data")))
            return reply

        client.send = recording  # type: ignore[method-assign]

        async def call(tool: str, args: dict[str, Any]) -> dict[str, Any]:
            current.append(tool)
            return await runtime.call(tool, args)

        envelopes = await every_tool(call)
        await client.aclose()
    yield envelopes, raw


async def test_every_api_tool_is_called(answers: Any) -> None:
    envelopes, _ = answers
    assert sorted(envelopes) == sorted(EVERYTHING.tools)


async def test_every_sandbox_answer_has_exactly_the_documented_fields_and_types(answers: Any) -> None:
    _, raw = answers
    assert raw
    for tool, data in raw:
        schema = json_schema(EVERYTHING.tools[tool].action.spec.response.data)
        try:
            jsonschema.validate(data, schema)
        except jsonschema.ValidationError as exc:
            raise AssertionError(f"{tool}: {exc.message} at {list(exc.absolute_path)}") from None


async def test_no_sandbox_answer_drifts_from_the_docs_or_the_credit_rules(answers: Any) -> None:
    envelopes, _ = answers
    drifted = {t: e["drift"] for t, found in envelopes.items() for e in found if e.get("drift")}
    assert drifted == {}


# -- what descriptions promise ----------------------------------------------------------------

FIELD_LIKE = re.compile(r"(?<![\w.`/-])([a-z]+(?:_[a-z0-9]+)+|[a-z]+[A-Z][A-Za-z]+)(?![\w/-])")


def _values(schema: Any) -> set[str]:
    """Every enum value of a params schema (documented values, not fields)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= {v for v in schema.get("enum", []) if isinstance(v, str)}
        for sub in schema.values():
            found |= _values(sub)
    elif isinstance(schema, list):
        for sub in schema:
            found |= _values(sub)
    return found


def test_descriptions_name_only_fields_of_the_documented_response() -> None:
    tools = set(EVERYTHING.tools) | set(EVERYTHING.local)
    values = set().union(*(_values(t.action.spec.params) for t in EVERYTHING.tools.values()))
    wrong = {}
    for name, tool in EVERYTHING.tools.items():
        spec = tool.action.spec
        named = set(FIELD_LIKE.findall(spec.description))
        params = set(spec.params.get("properties", {})) | set(CONTROL_ARGS)
        # "take shared_secret and entity_urn from network_list_invitations": another tool's fields
        others = [t.action.spec for n, t in EVERYTHING.tools.items() if n in named and n != name]
        theirs = set().union(*(set(o.params.get("properties", {})) | o.response.fields() for o in others))
        unknown = sorted(named - tools - params - values - theirs - spec.response.fields())
        if unknown:
            wrong[name] = unknown
    assert wrong == {}, "descriptions name fields the documented response does not have"


def test_every_api_action_names_its_documentation_page() -> None:
    for tool in EVERYTHING.tools.values():
        assert tool.action.spec.source.startswith("https://docs.linkupapi.com/"), tool.name
    # not in what clients list on every turn (tokens), only in `tools --json` and docs/tools.md
    assert all("source" not in json.dumps(d) for d in EVERYTHING.definitions())


def test_tools_json_gives_each_tools_source() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        print_tools(load_settings(toolsets=sorted(Exposure.everything().toolsets or ())), as_json=True)
    listed = {d["name"]: d["source"] for d in json.loads(out.getvalue())}
    assert listed["mail_validate_email"] == "https://docs.linkupapi.com/api-reference/v2/enrich/validate-email"
    assert listed["credits_estimate"] is None and listed["webhooks_wait"] is None  # answered locally
    assert all(listed[name] for name in EVERYTHING.tools)
