"""One tool call end to end through the runtime, with HTTP on a MockTransport."""

from __future__ import annotations

from typing import Any

import httpx2
import jsonschema
import pytest

from linkup_mcp.call.dispatch import UnknownToolError
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.spec.envelope import ENVELOPE_SCHEMA
from tests.conftest import v2_error, v2_success

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": PROFILE, "message_text": "Hello Jane"}

INVALID = [
    ("missing required", "profiles_get", {}, ["profile_url"], "required field is missing"),
    ("wrong type", "profiles_search_people", {"total_results": "ten"}, ["total_results"], "expected integer"),
    (
        "unknown field",
        "profiles_get",
        {"profile_url": PROFILE, "linkedin_url": PROFILE},
        ["linkedin_url"],
        "unknown field",
    ),
    (
        "bad enum",  # a documented closed list (the V1 sent-invitations page): NEWSLETTER is not in it
        "network_list_sent",
        {"invitation_type": "NEWSLETTER"},
        ["invitation_type"],
        "is not allowed; use one of",
    ),
    (
        "array where string",
        "messages_send",
        {**SEND, "message_text": ["a"]},
        ["message_text"],
        "expected string, got list",
    ),
    ("string where array", "profiles_search_people", {"location": "Paris"}, ["location"], "wrap it in a list"),
    ("below minimum", "content_time_spent", {"post_url": "p", "duration": 0}, ["duration"], "less than the minimum"),
    ("empty required string", "profiles_get", {"profile_url": ""}, ["profile_url"], "should be non-empty"),
    (
        "one of two required",
        "messages_get_conversation",
        {"count": 5},
        ["(arguments)"],
        "pass one of: conversation_id or profile_url",
    ),
    ("two problems at once", "profiles_search_people", {"keyword": 3, "nope": 1}, ["keyword", "nope"], ""),
]


@pytest.mark.parametrize(("case", "tool", "args", "fields", "fragment"), INVALID, ids=[c[0] for c in INVALID])
async def test_invalid_arguments_are_refused_before_any_request(
    harness: Any, case: str, tool: str, args: dict[str, Any], fields: list[str], fragment: str
) -> None:
    h = harness()
    result = await h.call(tool, args)
    assert h.requests == []
    jsonschema.validate(result, ENVELOPE_SCHEMA)
    error = result["error"]
    assert result["ok"] is False and result["data"] is None
    assert error["code"] == "VALIDATION_ERROR" and error["retryable"] is False and error["http_status"] is None
    assert sorted(f["field"] for f in error["fields"]) == sorted(fields)
    assert fragment in error["message"]
    for field in fields:
        assert field in error["message"]
    assert result["credits"] == {"charged": 0, "estimated": 0, "session_spent": 0, "budget_remaining": None}


API_ERRORS = [
    ("INVALID_API_KEY", 403, False),
    ("INVALID_ACCOUNT", 404, False),
    ("ACCOUNT_INACTIVE", 403, False),
    ("INVALID_ACTION", 400, False),
    ("INVALID_PARAMS", 400, False),
    ("RATE_LIMITED", 429, True),
    ("INSUFFICIENT_CREDITS", 402, False),
    ("CHANNEL_ERROR", 502, True),
    ("CHANNEL_ERROR", 400, False),  # LinkedIn refused this very call: the same call fails the same way
    ("INTERNAL_ERROR", 500, True),
    ("SOMETHING_NEW", 503, True),
    ("SOMETHING_ELSE", 409, False),
]


@pytest.mark.parametrize(("code", "status", "retryable"), API_ERRORS)
async def test_api_error_codes_pass_through(harness: Any, code: str, status: int, retryable: bool) -> None:
    h = harness(lambda r: httpx2.Response(status, json=v2_error(code, "API says no")), max_retries=0)
    result = await h.call("profiles_get", {"profile_url": PROFILE})
    jsonschema.validate(result, ENVELOPE_SCHEMA)
    assert result["ok"] is False
    assert result["error"]["code"] == code
    assert result["error"]["http_status"] == status
    assert result["error"]["retryable"] is retryable
    assert result["error"]["message"].startswith("API says no")
    assert result["credits"]["charged"] == 0 and result["credits"]["estimated"] == 1


async def test_error_messages_tell_what_to_do(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(404, json=v2_error("INVALID_ACCOUNT", "Account not found")))
    result = await h.call("profiles_get_me")
    assert result["error"]["message"] == "Account not found. List valid account ids with accounts_list."


async def test_charged_comes_from_metadata_and_session_spent_adds_up(harness: Any) -> None:
    charges = iter([3, 0, 7])
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"results": []}, credits=next(charges))))
    first = await h.call("profiles_search_people", {"total_results": 30})
    second = await h.call("profiles_get", {"profile_url": PROFILE})
    third = await h.call("profiles_search_people", {"total_results": 70})
    assert [r["credits"] for r in (first, second, third)] == [
        {"charged": 3, "estimated": 3, "session_spent": 3, "budget_remaining": None},
        {"charged": 0, "estimated": 1, "session_spent": 3, "budget_remaining": None},
        {"charged": 7, "estimated": 7, "session_spent": 10, "budget_remaining": None},
    ]


