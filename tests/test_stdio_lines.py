"""The stdio layer of our own on the SDK's transport: every line that is not one JSON-RPC message
answered with its JSON-RPC error; stdout carries only protocol; files still serve as stdio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp.mcp.frames import Verdict, check

ROOT = Path(__file__).resolve().parents[1]
INIT = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}


def request(request_id: Any = 1, **more: Any) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", **more})


def nested(depth: int) -> str:
    """A tools/call whose argument is a list nested `depth` deep."""
    return request(params={"name": "x", "arguments": {"a": "HERE"}}).replace('"HERE"', "[" * depth + "]" * depth)


@pytest.mark.parametrize(
    "line",
    [
        request(params={"name": "profiles_get", "arguments": {"profile_url": "https://www.linkedin.com/in/x"}}),
        request("abc", params={"name": "x", "arguments": {"text": "caf\u00e9 \U0001f600"}}),
        '{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        '{"jsonrpc": "2.0", "id": 3, "result": {}}',
        nested(100),
    ],
    ids=["request", "string id, unicode", "notification", "response", "nested 100 deep"],
)
def test_one_jsonrpc_message_passes(line: str) -> None:
    assert check(line) == Verdict(text=line)


def test_a_lone_surrogate_is_passed_on_repaired() -> None:
    """What a JavaScript client sends for a cut emoji: legal JSON the SDK's parser refuses."""
    verdict = check(request(5, params={"name": "x", "arguments": {"text": "cut \ud83d", "\udc00k": 1}}))
    assert verdict.answer is None and verdict.text is not None
    assert json.loads(verdict.text)["params"]["arguments"] == {"text": "cut \ufffd", "\ufffdk": 1}


@pytest.mark.parametrize(
    ("line", "request_id", "code"),
    [
        ("this is not json", None, -32700),
        ('{"jsonrpc": "2.0", "id": 7, "method": 5}', 7, -32600),
        ('{"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": []}', 8, -32602),
        ("[1, 2]", None, -32600),
        ("{}", None, -32600),
        (nested(100_000), 1, -32602),  # deeper than any parser here reads: the id is still found
        (nested(300), 1, -32602),  # JSON, but deeper than the SDK's parser reads
        ('{"jsonrpc": "2.0", "id": 1.5, "method": "tools/list"}', None, -32600),
        ('{"jsonrpc": "2.0", "id": null, "method": "tools/list"}', None, -32600),
        ('{"jsonrpc": "2.0", "id": true, "method": "tools/list"}', None, -32600),
        ('{"jsonrpc": "2.0", "id": {}, "method": "tools/list"}', None, -32600),
        ('{"jsonrpc": "1.0", "id": 4, "method": "tools/list"}', 4, -32600),
    ],
    ids=[
        "not json",
        "method not a string",
        "params not an object",
        "batch",
        "empty object",
        "nested 100k deep",
        "nested 300 deep",
        "float id",
        "null id",
        "bool id",
        "object id",
        "jsonrpc 1.0",
    ],
)
def test_anything_else_gets_its_jsonrpc_error(line: str, request_id: object, code: int) -> None:
    """Each of these the SDK's transport would drop without an answer."""
    problem = check(line).answer
    assert problem is not None
    assert (problem.id, problem.error.code) == (request_id, code)


def test_a_notification_too_deep_gets_no_answer() -> None:
    line = json.dumps({"jsonrpc": "2.0", "method": "notifications/x", "params": {"a": "H"}})
    assert check(line.replace('"H"', "[" * 300 + "]" * 300)) == Verdict()


def test_stray_output_while_serving_goes_to_stderr_not_the_protocol() -> None:
    """A print from anywhere in the process (a library, a thread) while the server runs must not
    corrupt the protocol: stdout is claimed for it, fd 1 points at stderr meanwhile."""
    script = textwrap.dedent(
        """
        import os, sys, threading, time
        from linkup_mcp.__main__ import main

        wire = os.fstat(1).st_ino

        def stray():
            while os.fstat(1).st_ino == wire:  # until the transport claims stdout
                time.sleep(0.005)
            print("stray", flush=True)

        threading.Thread(target=stray, daemon=True).start()
        sys.exit(main([]))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")} | {"LINKUP_LEDGER": ":memory:"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": INIT}).encode() + b"\n")
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["id"] == 0
    time.sleep(0.3)  # the thread has seen the claim and printed
    more = b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
    out, err = proc.communicate(more, timeout=30)
    assert proc.returncode == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == [1]
    assert b"stray" in err


def test_files_as_stdin_and_stdout_work(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": INIT}) + "\n")
    answers = tmp_path / "answers.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")} | {"LINKUP_LEDGER": ":memory:"}
    with requests.open("rb") as stdin, answers.open("wb") as stdout:
        code = subprocess.run(
            [sys.executable, "-m", "linkup_mcp"], stdin=stdin, stdout=stdout, env=env, cwd=ROOT, timeout=60
        ).returncode
    assert code == 0
    assert json.loads(answers.read_text().splitlines()[0])["result"]["serverInfo"]["name"] == "linkup-mcp"
