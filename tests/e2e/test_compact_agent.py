"""A scripted agent in compact mode over stdio: find an action, read its schema, run it — a read
through the read-only meta-tool, a send through linkup_run_action."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from mcp.shared.exceptions import MCPError

from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA
from tests.e2e.conftest import mcp_session

pytestmark = pytest.mark.anyio


async def test_find_describe_and_run_in_compact_mode() -> None:
    async with mcp_session({}, "--sandbox", "--compact") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert list(tools) == [
            "linkup_search_actions", "linkup_describe_action", "linkup_read_action", "linkup_run_action"
        ]  # fmt: skip
        assert tools["linkup_read_action"].annotations.read_only_hint is True
        assert tools["linkup_run_action"].annotations.read_only_hint is not True
        said = client.instructions or ""  # actions are named as actions, never as tools to call
        assert "the accounts_list action lists them" in said and "credits_estimate" not in said
        assert "SEND at once — there is no preview" in said

        async def call(name: str, args: dict[str, Any]) -> Any:
            result = await client.call_tool(name, args)
            assert tools[name].output_schema is None  # optional in MCP; the instructions name the members
            jsonschema.validate(result.structured_content, ENVELOPE_SCHEMA)
            return result.structured_content

        found = await call("linkup_search_actions", {"query": "search people", "limit": 3})
        first = found["data"]["actions"][0]
        action = first["action"]
        assert action == "profiles_search_people" and first["run_with"] == "linkup_read_action"
        assert "title" in first["params"] and "total_results" in first["params"]
        described = await call("linkup_describe_action", {"action": action})
        schema = described["data"]["input_schema"]
        assert "location" in schema["properties"] and schema["properties"]["location"]["type"] == "array"
        arguments = {"title": "CTO", "location": ["Paris"], "total_results": 5, "fetch_invitation_state": True}
        jsonschema.validate(arguments, schema)  # the agent builds its arguments from the schema
        dry = await call("linkup_read_action", {"action": action, "arguments": arguments, "dry_run": True})
        assert dry["data"]["estimated"] == 1 and dry["credits"]["charged"] == 0
        ran = await call("linkup_read_action", {"action": action, "arguments": arguments})
        assert ran["ok"] is True and ran["tool"] == action and ran["sandbox"] is True
        assert 0 < len(ran["data"]["results"]) <= 5
        assert all("Paris" in p["location"] for p in ran["data"]["results"])
        assert ran["credits"] == {"charged": 1, "estimated": 1, "session_spent": 1, "budget_remaining": None}
        with pytest.raises(MCPError, match="Unknown tool: profiles_search_people"):
            await client.call_tool("profiles_search_people", arguments)  # only the meta-tools exist

        # A send: the read-only meta-tool refuses it, sending nothing; linkup_run_action sends it.
        person = next(p["linkedin_url"] for p in ran["data"]["results"] if p["invitation_state"] == "CAN_INVITE")
        invite = {"action": "network_invite", "arguments": {"profile_url": person}}
        refused = await call("linkup_read_action", invite)
        assert refused["error"]["code"] == "VALIDATION_ERROR" and "linkup_run_action" in refused["error"]["message"]
        estimate = await call("linkup_run_action", {**invite, "dry_run": True})
        assert estimate["data"]["sends"] == "at once"  # LINKUP_CONFIRM off: no preview
        sent = await call("linkup_run_action", invite)
        assert sent["ok"] is True, sent["error"]
        assert sent["tool"] == "network_invite" and sent["credits"]["charged"] == 1
