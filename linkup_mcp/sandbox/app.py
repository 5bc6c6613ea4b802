"""The sandbox as an ASGI application: LinkupAPI V2's routes, checks, credits and faults.

A plain ASGI callable rather than a Starlette router: the `drop` fault must close the
connection without any answer, which needs uvicorn's raw `send` (middleware would wrap it).

  POST /v2/{category}            {account_id, action, params}  (account_id optional for mail)
  GET  /v2/accounts[?limit&offset]   GET /v2/accounts/{id}      GET /v2/credits
  POST /v2/login  POST /v2/checkpoint   connect a LinkedIn account (see `login.py`)
  /v2/webhooks[/{id}[/start|stop|events|stream]]   webhooks, free (see `webhooks.py`)
  /_sandbox/...                  admin routes for tests and demos (see `admin.py`)

Order of checks, as the API does them: key (403) → rate limit (429) → body (400) → route/action
(404/400) → account (404/403) → params (400) → references (400/502) → credits (402) → effect.
Errors never cost credits; a success costs the action's rule (1, or 1 per N results, +media).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from linkup_mcp.sandbox import admin, login, webhooks
from linkup_mcp.sandbox.errors import ApiError
from linkup_mcp.sandbox.faults import DRIFT, Fault, parse_fault
from linkup_mcp.sandbox.handlers import ACCOUNT_OPTIONAL, CATEGORIES, ActionDef, Ctx, Outcome
from linkup_mcp.sandbox.params import check, json_object
from linkup_mcp.sandbox.state import RequestRecord, SandboxState

Scope = dict[str, Any]
Receive = Any
Send = Any

_CATEGORY_PATH = re.compile(r"^/v2/([a-z_]+)/?$")
_ACCOUNT_PATH = re.compile(r"^/v2/accounts/([^/]+)/?$")
ENRICH_PATHS = {"enrich": "mail", "mail": "mail"}  # both documented paths reach the mail actions


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Answer:
    """One HTTP answer: status, JSON body (or raw bytes) and extra headers."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw

    def encoded(self) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        data = self.raw if self.raw is not None else json.dumps(self.body).encode()
        content_type = self.headers.pop("content-type", "application/json")
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(data)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in self.headers.items()]
        return data, headers


def error_answer(exc: ApiError, action: str | None, account_id: str | None = None) -> Answer:
    metadata: dict[str, Any] = {"action": action, "credits_consumed": 0, "timestamp": now_iso()}
    if account_id is not None:
        metadata["account_id"] = account_id
    body = {"success": False, "error": {"code": exc.code, "message": exc.message}, "metadata": metadata}
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    headers = {"retry-after": str(retry_after)} if retry_after else {}
    return Answer(exc.status, body, headers)


def success_answer(data: Any, action: str, account_id: str | None, credits: int) -> Answer:
    metadata = {"action": action, "account_id": account_id, "credits_consumed": credits, "timestamp": now_iso()}
    return Answer(200, {"success": True, "data": data, "metadata": metadata})


class RateLimited(ApiError):
    def __init__(self, retry_after: int | None):
        super().__init__("RATE_LIMITED", "Rate limit exceeded: 300 requests per minute per API key. Retry later.")
        self.retry_after = retry_after


def charge_for(action: ActionDef, outcome: Outcome) -> int:
    """Credits for a success: explicit, else 1 per `per` results rounded up (min 1), else 1."""
    if action.free:
        return 0
    if outcome.credits is not None:
        return outcome.credits
    if action.per is not None:
        return max(1, math.ceil((outcome.results or 0) / action.per))
    return 1


