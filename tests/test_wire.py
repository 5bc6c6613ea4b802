"""The exact HTTP request each category sends, and the exact envelope that comes back."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.conftest import API_KEY, BASE_URL, v2_success

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"

# tool, arguments, method, URL, JSON body (None for no body)
CASES: list[tuple[str, dict[str, Any], str, str, Any]] = [
    (
        "profiles_search_people",
        {"keyword": "founder", "location": ["Paris", "Lyon"], "network": ["F", "S"], "total_results": 25},
        "POST",
        "/v2/profiles",
        {
            "account_id": "acc_1",
            "action": "search_people",
            "params": {"keyword": "founder", "location": ["Paris", "Lyon"], "network": ["F", "S"], "total_results": 25},
        },
    ),
    (
        "messages_send",
        {
            "profile_url": PROFILE,
            "message_text": "Hi Jane",
            "media_link": "https://x.test/a.png",
            "account_id": "acc_9",
        },
        "POST",
        "/v2/messages",
        {
            "account_id": "acc_9",
            "action": "send",
            "params": {"profile_url": PROFILE, "message_text": "Hi Jane", "media_link": "https://x.test/a.png"},
        },
    ),
    (
        "network_invite",
        {"profile_url": PROFILE, "message": "Glad to connect"},
        "POST",
        "/v2/network",
        {"account_id": "acc_1", "action": "invite", "params": {"profile_url": PROFILE, "message": "Glad to connect"}},
    ),
    (
        "content_react",
        {"post_url": "https://www.linkedin.com/feed/update/urn:li:activity:1/", "reaction_type": "PRAISE"},
        "POST",
        "/v2/content",
        {
            "account_id": "acc_1",
            "action": "react",
            "params": {
                "post_url": "https://www.linkedin.com/feed/update/urn:li:activity:1/",
                "reaction_type": "PRAISE",
            },
        },
    ),
    (
        "recruiter_get_candidates",
        {"job_id": "job_42", "count": 20, "offset": 40},
        "POST",
        "/v2/recruiter",
        {"account_id": "acc_1", "action": "get_candidates", "params": {"job_id": "job_42", "count": 20, "offset": 40}},
    ),
    (
        "mail_find_email",
        {"first_name": "Jane", "last_name": "Doe", "company_domain": "acme.com"},
        "POST",
        "/v2/enrich",
        {"action": "find_email", "params": {"first_name": "Jane", "last_name": "Doe", "company_domain": "acme.com"}},
    ),
    ("profiles_get_me", {}, "POST", "/v2/profiles", {"account_id": "acc_1", "action": "get_me", "params": {}}),
    ("accounts_list", {"limit": 5}, "GET", "/v2/accounts?limit=5", None),
    ("accounts_get", {"account_id": "acc_7"}, "GET", "/v2/accounts/acc_7", None),
    ("credits_get", {}, "GET", "/v2/credits", None),
]


@pytest.mark.parametrize(("tool", "args", "method", "url", "body"), CASES, ids=[c[0] for c in CASES])
async def test_exact_request_and_envelope(
    harness: Any, tool: str, args: dict[str, Any], method: str, url: str, body: Any
) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"answer": 42}, credits=2)))
    result = await h.call(tool, args)

    assert len(h.requests) == 1
    request = h.requests[0]
    assert request.method == method
    assert str(request.url) == BASE_URL + url
    assert request.headers["x-api-key"] == API_KEY
    assert (json.loads(request.content) if request.content else None) == body
    if body is not None:
        assert request.headers["content-type"] == "application/json"

    account = None if tool in ("mail_find_email", "accounts_list", "credits_get") else args.get("account_id", "acc_1")
    assert result["ok"] is True
    assert result["tool"] == tool
    assert result["account_id"] == account
    if tool == "credits_get":  # the API balance gains this server's own spend (see test_credit_rules_vs_sandbox)
        assert result["data"].pop("this_server")["session_spent"] == 2
    assert result["data"] == {"answer": 42}
    assert result["error"] is None
    assert result["credits"]["charged"] == 2
    assert result["credits"]["session_spent"] == 2
    assert result["sandbox"] is False


@pytest.mark.parametrize(
    ("tool", "args", "action"),
    [
        ("mail_validate_email", {"email": "jane@acme.com"}, "validate_email"),
        ("mail_reverse_email", {"email": "jane@acme.com"}, "reverse_email"),
        ("mail_find_email", {"profile_url": "https://www.linkedin.com/in/jane-doe"}, "find_email"),
    ],
)
async def test_mail_takes_and_sends_no_account(harness: Any, tool: str, args: dict[str, Any], action: str) -> None:
    """No LinkedIn account is required (V2 enrich/validate-email): no account_id in the schema or on
    the wire, even with LINKUP_ACCOUNT_ID set (the harness's acc_1); docs/api-fidelity.md."""
    h = harness()
    assert "account_id" not in h.runtime.catalog.tools[tool].input_schema["properties"]
    result = await h.call(tool, args)
    assert result["ok"] is True and result["account_id"] is None
    assert h.bodies() == [{"action": action, "params": args}]
    refused = await h.call(tool, {**args, "account_id": "acc_5"})
    assert refused["error"]["code"] == "VALIDATION_ERROR" and "account_id" in refused["error"]["message"]
    assert len(h.requests) == 1


@pytest.mark.parametrize("bad", ["../credits", "acc/1", "..", "a b", "%2e%2e"])
async def test_path_values_are_validated_no_traversal(harness: Any, bad: str) -> None:
    h = harness()
    result = await h.call("accounts_get", {"account_id": bad})
    assert result["error"]["code"] == "VALIDATION_ERROR"
    assert "account_id" in result["error"]["message"]
    assert h.requests == []


async def test_path_value_with_reserved_chars_is_percent_encoded(harness: Any) -> None:
    h = harness()
    await h.call("accounts_get", {"account_id": "acc:1@x"})
    assert h.requests[0].url.raw_path == b"/v2/accounts/acc%3A1%40x"
