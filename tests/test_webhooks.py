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


@pytest.mark.anyio
async def test_wait_returns_as_soon_as_events_arrive(harness: Any) -> None:
    pages = [
        {"items": [], "next_since": "2026-11-25T10:00:00Z"},
        {"items": [], "next_since": "2026-11-25T10:00:00Z"},
        {"items": [{"event_id": "e1"}], "next_since": "2026-11-25T10:00:05Z"},
    ]
    h = harness([httpx2.Response(200, json=v2_success(p, credits=0)) for p in pages])
    h.runtime.wait_poll_s = 0.01
    result = await h.call("webhooks_wait", {"webhook_id": "wh_1", "since": "2026-11-25T09:00:00Z", "timeout_s": 5})
    assert result["tool"] == "webhooks_wait" and result["ok"] is True
    assert result["data"]["items"] == [{"event_id": "e1"}] and result["data"]["next_since"] == "2026-11-25T10:00:05Z"
    assert result["data"]["timed_out"] is False
    sinces = [dict(httpx2.QueryParams(r.url.query))["since"] for r in h.requests]
    assert sinces == ["2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z"]


@pytest.mark.anyio
async def test_wait_times_out_empty(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"items": [], "next_since": "2026-11-25T10:00:00Z"})))
    h.runtime.wait_poll_s = 0.2
    result = await h.call("webhooks_wait", {"webhook_id": "wh_1", "timeout_s": 1})
    assert result["data"]["items"] == [] and result["data"]["timed_out"] is True
    assert 4 <= len(h.requests) <= 7
    first_since = dict(httpx2.QueryParams(h.requests[0].url.query))["since"]
    assert first_since.startswith("20") and first_since.endswith("Z")  # default: from now on
