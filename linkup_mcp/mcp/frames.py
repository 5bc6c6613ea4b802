"""One incoming frame — a stdio line, an HTTP POST body — checked before the SDK sees it, so that
every message a client may legally send gets exactly one answer (the SDK's transports drop some
silently, and the client waits forever).

`check(text)` decides with the parser the SDK uses next, so the two never disagree:

- one JSON-RPC message: passed on as it is;
- strings with a lone surrogate (what a JavaScript client emits for a cut emoji: legal JSON the
  SDK's parser refuses): passed on with each lone surrogate replaced by U+FFFD, and served;
- a request nested deeper than the SDK's parser reads (about 200 levels; legal JSON): answered
  -32602 (invalid params) with the request's id, at any depth (the id is found without
  recursion); such a notification gets no answer, as JSON-RPC wants;
- JSON that is not one JSON-RPC message: -32600 (invalid request), or -32602 when only its
  `params` is wrong, with the request's id when it has a valid one (a string or an integer);
- text that is not JSON: -32700 (parse error), id null.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.shared.inbound import ERROR_CODE_HTTP_STATUS
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_SCAN = 4_000_000  # characters of a frame too deep for json.loads looked through for its id
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_COLON = re.compile(r"\s*:\s*")


@dataclass(frozen=True)
class Verdict:
    """Pass `text` on to the SDK, or send `answer` (or, both None, drop a notification)."""

    text: str | None = None
    answer: types.JSONRPCError | None = None


def check(text: str) -> Verdict:
    try:
        message = types.jsonrpc_message_adapter.validate_json(text, by_name=False)
    except ValidationError as exc:
        return _refused(text, exc)
    if isinstance(message, types.JSONRPCNotification) and "id" in (_object(text) or {}):
        return Verdict(answer=error(None, types.INVALID_REQUEST, "Invalid Request: id must be a string or an integer"))
    return Verdict(text=text)


def error(request_id: Any, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


def _refused(text: str, exc: ValidationError) -> Verdict:
    first = exc.errors()[0]
    if first["type"] != "json_invalid":
        return Verdict(answer=_invalid(_object(text), first))
    # Not JSON to the SDK's parser: not JSON at all, a lone surrogate, or nested too deeply for it.
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than Python's parser too
        return _too_deep(_top_level(text))
    except ValueError:
        reason = str(first["msg"]).removeprefix("Invalid JSON: ")
        return Verdict(answer=error(None, types.PARSE_ERROR, f"Parse error: the text is not JSON ({reason})"))
    if _SURROGATE_ESCAPE.search(text):
        repaired = _SURROGATE.sub("\ufffd", json.dumps(value, ensure_ascii=False))
        if repaired != text:
            return check(repaired)
    if _depth(value) > 100:
        return _too_deep(value if isinstance(value, dict) else None)
    reason = str(first["msg"]).removeprefix("Invalid JSON: ")
    return Verdict(
        answer=error(None, types.PARSE_ERROR, f"Parse error: the text is not JSON this server reads ({reason})")
    )


def _invalid(message: dict[str, Any] | None, first: Any) -> types.JSONRPCError:
    if message is None:
        return error(None, types.INVALID_REQUEST, "Invalid Request: send one JSON-RPC object per message (no batches)")
    where = ".".join(str(p) for p in first["loc"][1:]) or "message"
    request_id = message.get("id")
    if not _valid_id(request_id):
        request_id = None
    if where.startswith("params") and "method" in message and request_id is not None:
        return error(request_id, types.INVALID_PARAMS, f"Invalid params: {where}: {first['msg']}")
    return error(request_id, types.INVALID_REQUEST, f"Invalid Request: {where}: {first['msg']}")


def _too_deep(message: dict[str, Any] | None) -> Verdict:
    text = "Invalid params: nested deeper than this server reads (about 200 levels)"
    if message is None or not isinstance(message.get("method"), str):
        return Verdict(answer=error(None, types.PARSE_ERROR, "Parse error: nested deeper than this server reads"))
    if "id" not in message:
        return Verdict()  # a notification: no answer, as JSON-RPC wants
    request_id = message["id"]
    if not _valid_id(request_id):
        return Verdict(answer=error(None, types.INVALID_REQUEST, "Invalid Request: id must be a string or an integer"))
    return Verdict(answer=error(request_id, types.INVALID_PARAMS, text))


def _valid_id(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _object(text: str) -> dict[str, Any] | None:
    """The text's JSON object; None when it is something else."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _top_level(text: str) -> dict[str, Any] | None:
    """The scalar members of the text's top-level object (its `id`, `method`), found without
    recursion; None when the text is not an object or is too long to look through."""
    if len(text) > MAX_SCAN or not text.lstrip().startswith("{"):
        return None
    found: dict[str, Any] = {}
    depth, decoder = 0, json.JSONDecoder()
    for token in _TOKEN.finditer(text):
        lexeme = token.group()
        if lexeme in "[{":
            depth += 1
        elif lexeme in "]}":
            depth -= 1
        elif depth == 1 and (colon := _COLON.match(text, token.end())) is not None:
            at = colon.end()
            if text[at : at + 1] not in ("{", "[", ""):
                with contextlib.suppress(ValueError):
                    found[json.loads(lexeme)] = decoder.raw_decode(text, at)[0]
    return found


# -- over HTTP --------------------------------------------------------------------------------

MAX_BODY = 16_000_000  # bytes of one POST body; a larger one gets 413 before it is read whole


class CheckedBody:
    """ASGI middleware for the streamable HTTP app: each JSON POST body goes through `check`
    before the SDK reads it — passed on (repaired when it had lone surrogates), or answered here
    with its JSON-RPC error (HTTP 400), or 202 for a notification that gets no answer. Bodies
    over MAX_BODY get 413 with a JSON-RPC error."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _json_content(scope):
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                too_big = error(None, types.INVALID_REQUEST, f"Invalid Request: the body is over {MAX_BODY} bytes")
                await _answer(too_big, 413, scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        verdict = check(b"".join(chunks).decode("utf-8", errors="replace"))
        if verdict.text is None:
            if verdict.answer is None:
                await Response(status_code=202)(scope, receive, send)
            else:
                await _answer(
                    verdict.answer, ERROR_CODE_HTTP_STATUS.get(verdict.answer.error.code, 400), scope, receive, send
                )
            return
        body, sent = verdict.text.encode(), False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _json_content(scope: Scope) -> bool:
    return Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower() == "application/json"


async def _answer(answer: types.JSONRPCError, status: int, scope: Scope, receive: Receive, send: Send) -> None:
    body = answer.model_dump(mode="json", by_alias=True, exclude_none=True)
    body["id"] = answer.id  # JSON-RPC wants `id: null` on the wire when it could not be read
    await Response(json.dumps(body), status_code=status, media_type="application/json")(scope, receive, send)
