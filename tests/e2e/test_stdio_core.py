"""The real `linkup-mcp` process over stdio, against a loopback HTTP stand-in for the API."""

from __future__ import annotations

import json
import tempfile

import jsonschema
import pytest

from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA, text_form
from tests.e2e.conftest import ERAS, mcp_session
from tests.fakeapi import FakeApi

pytestmark = pytest.mark.anyio

SECRET = "lk_live_SECRET_key_0123456789"


@pytest.mark.parametrize("era", ERAS)
async def test_list_and_call_over_stdio_and_key_never_leaks(era: str) -> None:
    """tools/list, then a tools/call whose structuredContent is the envelope (no outputSchema: MCP
    makes it optional) and whose text block is the same envelope less its empty members."""
    with FakeApi() as api, tempfile.TemporaryFile("w+") as errlog:
        env = {
            "LINKUP_API_KEY": SECRET,
            "LINKUP_BASE_URL": api.base_url,
            "LINKUP_ACCOUNT_ID": "acc_e2e",
            "LINKUP_LOG_LEVEL": "DEBUG",
        }
        async with mcp_session(env, errlog=errlog, mode=era) as client:
            listed = await client.list_tools()
            tools = {t.name: t for t in listed.tools}
            assert "profiles_get" in tools
            result = await client.call_tool("profiles_get", {"profile_url": "https://www.linkedin.com/in/jane"})
            bad = await client.call_tool("profiles_get", {"profile_url": 5})

        assert result.is_error is False
        env_out = result.structured_content
        assert tools["profiles_get"].output_schema is None
        jsonschema.validate(env_out, ENVELOPE_SCHEMA)
        assert env_out["data"] == {
            "echo": {
                "account_id": "acc_e2e",
                "action": "get",
                "params": {"profile_url": "https://www.linkedin.com/in/jane"},
            }
        }
        assert env_out["credits"] == {"charged": 1, "estimated": 1, "session_spent": 1, "budget_remaining": None}
        assert json.loads(result.content[0].text) == text_form(env_out)
        assert "error" not in text_form(env_out) and "budget_remaining" not in text_form(env_out)["credits"]
        assert bad.is_error is True and bad.structured_content["error"]["code"] == "VALIDATION_ERROR"
        jsonschema.validate(bad.structured_content, ENVELOPE_SCHEMA)

        assert len(api.requests) == 1  # the invalid call sent nothing
        assert api.requests[0].headers["x-api-key"] == SECRET
        errlog.seek(0)
        logged = errlog.read()
        assert "action=get" in logged  # debug logging really ran
        assert SECRET not in logged
        assert SECRET not in json.dumps(env_out) and SECRET not in bad.content[0].text
