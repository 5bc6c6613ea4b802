"""Stdin for the SDK's stdio transport, `stdio_server(stdin=CheckedStdin())`, adding the two
things that transport does not do:

- every line that is not one JSON-RPC message gets its JSON-RPC error here (the SDK drops such
  lines silently, and the client waits forever): -32700 for text the SDK's parser cannot read
  (not JSON, nested too deeply, a lone surrogate), -32600 for JSON that is not one JSON-RPC
  message (batches, wrong member types, an id that is neither a string nor an integer), with the
  request's id when it has a valid one;
- stdin is read in a worker thread that a shutdown may abandon: a blocking read cannot be
  interrupted, and SIGTERM must not wait for the client's next line.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterable, AsyncIterator
from io import TextIOWrapper
from typing import Any

import anyio
import mcp_types as types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError


class _BorrowedText(TextIOWrapper):
    """Text layer over stdin's buffer that never closes the buffer (it is not ours)."""

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


def problem_with(line: str) -> types.JSONRPCError | None:
    """The error answer for a line that is not one JSON-RPC message; None when it is one.
    Decided by the parser the SDK's transport uses next, so the two never disagree."""
    try:
        message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except ValidationError as exc:
        return _explain(line, exc)
    if isinstance(message, types.JSONRPCNotification) and "id" in (_object(line) or {}):
        return _error(None, types.INVALID_REQUEST, "Invalid Request: id must be a string or an integer")
    return None


def _explain(line: str, exc: ValidationError) -> types.JSONRPCError:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        reason = str(first["msg"]).removeprefix("Invalid JSON: ")
        return _error(None, types.PARSE_ERROR, f"Parse error: the line is not JSON this server can read ({reason})")
    message = _object(line)
    if message is None:
        return _error(None, types.INVALID_REQUEST, "Invalid Request: send one JSON-RPC object per line (no batches)")
    where = ".".join(str(p) for p in first["loc"][1:]) or "message"
    request_id = message.get("id")
    valid_id = isinstance(request_id, (str, int)) and not isinstance(request_id, bool)
    return _error(request_id if valid_id else None, types.INVALID_REQUEST, f"Invalid Request: {where}: {first['msg']}")


def _object(line: str) -> dict[str, Any] | None:
    """The line's JSON object; None when it is something else."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _error(request_id: Any, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


async def _stdin_lines() -> AsyncIterator[str]:
    text = _BorrowedText(sys.stdin.buffer, encoding="utf-8", errors="replace")
    while line := await anyio.to_thread.run_sync(text.readline, abandon_on_cancel=True):
        yield line


class CheckedStdin:
    """An async iterable of stdin lines for `stdio_server(stdin=...)`; `attach` the write
    stream once the transport is open so that error answers can be sent."""

    def __init__(self, source: AsyncIterable[str] | None = None):
        self._source = source or _stdin_lines()
        self._write: Any = None
        self._attached = anyio.Event()

    def attach(self, write_stream: Any) -> None:
        self._write = write_stream
        self._attached.set()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        async for line in self._source:
            if not line.strip():
                continue
            problem = problem_with(line)
            if problem is None:
                yield line
                continue
            await self._attached.wait()
            await self._write.send(SessionMessage(problem))
