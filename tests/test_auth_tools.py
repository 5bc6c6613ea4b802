"""The opt-in auth toolset through the runtime: exact wire bodies, off by default, and the
login token (a LinkedIn credential) kept out of the ledger, error messages and prompts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from linkup_mcp.redact import Redactor
from linkup_mcp.spec.catalog import Catalog, Exposure
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.store.ledger import Ledger, digest
from tests.conftest import BASE_URL, v2_error, v2_success

pytestmark = pytest.mark.anyio

TOKEN = "AQEDAR-secret-li-token-0123456789"
LOGIN = {"platform": "linkedin", "login_token": TOKEN, "country": "FR"}


@pytest.mark.parametrize(
    ("tool", "args", "path", "body"),
    [
        ("auth_login", LOGIN, "/v2/login", LOGIN),  # no account_id, even with a default account
        ("auth_checkpoint", {"account_id": "acc_new", "code": "123456"}, "/v2/checkpoint", None),
        ("auth_checkpoint", {"account_id": "acc_new"}, "/v2/checkpoint", None),
        ("auth_checkpoint", {}, "/v2/checkpoint", {"account_id": "acc_1"}),  # LINKUP_ACCOUNT_ID
    ],
    ids=["login", "checkpoint-code", "checkpoint-app", "checkpoint-default-account"],
)
async def test_exact_request(harness: Any, tool: str, args: dict[str, Any], path: str, body: Any) -> None:
    data = {"account_id": "acc_new", "status": "connected"}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(data, credits=0 if tool == "auth_login" else 1)))
    result = await h.call(tool, args)
    (request,) = h.requests
    assert (request.method, str(request.url)) == ("POST", BASE_URL + path)
    assert json.loads(request.content) == (args if body is None else body)
    assert result["ok"] is True and result["data"] == data
    assert result["credits"]["charged"] == result["credits"]["estimated"] == (0 if tool == "auth_login" else 1)


def test_off_by_default_and_opted_in_by_toolset() -> None:
    actions = load_specs()
    default = Catalog.build(actions)
    assert not [n for n in default.names() if n.startswith("auth_")]
    assert "auth_login" not in Catalog.build(actions, compact=True).tools  # nor reachable in compact mode
    opted = Catalog.build(actions, Exposure.of(toolsets=["auth", "accounts"]))
    assert sorted(opted.names()) == ["accounts_get", "accounts_list", "auth_checkpoint", "auth_login"]
    schema = opted.tools["auth_login"].definition["inputSchema"]
    assert schema["properties"]["login_token"]["writeOnly"] is True
    assert schema["properties"]["password"]["writeOnly"] is True
    assert schema["required"] == ["platform"]  # and login_token, or email + password (the migration guide)
    assert opted.tools["auth_login"].alternatives == (("login_token",), ("email", "password"))


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({**LOGIN, "login_token": 12345678901234}, "expected string, got int (value not shown)"),
        ({**LOGIN, "login_token": ""}, "expected minLength 1 (value not shown)"),
    ],
)
async def test_invalid_token_is_refused_without_echoing_it(harness: Any, args: dict[str, Any], problem: str) -> None:
    h = harness()
    result = await h.call("auth_login", args)
    assert result["error"]["code"] == "VALIDATION_ERROR"
    assert result["error"]["fields"] == [{"field": "login_token", "problem": problem}]
    assert h.requests == []


async def test_ledger_keeps_a_digest_with_the_token_masked(harness: Any, tmp_path: Path) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"account_id": "acc_new", "status": "connected"}, 0)))
    path = tmp_path / "ledger.sqlite3"
    h.runtime.ledger = Ledger(path)
    await h.call("auth_login", LOGIN)
    await h.call("auth_login", {**LOGIN, "login_token": TOKEN[::-1]})
    rows = h.runtime.ledger.rows()
    h.runtime.ledger.close()
    masked = digest({**LOGIN, "login_token": "***"})
    assert [(r["tool"], r["outcome"], r["args_digest"]) for r in rows] == [("auth_login", "OK", masked)] * 2
    for file in tmp_path.iterdir():
        assert TOKEN.encode() not in file.read_bytes(), file


async def test_an_api_message_echoing_the_token_is_masked(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error("INVALID_PARAMS", f"bad login_token {TOKEN}")))
    result = await h.call("auth_login", LOGIN)
    assert result["error"]["message"] == "bad login_token ***."


async def test_confirmation_prompt_masks_the_token(harness: Any) -> None:
    h = harness()
    h.runtime.confirm_mode = "all"
    shown: list[str] = []

    async def confirm(text: str) -> Any:
        shown.append(text)
        return "accept"

    result = await h.runtime.call("auth_login", LOGIN, confirm=confirm)
    assert result["ok"] is True
    assert shown == [
        "Connect a LinkedIn account (auth_login) as account -, about 0 credit(s):\n"
        "  platform: linkedin\n  login_token: ***\n  country: FR\nSend it?"
    ]


def test_redactor_masks_secrets_json_would_escape() -> None:
    """A replace in the JSON text could break its syntax or miss an escaped secret: strings are masked one by one."""
    secret = 'ab"c\\d", "x'
    assert Redactor([secret]).scrub({"m": f"<{secret}>", "n": [secret], secret: 1}) == {
        "m": "<***>",
        "n": ["***"],
        "***": 1,
    }


def test_redactor_masks_a_key_percent_encoded_in_a_logged_url() -> None:
    """The SSE stream takes the key as a query parameter; httpx logs the URL percent-encoded."""
    key = "lk_ab+cd/ef=="
    logged = "GET https://api.linkupapi.com/v2/webhooks/wh_1/stream?api_key=lk_ab%2Bcd%2Fef%3D%3D"
    assert (
        Redactor([key]).text(logged + " " + key)
        == "GET https://api.linkupapi.com/v2/webhooks/wh_1/stream?api_key=*** ***"
    )
