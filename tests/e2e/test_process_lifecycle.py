"""Protocol garbage, stdin EOF and SIGTERM: JSON-RPC errors, no crash, exit status 0, and a
ledger that records what was in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.store.ledger import Ledger
from tests.e2e.conftest import ROOT
from tests.e2e.raw import INITIALIZE, RawServer

CALL = {"jsonrpc": "2.0", "method": "tools/call"}
FRIEND = "https://www.linkedin.com/in/victor-johnson"


def call(request_id: int, name: str, arguments: object) -> dict[str, object]:
    return {**CALL, "id": request_id, "params": {"name": name, "arguments": arguments}}


def test_bad_protocol_input_gets_jsonrpc_errors_and_the_server_stays_up() -> None:
    server = RawServer({"LINKUP_LEDGER": ":memory:"}, "--sandbox")
    assert "result" in server.handshake()
    cases: list[tuple[object, object, int]] = [
        ("this is not json", None, -32700),
        ('{"jsonrpc": "2.0", "id": 7, "method": 5}', 7, -32600),
        ("[1, 2]", None, -32600),
        (
            '{"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "x", "arguments": '
            + "[" * 100_000
            + "]" * 100_000
            + "}}",
            8,
            -32602,  # too deep for any parser here: answered with its id all the same
        ),
        (json.dumps(call(13, "x", {"a": "nested"})).replace('"nested"', "[" * 300 + "]" * 300), 13, -32602),
        # a lone surrogate (a cut emoji): served, with U+FFFD in its place (here: an unknown tool)
        (json.dumps(call(14, "x", {"text": "\ud800"})), 14, -32602),
        ('{"jsonrpc": "2.0", "id": 1.5, "method": "tools/list"}', None, -32600),
        (call(9, "no_such_tool", {}), 9, -32602),
        (call(10, "profiles_get", "not an object"), 10, -32602),
    ]
    for message, request_id, code in cases:
        server.send(message)  # type: ignore[arg-type]
        answer = server.receive()
        assert answer["id"] == request_id and answer["error"]["code"] == code, (message, answer)
    # huge but well-formed arguments: a tool error naming the field, not a protocol failure
    server.send(call(11, "profiles_search_people", {"keyword": "x", "location": "y" * 1_000_000}))
    big = server.receive()
    assert big["id"] == 11 and big["result"]["isError"] is True
    assert big["result"]["structuredContent"]["error"]["fields"][0]["field"] == "location"
    server.send({"jsonrpc": "2.0", "id": 12, "method": "tools/list"})
    assert len(server.receive()["result"]["tools"]) == len(Catalog.build().names())
    server.close_stdin()
    assert server.proc.wait(10) == 0
    assert "Traceback" not in server.stderr()


def test_stdin_eof_exits_promptly_with_status_0() -> None:
    server = RawServer({"LINKUP_LEDGER": ":memory:"}, "--sandbox")
    server.handshake()
    server.close_stdin()
    started = time.monotonic()
    assert server.proc.wait(10) == 0
    assert time.monotonic() - started < 5


@contextmanager
def two_calls_in_flight(ledger_path: Path) -> Iterator[RawServer]:
    """A server whose profiles_get_me (a read) and messages_send (a write) hang at the API."""
    with SandboxServer() as sandbox:
        sandbox.state.add_fault("slow:20", action="get_me")
        sandbox.state.add_fault("slow:20", action="send")
        env = {
            "LINKUP_API_KEY": sandbox.config.api_key,
            "LINKUP_BASE_URL": sandbox.base_url,
            "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
            "LINKUP_LEDGER": str(ledger_path),
        }
        server = RawServer(env)
        server.handshake()
        server.send(call(1, "profiles_get_me", {}))
        server.send(call(2, "messages_send", {"profile_url": FRIEND, "message_text": "Hello"}))
        deadline = time.monotonic() + 10
        while len(sandbox.state.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sandbox.state.requests) == 2  # both calls are in flight at the API
        yield server


def ledger_outcomes(ledger_path: Path) -> dict[str, str]:
    return {r["tool"]: r["outcome"] for r in Ledger(str(ledger_path)).rows()}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_mid_call_records_the_calls_and_exits_0(tmp_path: Path) -> None:
    with two_calls_in_flight(tmp_path / "ledger.sqlite3") as server:
        server.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.proc.wait(10) == 0
        assert time.monotonic() - started < 5
    # the read is simply cancelled; the message may have gone out, so it is remembered as such
    assert ledger_outcomes(tmp_path / "ledger.sqlite3") == {
        "profiles_get_me": "CANCELLED",
        "messages_send": "OUTCOME_UNKNOWN",
    }


def test_mcp_cancellation_stops_calls_in_flight_and_records_them(tmp_path: Path) -> None:
    with two_calls_in_flight(tmp_path / "ledger.sqlite3") as server:
        for request_id in (1, 2):
            server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": request_id}})
        server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
        answer = server.receive()
        while answer.get("id") != 3:  # a cancelled request may or may not be answered first
            answer = server.receive()
        assert len(answer["result"]["tools"]) == len(Catalog.build().names())  # the server carries on
        server.close_stdin()
        assert server.proc.wait(10) == 0
    assert ledger_outcomes(tmp_path / "ledger.sqlite3") == {
        "profiles_get_me": "CANCELLED",
        "messages_send": "OUTCOME_UNKNOWN",
    }


def test_client_closing_stdout_ends_the_session_with_status_0() -> None:
    """The client stops reading (closes its end of our stdout): like stdin EOF, the session is
    over: exit 0, no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")} | {"LINKUP_LEDGER": ":memory:"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkup_mcp", "--sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 0
    proc.stdout.close()
    proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    proc.stdin.write(b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n')
    proc.stdin.flush()
    try:
        assert proc.wait(15) == 0
    finally:
        proc.kill()
    assert "Traceback" not in proc.stderr.read().decode(errors="replace")