class SandboxApp:
    """ASGI app over one `SandboxState`."""

    def __init__(self, state: SandboxState):
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        path: str = scope["path"]
        if path.startswith("/_sandbox"):
            status, payload = admin.handle(
                self.state, scope["method"], path, _header(scope, "x-api-key"), body, _query(scope)
            )
            await _send_answer(send, Answer(status, payload))
            return
        webhook_id = webhooks.stream_id(path)
        if webhook_id is not None:
            await self._stream(scope, receive, send, webhook_id)
            return
        await self._api(scope, receive, send, body)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, webhook_id: str) -> None:
        """SSE for a hosted webhook: the key may come as `api_key` (browsers' EventSource
        cannot send headers); no faults, and the log records the opening only."""
        record = self.state.new_record(scope["method"], scope["path"])
        record.action, query = "stream_webhook", _query(scope)
        try:
            _allow(scope["method"], "GET")
            _authorize(self.state, _header(scope, "x-api-key") or query.get("api_key"))
            stream = webhooks.Stream.open(self.state, webhook_id, query, _header(scope, "last-event-id"))
        except ApiError as exc:
            record.status, record.error_code = exc.status, exc.code
            await _send_answer(send, error_answer(exc, record.action))
            return
        record.status, record.account_id = 200, stream.account_id
        await stream.run(receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send, body: bytes) -> None:
        state = self.state
        started = time.monotonic()
        record = state.new_record(scope["method"], scope["path"])
        if state.config.latency:
            await asyncio.sleep(state.config.latency)
        answer: Answer | None
        fault: Fault | None = None
        try:
            answer, fault = await self._answer(scope, receive, body, record)
        except ApiError as exc:
            answer = error_answer(exc, record.action, record.account_id)
        record.duration_ms = int((time.monotonic() - started) * 1000)
        if answer is None:  # the fault ate the answer (drop)
            await _drop(send)
            return
        if fault is not None and fault.kind == "truncated":
            await _send_truncated(send, answer)
            record.status = answer.status
            return
        record.status = answer.status
        if answer.body and isinstance(answer.body, dict) and answer.body.get("success") is False:
            record.error_code = answer.body["error"]["code"]
        await _send_answer(send, answer)

    async def _answer(
        self, scope: Scope, receive: Receive, body: bytes, record: RequestRecord
    ) -> tuple[Answer | None, Fault | None]:
        state = self.state
        _authorize(state, _header(scope, "x-api-key"))
        method, path = scope["method"], scope["path"]
        request = _parse_request(method, path, body, _query(scope))
        record.action, record.account_id = request.action, request.account_id
        record.params = login.masked(request.params) if request.category == "auth" else request.params
        tool = f"{request.category}_{request.action}" if request.category else None
        before = self._fault(scope, "before", request.action, path, tool)
        record.fault = before.name if before else None
        if before is not None:
            early = await _apply_wait(before, receive, state.config.timeout_fault_seconds)
            if early is not None:
                return early
            if before.kind not in ("slow", "timeout"):
                return _fault_answer(before, request.action), before
        with state.lock:
            answer, charged = self._perform(request)
        record.credits_consumed = charged
        # taken only now: a queued after-fault is for a request that was performed
        after = self._fault(scope, "after", request.action, path, tool)
        if after is not None and after.kind in DRIFT:
            record.fault = after.name
            record.credits_consumed += _drift(state, after, answer)
            return answer, after
        if after is not None:
            record.fault = after.name
            if after.refunds and charged:
                state.refund(charged)
                record.credits_consumed = 0
            early = await _apply_wait(after, receive, state.config.timeout_fault_seconds)
            if early is not None:
                return early
            if after.kind not in ("slow", "timeout"):
                return _fault_answer(after, request.action, answer), after
        return answer, None

    def _fault(self, scope: Scope, when: str, action: str | None, path: str, tool: str | None) -> Fault | None:
        name = _header(scope, "x-sandbox-fault")
        if name:
            header_when = _header(scope, "x-sandbox-fault-when") or "before"
            if header_when not in ("before", "after"):
                raise ApiError("INVALID_PARAMS", "x-sandbox-fault-when must be 'before' or 'after'")
            try:
                fault = parse_fault(name, header_when)
            except ValueError as exc:
                raise ApiError("INVALID_PARAMS", str(exc)) from None
            return fault if (fault.after if when == "after" else not fault.after) else None
        return self.state.take_fault(when=when, action=action, path=path, tool=tool)

    def _perform(self, request: _Request) -> tuple[Answer, int]:
        """Run one request against the state (under its lock); the answer and the charge."""
        state = self.state
        if request.category == "credits":
            data = {"credits_remaining": state.balance, "credits_used": state.used, "plan": "sandbox"}
            return success_answer(data, "get_credits", None, 0), 0
        if request.category == "accounts":
            return _accounts(state, request), 0
        if request.category == "auth":
            outcome = login.perform(state, request.action or "", request.params)
            charge = outcome.credits or 0
            data = _pay(state, outcome, charge)
            return success_answer(data, request.action or "", data["account_id"], charge), charge
        if request.category == "webhooks":
            if request.action == "create_webhook":
                _check_account(state, request.account_id)
            data, account_id = webhooks.perform(state, request.action or "", request.params)
            return success_answer(data, request.action or "", account_id, 0), 0
        categories = CATEGORIES[request.category]
        action = categories.get(request.action or "")
        if action is None:
            raise ApiError(
                "INVALID_ACTION",
                f"Unknown action {request.action!r} for /v2/{request.path_category} "
                f"(valid actions: {', '.join(categories)})",
            )
        account = request.account_id
        if request.category not in ACCOUNT_OPTIONAL or account is not None:
            _check_account(state, account)
        params = check(request.params, action.params)
        ctx = Ctx(state.world, account)
        outcome = action.handler(ctx, params)
        charge = charge_for(action, outcome)
        data = _pay(state, outcome, charge)
        webhooks.after_action(state, request.category, action.name, account, data)
        return success_answer(data, action.name, account, charge), charge


