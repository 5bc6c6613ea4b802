"""Preview before send, the recipient cap, and invites answered from known state."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from linkup_mcp.call.outreach import RecipientCap
from tests.conftest import v2_success

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": PROFILE, "message_text": "Hi Jane"}


async def test_preview_then_send_with_the_token(harness: Any) -> None:
    h = harness()
    h.runtime.confirm_mode = "preview"
    preview = await h.call("messages_send", SEND)
    assert h.requests == [] and preview["ok"] is True and preview["preview"] is True
    data = preview["data"]
    assert data["sent"] is False and data["expires_in_s"] == 600
    assert data["preview"] == {
        "tool": "messages_send",
        "account_id": "acc_1",
        "recipient": {"profile_url": PROFILE},
        "content": {"message_text": "Hi Jane"},
        "estimated_credits": 1,
    }
    token = data["confirm_token"]
    sent = await h.call("messages_send", {**SEND, "confirm_token": token})
    assert sent["ok"] is True and "preview" not in sent and len(h.requests) == 1
    assert h.bodies()[0]["params"] == SEND  # the token is a control argument
    reused = await h.call("messages_send", {**SEND, "confirm_token": token})
    assert reused["error"]["code"] == "CONFIRM_TOKEN_INVALID" and "already used" in reused["error"]["message"]
    again = await h.call("messages_send", {**SEND, "message_text": " hi  JANE "})  # a preview of a duplicate
    assert again["ok"] is False and again["preview"] is True and again["data"] is None  # no token
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED" and again["error"]["retryable"] is False
    h.runtime.confirm_mode = "off"
    real = await h.call("messages_send", {**SEND, "message_text": " hi  JANE "})
    assert real["error"] == again["error"]  # one shape: the same refusal, preview or not
    assert len(h.requests) == 1
    outcomes = [r["outcome"] for r in h.runtime.ledger.rows()]
    assert outcomes == ["PREVIEW", "OK", "CONFIRM_TOKEN_INVALID", "DUPLICATE_SUPPRESSED", "DUPLICATE_SUPPRESSED"]


async def test_token_bound_to_the_exact_arguments(harness: Any) -> None:
    h = harness()
    h.runtime.confirm_mode = "preview"
    token = (await h.call("messages_send", SEND))["data"]["confirm_token"]
    changed = await h.call("messages_send", {**SEND, "message_text": "Hi Jane, buy now", "confirm_token": token})
    assert changed["error"]["code"] == "CONFIRM_TOKEN_INVALID" and "different arguments" in changed["error"]["message"]
    other_account = (await h.call("messages_send", SEND))["data"]["confirm_token"]
    moved = await h.call("messages_send", {**SEND, "account_id": "acc_2", "confirm_token": other_account})
    assert moved["error"]["code"] == "CONFIRM_TOKEN_INVALID"
    assert h.requests == []


async def test_reads_are_never_previewed(harness: Any) -> None:
    h = harness()
    h.runtime.confirm_mode = "preview"
    assert (await h.call("profiles_get", {"profile_url": PROFILE}))["ok"] is True and len(h.requests) == 1


async def test_recipient_cap_counts_distinct_recipients_per_kind(harness: Any) -> None:
    h = harness()
    h.runtime.recipients = RecipientCap(2)
    for who in ("a", "b"):
        assert (await h.call("network_invite", {"profile_url": f"{PROFILE}-{who}"}))["ok"] is True
    third = await h.call("network_invite", {"profile_url": f"{PROFILE}-c"})
    assert third["error"]["code"] == "RECIPIENT_LIMIT" and "LINKUP_MAX_RECIPIENTS=2" in third["error"]["message"]
    same = await h.call(
        "network_invite", {"profile_url": f"{PROFILE}-a", "message": "Following up", "allow_duplicate": True}
    )
    assert same["ok"] is True  # an earlier recipient is not a new one
    message = await h.call("messages_send", {**SEND, "profile_url": f"{PROFILE}-c"})
    assert message["ok"] is True  # messages are another kind
    assert len(h.requests) == 4


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ({"invitation_state": "PENDING", "invitation_type": "SENT"}, "ALREADY_PENDING"),
        ({"invitation_state": "ACCEPTED", "invitation_type": "CONNECTED"}, "ALREADY_CONNECTED"),
        ({"invitation_state": "NO_INVITATION", "invitation_type": None}, None),
    ],
)
async def test_invite_answered_from_the_cached_state(harness: Any, state: dict[str, Any], code: str | None) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success(state)))
    await h.call("network_check_invitation", {"profile_url": PROFILE})
    invite = await h.call("network_invite", {"profile_url": PROFILE})
    if code is None:
        assert invite["ok"] is True and len(h.requests) == 2
        return
    assert invite["error"]["code"] == code and invite["credits"]["charged"] == 0 and len(h.requests) == 1
    forced = await h.call("network_invite", {"profile_url": PROFILE, "allow_duplicate": True})
    assert forced["ok"] is True and len(h.requests) == 2
