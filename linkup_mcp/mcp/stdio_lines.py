"""Stdin for the SDK's stdio transport, `stdio_server(stdin=CheckedStdin())`, adding the two
things that transport does not do:

- every line is checked by `frames.check` (shared with the HTTP transport): a line that is not
  one JSON-RPC message the SDK reads gets its JSON-RPC error here (the SDK would drop it
  silently, and the client would wait forever), and a line with lone surrogates is passed on
  repaired;
- stdin is read in a worker thread that a shutdown may abandon: a blocking read cannot be
  interrupted, and SIGTERM must not wait for the client's next line.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterable, AsyncIterator
from io import TextIOWrapper
from typing import Any

import anyio
from mcp.shared.message import SessionMessage

from linkup_mcp.mcp.frames import check


class _BorrowedText(TextIOWrapper):
    """Text layer over stdin's buffer that never closes the buffer (it is not ours)."""

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


async def _stdin_lines() -> AsyncIterator[str]:
    # Lines end at "\n" only: a "\r" is JSON whitespace, not the end of a message.
    text = _BorrowedText(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
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
            verdict = check(line)
            if verdict.text is not None:
                yield verdict.text
            elif verdict.answer is not None:
                await self._attached.wait()
                await self._write.send(SessionMessage(verdict.answer))
