"""Stdin and stdout served by the event loop when they are pipes or sockets (what MCP clients
give a server they launch), instead of a worker thread per operation.

The SDK's stdio transport reads each line and writes and flushes each message in worker threads
(anyio.wrap_file): three thread hops per call, whose wake-ups and contention for the GIL with the
call itself cost ~0.3 ms of every call. Here the loop waits until the descriptor is ready, then
reads or writes without blocking. Files and terminals (and Windows) keep the threads.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import anyio

CHUNK = 1 << 16


def pollable(fd: int) -> bool:
    """A pipe or socket on POSIX: ready-waiting works on it (not on files; terminals are left alone)."""
    if sys.platform == "win32":
        return False
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def polled_lines(fd: int) -> AsyncIterator[str]:
    """The lines of `fd`, each read once the loop reports data (so the read never blocks). Decoded
    as the text layer did: UTF-8 with replacement characters, universal newlines."""
    decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")(errors="replace"), translate=True)
    pending = ""
    while True:
        await anyio.wait_readable(fd)
        try:
            chunk = os.read(fd, CHUNK)
        except BlockingIOError:  # nothing after all (a socket shared with non-blocking stdout)
            continue
        searched = len(pending)
        pending += decoder.decode(chunk, final=not chunk)
        start = 0
        while (end := pending.find("\n", searched)) >= 0:
            yield pending[start : end + 1]
            start = searched = end + 1
        pending = pending[start:]
        if not chunk:
            if pending:
                yield pending
            return


class PipeWriter:
    """An async file for the SDK's stdio transport: each message written by the loop, waiting
    for room when the client reads slowly; nothing is buffered, so flush has nothing to do."""

    def __init__(self, fd: int):
        self.fd = fd

    async def write(self, text: str) -> None:
        data = memoryview(text.encode())
        while data:
            try:
                data = data[os.write(self.fd, data) :]
            except BlockingIOError:
                await anyio.wait_writable(self.fd)

    async def flush(self) -> None:
        return None


@contextmanager
def claimed_stdout() -> Iterator[PipeWriter | None]:
    """A PipeWriter on a private copy of stdout when it is a pipe or socket, else None (the SDK's
    transport then claims stdout itself). Like the SDK's claim, fd 1 points at stderr meanwhile,
    so a stray print cannot corrupt the protocol; everything is put back on exit."""
    if not pollable(1):
        yield None
        return
    import fcntl  # POSIX only, as pollable() is

    private = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    blocking = os.get_blocking(private)
    try:
        _divert(1)
        os.set_blocking(private, False)  # our end of the pipe; the client reads the other end
        yield PipeWriter(private)
    finally:
        os.set_blocking(private, blocking)
        os.dup2(private, 1)
        os.close(private)


def _divert(fd: int) -> None:
    """Point `fd` at stderr (at the null device if stderr is closed)."""
    try:
        os.dup2(2, fd)
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