def _pay(state: SandboxState, outcome: Outcome, charge: int) -> Any:
    """Debit `charge` and make the outcome's change, or 402 (changing nothing) when the balance is short."""
    if charge > state.balance:
        raise ApiError(
            "INSUFFICIENT_CREDITS",
            f"Insufficient credits: this request costs {charge}, balance is {state.balance}. "
            "Top up at app.linkupapi.com.",
        )
    data = outcome.effect() if outcome.effect is not None else outcome.data
    state.debit(charge)
    return data


class _Request:
    def __init__(
        self,
        category: str,
        action: str | None,
        account_id: str | None,
        params: dict[str, Any],
        path_category: str = "",
    ):
        self.category = category
        self.action = action
        self.account_id = account_id
        self.params = params
        self.path_category = path_category or category


def served(method: str, path: str, action: str | None = None) -> tuple[str, str] | None:
    """(category, action) of the handler answering `method path` (`action` in a V2 action body),
    or None when the sandbox would answer NOT_FOUND, METHOD_NOT_ALLOWED or INVALID_ACTION.
    For tests comparing what the sandbox serves with what a client calls; changes nothing."""
    body = json.dumps({"action": action} if action is not None else {}).encode()
    try:
        request = _parse_request(method, path, body, {})
    except ApiError:
        return None
    if request.category in CATEGORIES and request.action not in CATEGORIES[request.category]:
        return None
    return request.category, request.action or ""


def _parse_request(method: str, path: str, body: bytes, query: dict[str, str]) -> _Request:
    if path.rstrip("/") == "/v2/credits":
        _allow(method, "GET")
        return _Request("credits", "get_credits", None, {})
    if path.rstrip("/") == "/v2/accounts":
        _allow(method, "GET")
        return _Request("accounts", "list_accounts", None, dict(query))
    match = _ACCOUNT_PATH.match(path)
    if match:
        _allow(method, "GET")
        return _Request("accounts", "get_account", match.group(1), {})
    if login.owns(path):
        auth_action, auth_params = login.parse(method, path, body)
        account = auth_params.get("account_id")
        return _Request("auth", auth_action, account if isinstance(account, str) else None, auth_params)
    if webhooks.owns(path):
        hook_action, hook_params = webhooks.parse(method, path, body, query)
        return _Request("webhooks", hook_action, hook_params.get("account_id"), hook_params)
    match = _CATEGORY_PATH.match(path)
    if not match or (match.group(1) not in CATEGORIES and match.group(1) not in ENRICH_PATHS):
        raise ApiError("NOT_FOUND", f"No route for {method} {path}")
    _allow(method, "POST")
    category = ENRICH_PATHS.get(match.group(1), match.group(1))
    payload = json_object(body, empty=b"null", shape="{account_id, action, params}")
    action, account, params = payload.get("action"), payload.get("account_id"), payload.get("params", {})
    if not isinstance(action, str) or not action:
        raise ApiError("INVALID_PARAMS", "Missing required parameter: action")
    if account is not None and not isinstance(account, str):
        raise ApiError("INVALID_PARAMS", "Invalid parameter: account_id must be a string")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ApiError("INVALID_PARAMS", "Invalid parameter: params must be an object")
    unknown = sorted(set(payload) - {"action", "account_id", "params"})
    if unknown:
        raise ApiError(
            "INVALID_PARAMS", f"Unknown field(s) in body: {', '.join(unknown)} (put action params in params)"
        )
    return _Request(category, action, account, params, match.group(1))


def _authorize(state: SandboxState, api_key: str | None) -> None:
    if api_key != state.config.api_key:
        raise ApiError("INVALID_API_KEY", "Invalid or missing API key: send it in the x-api-key header.")
    retry_after = state.rate_check(state.config.api_key)
    if retry_after is not None:
        raise RateLimited(retry_after)


def _allow(method: str, expected: str) -> None:
    if method != expected:
        raise ApiError("METHOD_NOT_ALLOWED", f"Method {method} not allowed here; use {expected}")


def _check_account(state: SandboxState, account_id: str | None) -> None:
    if not account_id:
        raise ApiError("INVALID_PARAMS", "Missing required parameter: account_id")
    account = state.accounts.get(account_id)
    if account is None:
        raise ApiError("INVALID_ACCOUNT", f"Account not found: {account_id} (list your accounts with GET /v2/accounts)")
    if not account.is_active:
        pending = account.status == "checkpoint_required"
        fix = "complete its checkpoint with POST /v2/checkpoint" if pending else "reconnect it with POST /v2/login"
        raise ApiError("ACCOUNT_INACTIVE", f"Account {account_id} is inactive: {fix}")


