"""A server process driven with raw JSON lines over its pipes: no client library in the timing.

Reads go straight to the pipe's file descriptor (select + os.read), so the time of a reply is
when its line reached this process, not when some reader thread got scheduled.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLOOR_SCRIPT = ROOT / "benchmarks" / "floor_server.py"
DUMMY_KEY = "bench-dummy-key"
ACCOUNT_ID = "acc"
PROTOCOL_VERSION = "2025-06-18"


@dataclass(frozen=True)
class ServerCommand:
    """How to start one server: the same interpreter for both, only argv and LINKUP_* differ."""

    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT


def bytecode_env(folder: str) -> dict[str, str]:
    """Byte-code cached in `folder` (PYTHONPYCACHEPREFIX) even where PYTHONDONTWRITEBYTECODE is set:
    after one untimed spawn no server compiles source at start-up, as with any installed package.
    The folder is the benchmark's own, so nothing is written into the checkout or the virtualenv."""
    return {"PYTHONPYCACHEPREFIX": folder, "PYTHONDONTWRITEBYTECODE": ""}  # empty = unset for Python


def floor_command(python_env: Mapping[str, str]) -> ServerCommand:
    return ServerCommand("floor", [sys.executable, str(FLOOR_SCRIPT)], dict(python_env))


def linkup_command(base_url: str, python_env: Mapping[str, str], root: Path = ROOT, **settings: str) -> ServerCommand:
    """`python -m linkup_mcp` run in `root` (so that checkout's package is the one imported) with a
    dummy key, the fake API, an in-memory ledger, plus `settings` as LINKUP_<NAME> (rate_limit="100000")."""
    env = {
        **python_env,
        "LINKUP_API_KEY": DUMMY_KEY,
        "LINKUP_BASE_URL": base_url,
        "LINKUP_ACCOUNT_ID": ACCOUNT_ID,
        "LINKUP_LEDGER": ":memory:",
    }
    env.update({f"LINKUP_{name.upper()}": value for name, value in settings.items()})
    return ServerCommand("linkup-mcp", [sys.executable, "-m", "linkup_mcp"], env, root)


def message(method: str, params: dict[str, Any] | None = None, id: int | None = None) -> bytes:
    """One JSON-RPC line; a notification when `id` is None."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if id is not None:
        body["id"] = id
    if params is not None:
        body["params"] = params
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def initialize(id: int = 0) -> bytes:
    client = {"name": "linkup-bench", "version": "1"}
    return message("initialize", {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": client}, id)


def call_tool(id: int, name: str, arguments: dict[str, Any]) -> bytes:
    return message("tools/call", {"name": name, "arguments": arguments}, id)


class ServerError(RuntimeError):
    pass


class StdioProcess:
    """`with StdioProcess(cmd) as p:`; `p.spawned_at` is perf_counter() just before the spawn."""

    def __init__(self, command: ServerCommand, timeout: float = 30.0) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
        self.command = command
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.spawned_at = time.perf_counter()
        self.proc = subprocess.Popen(
            command.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=command.cwd,
            env={**base, **command.env},
            bufsize=0,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._stdin = self.proc.stdin
        self._fd = self.proc.stdout.fileno()
        self._buffer = bytearray()

    def send(self, data: bytes) -> None:
        self._stdin.write(data)

    def read_line(self) -> bytes:
        """The next line from stdout, waiting at most `timeout` seconds."""
        deadline = time.perf_counter() + self.timeout
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                raise ServerError(f"{self.command.label}: no reply within {self.timeout}s{self._stderr_tail()}")
            chunk = os.read(self._fd, 1 << 20)
            if not chunk:
                raise ServerError(f"{self.command.label}: stdout closed{self._stderr_tail()}")
            self._buffer += chunk

    def reply(self) -> dict[str, Any]:
        """The next JSON-RPC response; an error response raises."""
        answer: dict[str, Any] = json.loads(self.read_line())
        if "error" in answer:
            raise ServerError(f"{self.command.label}: {answer['error']}")
        return answer

    def request(self, data: bytes) -> dict[str, Any]:
        self.send(data)
        return self.reply()

    def handshake(self) -> dict[str, Any]:
        answer = self.request(initialize())
        self.send(message("notifications/initialized"))
        return answer

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise ServerError("no VmRSS in /proc status")

    def close(self) -> None:
        """End of stdin ends an MCP stdio server; kill it if it does not go."""
        if not self._stdin.closed:
            self._stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace")[-2000:]
        return f"\n--- stderr ---\n{text}" if text else ""

    def __enter__(self) -> StdioProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