async def test_budget_refuses_before_request_and_reports_remaining(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({}, credits=2)), max_credits=5)
    ok = await h.call("profiles_search_people", {"total_results": 20})
    refused = await h.call("profiles_search_people", {"total_results": 40})
    assert ok["credits"]["budget_remaining"] == 3
    assert refused["error"]["code"] == "BUDGET_EXCEEDED"
    assert "estimated at 4 credits" in refused["error"]["message"] and "only 3" in refused["error"]["message"]
    assert len(h.requests) == 1


async def test_not_configured_without_key(catalog: Catalog) -> None:
    runtime = Runtime(catalog, client=None, meter=CreditMeter())
    result = await runtime.call("profiles_get_me", {})
    assert result["error"]["code"] == "NOT_CONFIGURED"
    assert "LINKUP_API_KEY" in result["error"]["message"] and "--sandbox" in result["error"]["message"]


async def test_not_configured_without_account(harness: Any) -> None:
    h = harness(account=None)
    result = await h.call("profiles_get_me")
    assert result["error"]["code"] == "NOT_CONFIGURED"
    assert "LINKUP_ACCOUNT_ID" in result["error"]["message"]
    assert h.requests == []
    assert (await h.call("credits_get"))["ok"] is True  # needs no account


async def test_unknown_tool_raises(harness: Any) -> None:
    with pytest.raises(UnknownToolError):
        await harness().call("profiles_delete_everything")


@pytest.mark.parametrize(
    ("response", "code"),
    [
        (httpx2.Response(200, text="<html>oops</html>"), "BAD_RESPONSE"),
        (httpx2.Response(200, json=[1, 2]), "BAD_RESPONSE"),
        (httpx2.Response(200, text='{"success": true, "data": {"tru'), "BAD_RESPONSE"),
        (httpx2.Response(429, text="slow down"), "RATE_LIMITED"),
        (httpx2.Response(403, text="<html>Forbidden</html>"), "BAD_RESPONSE"),
    ],
)
async def test_non_json_answers_become_clear_errors(harness: Any, response: httpx2.Response, code: str) -> None:
    h = harness([response], max_retries=0)
    result = await h.call("profiles_get", {"profile_url": PROFILE})
    jsonschema.validate(result, ENVELOPE_SCHEMA)
    assert result["error"]["code"] == code
    assert result["error"]["http_status"] == response.status_code


async def test_read_retries_5xx_then_succeeds(harness: Any) -> None:
    h = harness(
        [
            httpx2.Response(502, text="bad gateway"),
            httpx2.Response(500, json=v2_error("INTERNAL_ERROR")),
            httpx2.Response(200, json=v2_success({"id": 1})),
        ]
    )
    result = await h.call("profiles_get", {"profile_url": PROFILE})
    assert result["ok"] is True and len(h.requests) == 3 and len(h.sleeps) == 2


async def test_429_is_retried_for_writes_honouring_retry_after(harness: Any) -> None:
    h = harness(
        [
            httpx2.Response(429, headers={"retry-after": "7"}, json=v2_error("RATE_LIMITED")),
            httpx2.Response(200, json=v2_success({"sent": True})),
        ]
    )
    result = await h.call("messages_send", SEND)
    assert result["ok"] is True and len(h.requests) == 2 and h.sleeps == [7.0]


async def test_write_is_never_resent_after_5xx(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(500, json=v2_error("INTERNAL_ERROR", "boom")))
    result = await h.call("messages_send", SEND)
    assert len(h.requests) == 1
    assert result["error"]["code"] == "OUTCOME_UNKNOWN" and result["error"]["retryable"] is False
    assert "messages_get_conversation" in result["error"]["message"]


async def test_write_is_never_resent_after_read_timeout(harness: Any) -> None:
    def timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    h = harness(timeout)
    result = await h.call("network_invite", {"profile_url": PROFILE})
    assert len(h.requests) == 1 and result["error"]["code"] == "OUTCOME_UNKNOWN"
    assert "network_check_invitation" in result["error"]["message"]


async def test_write_is_retried_when_the_request_never_left(harness: Any) -> None:
    calls = iter([httpx2.ConnectError("refused"), None])

    def flaky(request: httpx2.Request) -> httpx2.Response:
        exc = next(calls)
        if exc:
            raise exc
        return httpx2.Response(200, json=v2_success({"sent": True}))

    h = harness(flaky)
    assert (await h.call("messages_send", SEND))["ok"] is True
    assert len(h.requests) == 2


async def test_read_timeouts_exhaust_retries_then_timeout(harness: Any) -> None:
    def timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    h = harness(timeout, max_retries=2)
    result = await h.call("profiles_get", {"profile_url": PROFILE})
    assert len(h.requests) == 3
    assert result["error"]["code"] == "TIMEOUT" and result["error"]["retryable"] is True


async def test_next_page_arguments(harness: Any) -> None:
    data = {"connections": [], "pagination": {"offset": 0, "count": 10, "next_offset": 10, "has_more": True}}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(data)))
    result = await h.call("network_list_connections", {"count": 10})
    assert result["next"] == {"count": 10, "offset": 10} and result["has_more"] is True
    done = harness(
        lambda r: httpx2.Response(200, json=v2_success({"pagination": {"next_offset": None, "has_more": False}}))
    )
    last = await done.call("network_list_connections", {})
    assert last["next"] is None and last["has_more"] is False
    single = await done.call("profiles_get", {"profile_url": PROFILE})
    assert "has_more" not in single  # not a list tool: the contract's envelope as is
