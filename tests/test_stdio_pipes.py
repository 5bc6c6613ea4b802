"""stdin and stdout served by the event loop: the same lines and bytes as the threaded text layer,
a slow reader waited for, stdout claimed while serving, and files still served by the SDK's way."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from linkup_mcp.mcp.stdio_pipes import PipeWriter, pollable, polled_lines

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes; Windows keeps the SDK's threads"),
]

ROOT = Path(__file__).resolve().parents[1]

# Multi-byte characters, CRLF and lone CR, an invalid byte, a long line and a last line without a newline.
DATA = (
    b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
    + "caf\u00e9 \U0001f600 na\u00efve\r\n".encode()
    + b"old mac\rline\n\xff\xfe bad bytes\n"
    + b"x" * 200_000
    + b"\nlast without newline"
)


def _feed(fd: int, data: bytes, piece: int) -> None:
    """Write `data` in small pieces with pauses, so reads end mid-character and mid-line."""
    for start in range(0, len(data), piece):
        os.write(fd, data[start : start + piece])
        time.sleep(0.001)
    os.close(fd)


@pytest.mark.parametrize(("data", "piece"), [(DATA, 1 << 16), (DATA[:300], 7)], ids=["big pieces", "7 bytes"])
async def test_polled_lines_are_the_text_layers_lines(data: bytes, piece: int) -> None:
    expected = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").readlines()
    read, write = os.pipe()
    feeder = threading.Thread(target=_feed, args=(write, data, piece))
    feeder.start()
    try:
        assert pollable(read)
        lines = [line async for line in polled_lines(read)]
    finally:
        feeder.join()
        os.close(read)
    assert lines == expected


async def test_pipe_writer_waits_for_a_slow_reader() -> None:
    read, write = os.pipe()
    os.set_blocking(write, False)
    message = json.dumps({"data": "é" * 700_000}) + "\n"  # far more than a pipe holds
    received = bytearray()

    def drain() -> None:
        time.sleep(0.2)  # the writer finds the pipe full first
        while chunk := os.read(read, 4096):
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        await PipeWriter(write).write(message)
    finally:
        os.close(write)
        reader.join()
        os.close(read)
    assert received.decode() == message


def test_stdout_is_claimed_while_serving_and_given_back() -> None:
    script = textwrap.dedent(
        """
        import anyio
        from linkup_mcp.mcp.stdio_pipes import claimed_stdout

        async def main():
            with claimed_stdout() as out:
                assert out is not None
                print("stray", flush=True)  # fd 1 is stderr meanwhile: not on the protocol
                await out.write("message\\n")
            print("after", flush=True)

        anyio.run(main)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"message\nafter\n"
    assert done.stderr == b"stray\n"


def test_files_as_stdin_and_stdout_keep_the_threaded_transport(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    requests.write_text(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init}) + "\n")
    answers = tmp_path / "answers.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")} | {"LINKUP_LEDGER": ":memory:"}
    with requests.open("rb") as stdin, answers.open("wb") as stdout:
        code = subprocess.run(
            [sys.executable, "-m", "linkup_mcp"], stdin=stdin, stdout=stdout, env=env, cwd=ROOT, timeout=60
        ).returncode
    assert code == 0
    assert json.loads(answers.read_text().splitlines()[0])["result"]["serverInfo"]["name"] == "linkup-mcp"
