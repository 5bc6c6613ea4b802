"""`/_sandbox/...`: the sandbox's own controls, for tests and demos (same x-api-key).

GET    /_sandbox/state       counts, balance, queued faults
GET    /_sandbox/requests    every API request received: action, params, status, credits, fault
POST   /_sandbox/reset       back to the seeded world and initial balance
GET    /_sandbox/credits     {balance, used};  POST {"balance": N} sets it
GET    /_sandbox/faults      queued faults;    POST {"fault", "action"?, "times"?, "when"?}
DELETE /_sandbox/faults      clear the queue
POST   /_sandbox/rate_limit  {"per_minute": N} (0 = off)
POST   /_sandbox/events      {"type": message|accepted_invitation|disconnection, "account_id"?,
                             "profile_url"?, "text"?}: the event happens now (webhooks get it)
POST   /_sandbox/webhooks/drop_streams   end every open webhook SSE stream (clients reconnect)
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from linkup_mcp.sandbox import webhooks
from linkup_mcp.sandbox.state import SandboxState


def handle(
    state: SandboxState, method: str, path: str, api_key: str | None, body: bytes, query: dict[str, str]
) -> tuple[int, Any]:
    """(status, JSON body) for one admin request."""
    if api_key != state.config.api_key:
        return 403, {"ok": False, "error": "x-api-key must be the sandbox key"}
    try:
        payload = json.loads(body) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 400, {"ok": False, "error": "body must be JSON"}
    if not isinstance(payload, dict):
        return 400, {"ok": False, "error": "body must be a JSON object"}
    route = (method, path.rstrip("/"))
    try:
        return _route(state, route, payload)
    except (KeyError, TypeError, ValueError) as exc:
        return 400, {"ok": False, "error": str(exc)}


def _route(state: SandboxState, route: tuple[str, str], payload: dict[str, Any]) -> tuple[int, Any]:
    if route == ("GET", "/_sandbox/state"):
        return 200, state.summary()
    if route == ("GET", "/_sandbox/requests"):
        return 200, {"requests": state.request_log()}
    if route == ("POST", "/_sandbox/reset"):
        state.reset()
        return 200, {"ok": True, "credits_remaining": state.balance}
    if route == ("GET", "/_sandbox/credits"):
        return 200, {"balance": state.balance, "used": state.used}
    if route == ("POST", "/_sandbox/credits"):
        balance = payload["balance"]
        if not isinstance(balance, int) or isinstance(balance, bool) or balance < 0:
            raise ValueError("balance must be a non-negative integer")
        state.set_balance(balance)
        return 200, {"balance": state.balance, "used": state.used}
    if route == ("GET", "/_sandbox/faults"):
        return 200, {"faults": [asdict(f) for f in state.faults]}
    if route == ("POST", "/_sandbox/faults"):
        rule = state.add_fault(
            str(payload["fault"]), payload.get("action"), int(payload.get("times", 1)), payload.get("when", "before")
        )
        return 200, asdict(rule)
    if route == ("DELETE", "/_sandbox/faults"):
        state.clear_faults()
        return 200, {"ok": True}
    if route == ("POST", "/_sandbox/rate_limit"):
        per_minute = int(payload["per_minute"])
        if per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        with state.lock:
            state.rate_limit_per_minute = per_minute
        return 200, {"rate_limit_per_minute": per_minute}
    if route == ("POST", "/_sandbox/events"):
        return 200, webhooks.inject(state, payload)
    if route == ("POST", "/_sandbox/webhooks/drop_streams"):
        return 200, {"ok": True, "dropped": state.drop_streams()}
    return 404, {"ok": False, "error": f"no sandbox admin route {route[0]} {route[1]}"}