def _accounts(state: SandboxState, request: _Request) -> Answer:
    if request.action == "get_account":
        account = state.accounts.get(request.account_id or "")
        if account is None:
            raise ApiError("INVALID_ACCOUNT", f"Account not found: {request.account_id}")
        return success_answer(account.view(), "get_account", account.account_id, 0)
    limit = _int_query(request.params, "limit", 50, 1, 500)
    offset = _int_query(request.params, "offset", 0, 0, None)
    unknown = sorted(set(request.params) - {"limit", "offset"})
    if unknown:
        raise ApiError("INVALID_PARAMS", f"Unknown parameter: {unknown[0]} (valid parameters: limit, offset)")
    accounts = list(state.accounts.values())
    page = accounts[offset : offset + limit]
    more = offset + len(page) < len(accounts)
    data = {
        "accounts": [a.view() for a in page],
        "total_results": len(page),
        "total_available_results": len(accounts),
        "pagination": {
            "offset": offset,
            "limit": limit,
            "next_offset": offset + len(page) if more else None,
            "has_more": more,
        },
    }
    return success_answer(data, "list_accounts", None, 0)


def _int_query(params: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} must be an integer") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} must be {bound}")
    return value


# -- faults ---------------------------------------------------------------------------------


async def _apply_wait(
    fault: Fault, receive: Receive, default_timeout: float
) -> tuple[Answer | None, Fault | None] | None:
    """Sleep for slow/timeout faults (a timeout ends early when the client hangs up, and then
    nobody is answered); None when the request should go on."""
    if fault.kind == "slow":
        await asyncio.sleep(fault.seconds or 0)
    elif fault.kind == "timeout" and await _client_gone_within(
        receive, fault.seconds if fault.seconds is not None else default_timeout
    ):
        return None, fault
    return None


def _fault_answer(fault: Fault, action: str | None, performed: Answer | None = None) -> Answer | None:
    kind = fault.kind
    internal = ApiError("INTERNAL_ERROR", "Internal server error (sandbox fault)")
    if kind in ("500", "502", "503"):
        return error_answer(ApiError(internal.code, internal.message, int(kind)), action)
    if kind in ("429", "429-no-retry-after"):
        limited = RateLimited(1 if kind == "429" else None)
        return error_answer(limited, action)
    if kind == "drop":
        return None
    if kind == "malformed":
        return Answer(200, None, raw=b'{"success": true, "data": {"oops": ')
    if kind == "html":
        html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        return Answer(502, None, {"content-type": "text/html"}, raw=html)
    if kind == "success_false":
        answer = error_answer(internal, action)
        answer.status = 200
        return answer
    if kind == "truncated":
        return performed or success_answer({"filler": "x" * 200}, action or "", None, 0)
    raise AssertionError(kind)


def _drift(state: SandboxState, fault: Fault, answer: Answer) -> int:
    """A performed success changed as if LinkupAPI had changed: a field renamed, or more credits
    charged (debited too); the extra credits. An error answer is left alone."""
    body = answer.body
    if not isinstance(body, dict) or body.get("success") is not True:
        return 0
    if fault.kind == "rename-field":
        data = body.get("data")
        field = fault.arg or next(iter(data), None) if isinstance(data, dict) else None
        if isinstance(data, dict) and field in data:
            body["data"] = {(f"{k}_renamed" if k == field else k): v for k, v in data.items()}
        return 0
    extra = int(fault.arg or 1)
    body["metadata"]["credits_consumed"] += extra
    state.debit(extra)
    return extra


async def _client_gone_within(receive: Receive, seconds: float) -> bool:
    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnected(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


# -- ASGI plumbing ---------------------------------------------------------------------------


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _header(scope: Scope, name: str) -> str | None:
    key = name.encode()
    for k, v in scope.get("headers", []):
        if k.lower() == key:
            return bytes(v).decode("latin-1")
    return None


def _query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}


async def _send_answer(send: Send, answer: Answer) -> None:
    data, headers = answer.encoded()
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _send_truncated(send: Send, answer: Answer) -> None:
    """Announce the whole body, send half, then close: the client sees a cut-off response."""
    data, headers = answer.encoded()
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": data[: len(data) // 2], "more_body": True})
    await _drop(send)


async def _drop(send: Send) -> None:
    """Close the connection with no (further) bytes, via uvicorn's transport behind `send`."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:  # not uvicorn: the best we can do is an error the server turns into a reset
        raise ConnectionAbortedError("sandbox fault: drop")
    transport.close()
    await asyncio.sleep(0)
