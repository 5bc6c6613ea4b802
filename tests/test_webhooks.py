"""Webhook tools on the wire, webhooks_wait, and the signature helper against known vectors."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from linkup_mcp.api.webhook_signature import SignatureError, sign, verify
from tests.conftest import BASE_URL, v2_success

SECRET = "whsec_test"
BODY = b'{"event":{"type":"message"}}'
TS = 1767225600
# HMAC-SHA256("whsec_test", "1767225600." + BODY), computed independently
VECTOR = "v1=67ca2013ae0aff0ce5770e619960a416eea5d377950131e9273a2812921a9ae9"


def test_known_vector() -> None:
    assert sign(SECRET, TS, BODY) == VECTOR
    verify(SECRET, {"X-Linkup-Timestamp": str(TS), "X-Linkup-Signature": VECTOR}, BODY, now=TS + 10)


@pytest.mark.parametrize(
    ("headers", "body", "now", "reason"),
    [
        ({"x-linkup-timestamp": str(TS), "x-linkup-signature": VECTOR}, BODY + b" ", TS, "does not match"),
        ({"x-linkup-timestamp": str(TS), "x-linkup-signature": VECTOR}, BODY, TS + 301, "possible replay"),
        ({"x-linkup-timestamp": str(TS + 1), "x-linkup-signature": VECTOR}, BODY, TS, "does not match"),
        ({"x-linkup-signature": VECTOR}, BODY, TS, "missing"),
        ({"x-linkup-timestamp": "yesterday", "x-linkup-signature": VECTOR}, BODY, TS, "not unix seconds"),
    ],
)
def test_tampered_or_stale_deliveries_are_rejected(headers: dict[str, str], body: bytes, now: int, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify(SECRET, headers, body, now=now)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "method", "url", "body"),
    [
        ("webhooks_create", {}, "POST", "/v2/webhooks", {"account_id": "acc_1"}),
        (
            "webhooks_create",
            {"url": "https://hooks.example/x", "events": ["message_received"], "enable_signature": True},
            "POST",
            "/v2/webhooks",
            {
                "account_id": "acc_1",
                "url": "https://hooks.example/x",
                "events": ["message_received"],
                "enable_signature": True,
            },
        ),
        ("webhooks_list", {}, "GET", "/v2/webhooks", None),
        ("webhooks_update", {"webhook_id": "wh_1", "events": ["all"]}, "PUT", "/v2/webhooks/wh_1", {"events": ["all"]}),
        ("webhooks_delete", {"webhook_id": "wh_1"}, "DELETE", "/v2/webhooks/wh_1", None),
        ("webhooks_start", {"webhook_id": "wh_1"}, "POST", "/v2/webhooks/wh_1/start", {}),
        ("webhooks_stop", {"webhook_id": "wh_1"}, "POST", "/v2/webhooks/wh_1/stop", {}),
        ("webhooks_rotate_secret", {"webhook_id": "wh_1"}, "POST", "/v2/webhooks/wh_1/rotate-secret", {}),
        ("webhooks_remove_secret", {"webhook_id": "wh_1"}, "DELETE", "/v2/webhooks/wh_1/secret", None),
        (
            "webhooks_events",
            {"webhook_id": "wh_1", "since": "2026-11-25T10:00:00Z", "limit": 5},
            "GET",
            "/v2/webhooks/wh_1/events?since=2026-11-25T10%3A00%3A00Z&limit=5",
            None,
        ),
    ],
)
async def test_webhook_tools_on_the_wire(
    harness: Any, tool: str, args: dict[str, Any], method: str, url: str, body: Any
) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({})))
    result = await h.call(tool, args)
    assert result["ok"] is True and result["credits"]["charged"] == 1  # the API's figure, whatever the estimate
    request = h.requests[0]
    assert (request.method, str(request.url)) == (method, BASE_URL + url)
    assert (json.loads(request.content) if request.content else None) == body


def event(n: int, at: str) -> dict[str, Any]:
    envelope = {"account_id": "acc_1", "account_name": "Me", "event": {"type": "message"}, "timestamp": at}
    return {"event_id": f"e{n}", "event": envelope, "created_at": at}


@pytest.mark.anyio
async def test_wait_returns_as_soon_as_events_arrive(harness: Any) -> None:
    """The API sends items only (no cursor): each poll continues from the newest event seen."""
    pages = [{"items": []}, {"items": []}, {"items": [event(1, "2026-11-25T10:00:05.000Z")]}]
    h = harness([httpx2.Response(200, json=v2_success(p, credits=0)) for p in pages])
    h.runtime.wait_poll_s = 0.01
    result = await h.call("webhooks_wait", {"webhook_id": "wh_1", "since": "2026-11-25T09:00:00Z", "timeout_s": 5})
    assert result["tool"] == "webhooks_wait" and result["ok"] is True
    assert [i["event_id"] for i in result["data"]["items"]] == ["e1"] and result["data"]["timed_out"] is False
    assert "next_since" not in result["data"]
    assert result["next"] == {
        "webhook_id": "wh_1",
        "timeout_s": 5,
        "since": "2026-11-25T10:00:04.999000Z",  # 1 ms before the event: "after" or "at or after" alike
        "seen": ["e1"],  # and the event at that time is not handed out again
    }
    sinces = [dict(httpx2.QueryParams(r.url.query))["since"] for r in h.requests]
    assert sinces == ["2026-11-25T09:00:00Z"] * 3
    assert all("seen" not in r.url.query.decode() for r in h.requests)  # a control argument, never sent


@pytest.mark.anyio
async def test_waits_following_next_never_hand_out_an_event_twice(harness: Any) -> None:
    """Two events in the same millisecond, the second arriving after the first was handed out:
    an API that answers "at or after since" sends the first again, and it is dropped."""
    t = "2026-11-25T10:00:05.000Z"
    pages = [{"items": [event(1, t)]}, {"items": [event(1, t)]}, {"items": [event(1, t), event(2, t)]}]
    h = harness([httpx2.Response(200, json=v2_success(p, credits=0)) for p in pages])
    h.runtime.wait_poll_s = 0.01
    first = await h.call("webhooks_wait", {"webhook_id": "wh_1", "since": "2026-11-25T09:00:00Z", "timeout_s": 5})
    second = await h.call("webhooks_wait", first["next"])
    assert [i["event_id"] for i in first["data"]["items"]] == ["e1"]
    assert [i["event_id"] for i in second["data"]["items"]] == ["e2"]
    assert second["next"]["seen"] == ["e1", "e2"]


@pytest.mark.anyio
async def test_events_tell_the_agent_where_to_continue(harness: Any) -> None:
    page = {"items": [event(1, "2026-11-25T10:00:00.000Z"), event(2, "2026-11-25T10:00:01.500Z")]}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(page, credits=0)))
    result = await h.call("webhooks_events", {"webhook_id": "wh_1", "limit": 2})
    assert result["next"] == {"webhook_id": "wh_1", "limit": 2, "since": "2026-11-25T10:00:01.499000Z", "seen": ["e2"]}
    assert result["has_more"] is True  # a full page: there may be more right now
    again = await h.call("webhooks_events", result["next"])
    assert [i["event_id"] for i in again["data"]["items"]] == ["e1"]  # e2 was handed out: dropped
    assert "drift" not in result  # items only, as documented


@pytest.mark.anyio
async def test_wait_times_out_empty(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"items": []})))
    h.runtime.wait_poll_s = 0.2
    result = await h.call("webhooks_wait", {"webhook_id": "wh_1", "timeout_s": 1})
    assert result["data"]["items"] == [] and result["data"]["timed_out"] is True
    assert 4 <= len(h.requests) <= 7
    first_since = dict(httpx2.QueryParams(h.requests[0].url.query))["since"]
    assert first_since.startswith("20") and first_since.endswith("Z")  # default: from now on
