"""Budgets, estimates, ledger rows, duplicate suppression, pacing and confirmation in the runtime."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest

from linkup_mcp.call.confirmation import AnswerStates, InputRequired
from linkup_mcp.call.outreach import Guards
from linkup_mcp.config import DEFAULT_PACING, parse_pacing
from tests.conftest import v2_error, v2_success

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": PROFILE, "message_text": "Hello Jane"}


async def test_per_call_cap_refuses_big_search_before_any_request(harness: Any) -> None:
    h = harness()
    result = await h.call("profiles_search_people", {"total_results": 1000})
    assert h.requests == []
    assert result["error"]["code"] == "BUDGET_EXCEEDED"
    message = result["error"]["message"]
    assert "estimated at 100 credits" in message and "per-call cap of 50" in message and "fewer results" in message
    assert result["credits"]["estimated"] == 100
    assert (await h.call("profiles_search_people", {"total_results": 500}))["ok"] is True


async def test_process_budget_and_budget_remaining_in_every_envelope(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({}, credits=1)), max_credits=3)
    results = [await h.call("profiles_get", {"profile_url": PROFILE, "fresh": True}) for _ in range(4)]
    assert [r["credits"]["budget_remaining"] for r in results] == [2, 1, 0, 0]
    assert [r["ok"] for r in results] == [True, True, True, False]
    assert results[3]["error"]["code"] == "BUDGET_EXCEEDED" and len(h.requests) == 3


async def test_credits_estimate_validates_and_sends_nothing(harness: Any) -> None:
    h = harness(max_credits=20)
    ok = await h.call("credits_estimate", {"tool": "profiles_search_people", "arguments": {"total_results": 25}})
    assert ok["ok"] is True
    assert ok["data"] == {
        "tool": "profiles_search_people",
        "estimated": 3,
        "rule": "1 credit per 10 results (total_results, default 10), rounded up",
        "fits_budget": True,
        "budget_remaining": 20,
        "max_credits_per_call": 50,
        "side_effect": "read",
    }  # no daily budget configured: no daily_remaining (not null)
    assert ok["credits"]["charged"] == 0
    too_big = await h.call("credits_estimate", {"tool": "profiles_search_people", "arguments": {"total_results": 300}})
    assert too_big["data"]["estimated"] == 30 and too_big["data"]["fits_budget"] is False
    bad = await h.call("credits_estimate", {"tool": "profiles_search_people", "arguments": {"location": "Paris"}})
    assert bad["error"]["code"] == "VALIDATION_ERROR" and bad["error"]["fields"][0]["field"] == "location"
    unknown = await h.call("credits_estimate", {"tool": "profiles_nope"})
    assert unknown["error"]["code"] == "VALIDATION_ERROR"
    assert unknown["error"]["fields"] == [
        {
            "field": "tool",
            "problem": "unknown tool 'profiles_nope'; did you mean profiles_get or profiles_get_me or "
            "profiles_visit? (see tools/list)",
        }
    ]
    media = await h.call(
        "credits_estimate", {"tool": "messages_send", "arguments": {**SEND, "media_link": "https://x/a.png"}}
    )
    assert media["data"]["estimated"] == 2 and media["data"]["side_effect"] == "outreach"
    assert h.requests == []


async def test_ledger_rows_for_success_api_error_and_local_refusal(harness: Any) -> None:
    replies = [
        httpx2.Response(200, json=v2_success({}, credits=2)),
        httpx2.Response(400, json=v2_error("INVALID_PARAMS")),
    ]
    h = harness(replies)
    await h.call("profiles_search_people", {"total_results": 20})
    await h.call("profiles_get", {"profile_url": PROFILE})
    await h.call("profiles_get", {})
    rows = h.runtime.ledger.rows()
    assert [(r["tool"], r["account"], r["outcome"], r["estimated"], r["charged"]) for r in rows] == [
        ("profiles_search_people", "acc_1", "OK", 2, 2),
        ("profiles_get", "acc_1", "INVALID_PARAMS", 1, 0),
        ("profiles_get", "acc_1", "VALIDATION_ERROR", 0, 0),
    ]
    assert all(len(r["args_digest"]) == 16 for r in rows)


async def test_duplicate_outreach_is_suppressed_unless_allowed(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"sent": True})))
    assert (await h.call("messages_send", SEND))["ok"] is True
    again = await h.call("messages_send", {**SEND, "message_text": "Hello  Jane "})  # same text to a human
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED" and "succeeded at" in again["error"]["message"]
    assert len(h.requests) == 1
    other = await h.call("messages_send", {**SEND, "message_text": "Another message"})
    forced = await h.call("messages_send", {**SEND, "allow_duplicate": True})
    assert other["ok"] is True and forced["ok"] is True and len(h.requests) == 3
    assert "allow_duplicate" not in h.bodies()[2]["params"]
    elsewhere = await h.call("messages_send", {**SEND, "account_id": "acc_2"})
    assert elsewhere["ok"] is True  # another account is another sender


async def test_retry_after_outcome_unknown_is_suppressed_too(harness: Any) -> None:
    replies = [httpx2.Response(502, text="<html>bad gateway</html>")]
    h = harness(replies)
    first = await h.call("network_invite", {"profile_url": PROFILE})
    assert first["error"]["code"] == "OUTCOME_UNKNOWN"
    retry = await h.call("network_invite", {"profile_url": PROFILE})
    assert retry["error"]["code"] == "DUPLICATE_SUPPRESSED"
    assert "unknown outcome" in retry["error"]["message"] and "allow_duplicate" in retry["error"]["message"]
    assert len(h.requests) == 1
    assert [r["outcome"] for r in h.runtime.ledger.rows()] == ["OUTCOME_UNKNOWN", "DUPLICATE_SUPPRESSED"]


async def test_pacing_cap_refuses_with_reset_time(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({})))
    h.runtime.guards = Guards(pacing=parse_pacing("invitation=2"))
    for i in range(2):
        assert (await h.call("network_invite", {"profile_url": f"{PROFILE}-{i}"}))["ok"] is True
    capped = await h.call("network_invite", {"profile_url": f"{PROFILE}-9"})
    assert capped["error"]["code"] == "PACING_LIMIT"
    assert "2 of 2" in capped["error"]["message"] and "resets at" in capped["error"]["message"]
    assert len(h.requests) == 2
    assert (await h.call("messages_send", SEND))["ok"] is True  # other kinds have their own cap


def test_pacing_config() -> None:
    assert parse_pacing(None) == DEFAULT_PACING
    assert parse_pacing("message=5, invitation=0") == {**DEFAULT_PACING, "message": 5, "invitation": 0}
    with pytest.raises(ValueError, match="KIND=NUMBER"):
        parse_pacing("invites=5")


async def test_a_confirmation_that_never_answered_sent_nothing_and_blocks_nothing(harness: Any) -> None:
    """Asking the human failed, was cancelled, or moved to the client's next call (2026-07-28):
    nothing was sent, so the ledger says so — not OUTCOME_UNKNOWN, which would suppress the
    real send that follows as a duplicate and count its credits."""
    h = harness(lambda r: httpx2.Response(200, json=v2_success({})))
    h.runtime.confirm_mode = "outreach"

    async def broken(text: str) -> Any:
        raise RuntimeError("no back-channel")

    async def slow(text: str) -> Any:
        await anyio.sleep(10)

    async def later(text: str) -> Any:
        raise InputRequired(text)

    async def accept(text: str) -> Any:
        return "accept"

    failed = await h.runtime.call("messages_send", SEND, confirm=broken)
    assert failed["error"]["code"] == "CONFIRMATION_UNAVAILABLE"
    with anyio.move_on_after(0.05):
        await h.runtime.call("messages_send", SEND, confirm=slow)
    with pytest.raises(InputRequired) as pending:
        await h.runtime.call("messages_send", SEND, confirm=later, progress=_no_progress)
    assert "Hello Jane" in pending.value.message
    sent = await h.runtime.call("messages_send", SEND, confirm=accept)
    assert sent["ok"] is True and len(h.requests) == 1
    assert sent["credits"]["session_spent"] == sent["credits"]["charged"]
    outcomes = [r["outcome"] for r in h.runtime.ledger.rows()]
    assert outcomes == ["CONFIRMATION_UNAVAILABLE", "CANCELLED", "AWAITING_CONFIRMATION", "OK"]


async def _no_progress(progress: float, total: float | None, message: str | None) -> None:
    """A progress callback: the call then runs beside its heartbeat in a task group."""


async def test_confirmation_accept_decline_unavailable(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({})))
    h.runtime.confirm_mode = "outreach"
    prompts: list[str] = []

    def answering(answer: str) -> Any:
        async def confirm(text: str) -> Any:
            prompts.append(text)
            return answer

        return confirm

    declined = await h.runtime.call("messages_send", SEND, confirm=answering("decline"))
    assert declined["error"]["code"] == "DECLINED" and h.requests == []
    assert PROFILE in prompts[0] and "Hello Jane" in prompts[0]
    unavailable = await h.runtime.call("messages_send", SEND, confirm=None)
    assert unavailable["error"]["code"] == "CONFIRMATION_UNAVAILABLE" and h.requests == []
    accepted = await h.runtime.call("messages_send", SEND, confirm=answering("accept"))
    assert accepted["ok"] is True and len(h.requests) == 1
    read = await h.runtime.call("profiles_get", {"profile_url": PROFILE}, confirm=None)
    assert read["ok"] is True  # reads never ask


def test_an_answer_state_counts_once_for_its_binding_until_it_expires() -> None:
    now = [1000.0]
    states = AnswerStates(ttl_s=600, clock=lambda: now[0])
    state = states.issue(b"send hello")
    assert not states.redeem(state, b"send other")  # another call
    assert not states.redeem(state.replace(".", "x", 1), b"send hello")  # tampered
    assert states.redeem(state, b"send hello")
    assert not states.redeem(state, b"send hello")  # used
    late = states.issue(b"send hello")
    now[0] += 601
    assert not states.redeem(late, b"send hello")  # expired
    assert not states.redeem(None, b"send hello") and not states.redeem("x.y.z", b"send hello")
