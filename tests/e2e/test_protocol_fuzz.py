"""Every legal message answered (issue 17, item 2), as a protocol-level fuzz test: hypothesis draws
frames — JSON-RPC requests with every kind of id, method, params and argument value (deep
nesting, lone surrogates, big strings), notifications, text that is not JSON, bytes that are not
UTF-8 — and sends them to the real server over stdio and over HTTP. The invariant: a request with
a valid id gets exactly one answer carrying that id; nothing else gets more than one answer;
the server is alive after each frame (a ping is answered)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ROOT
from tests.e2e.raw import RawServer

SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
text = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(SURROGATES)), max_size=24)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63), st.floats(allow_nan=False), text
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=16
)
deep = st.integers(min_value=100, max_value=3000).flatmap(
    lambda depth: st.sampled_from(["[", "{"]).map(lambda kind: ("deep", depth, kind))
)
big = st.integers(min_value=10_000, max_value=400_000).map(lambda n: "y" * n)
TOOLS = ["profiles_get_me", "profiles_get", "credits_estimate", "messages_send", "profiles_search_people", "no_such"]
METHODS = ["ping", "tools/list", "tools/call", "resources/list", "prompts/list", "prompts/get", "no/such", "initialize"]
VALID_ID, INVALID_ID, NO_ID = "valid", "invalid", "none"


@st.composite
def frames(draw: st.DrawFn) -> tuple[str, str]:
    """(the frame's text, what its id is: valid, invalid or none)."""
    shape = draw(st.sampled_from(["request", "request", "request", "notification", "not json", "not an object"]))
    if shape == "not json":
        return draw(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(SURROGATES)), min_size=1)), NO_ID
    if shape == "not an object":
        return json.dumps(draw(st.lists(values, max_size=3) | scalars)), NO_ID
    message: dict[str, Any] = {"jsonrpc": draw(st.sampled_from(["2.0"] * 8 + ["1.0", 2]))}
    method = draw(st.sampled_from(METHODS) | scalars)
    message["method"] = method
    id_kind = NO_ID
    if shape == "request":
        id_kind = draw(st.sampled_from([VALID_ID] * 4 + [INVALID_ID]))
        message["id"] = "ID" if id_kind == VALID_ID else draw(st.sampled_from([None, True, 1.5, [], {}, -0.0]))
    arguments: Any = draw(st.one_of(values, deep, big))
    params = draw(
        st.sampled_from(["tool", "tool", "object", "absent", "list", "scalar"])
        if method == "tools/call"
        else st.sampled_from(["object", "absent", "list"])
    )
    if params == "tool":
        message["params"] = {"name": draw(st.sampled_from(TOOLS) | text), "arguments": arguments}
    elif params == "object":
        message["params"] = draw(st.dictionaries(text, values, max_size=3))
    elif params == "list":
        message["params"] = draw(st.lists(values, max_size=3))
    elif params == "scalar":
        message["params"] = arguments if not isinstance(arguments, tuple) else 5
    return _render(message), id_kind


def _render(message: dict[str, Any]) -> str:
    """JSON text (surrogates as \\u escapes), with any ("deep", depth, kind) value as nesting."""
    holder: list[tuple[int, str]] = []

    def swap(value: Any) -> Any:
        if isinstance(value, tuple):
            holder.append(value[1:])
            return "DEEP_HERE"
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    rendered = json.dumps(swap(message))
    for depth, kind in holder:
        opening, closing = ("[", "]") if kind == "[" else ('{"k":', "}")
        rendered = rendered.replace('"DEEP_HERE"', opening * depth + "0" + closing * depth, 1)
    return rendered


class Ids:
    def __init__(self) -> None:
        self.n = 0

    def fill(self, frame: str, id_kind: str) -> tuple[str, Any]:
        """The frame with a fresh id in place of the valid one (ids never repeat)."""
        if id_kind != VALID_ID:
            return frame, None
        self.n += 1
        request_id: Any = [self.n, f"s-{self.n}", 2**70 + self.n][self.n % 3]
        return frame.replace('"ID"', json.dumps(request_id), 1), request_id


def env() -> dict[str, str]:
    return {"LINKUP_LEDGER": ":memory:", "LINKUP_MAX_RESULT_BYTES": "5000"}


SETTINGS = settings(
    max_examples=int(os.environ.get("LINKUP_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)


# -- stdio ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stdio_server() -> Iterator[RawServer]:
    server = RawServer(env(), "--sandbox")
    assert "result" in server.handshake()
    yield server
    server.close_stdin()
    assert server.proc.wait(15) == 0
    assert "Traceback" not in server.stderr()


def receive_until(server: RawServer, wanted: set[Any], seen: Counter[Any], timeout: float = 30) -> None:
    """Read answers (counting them by id) until every id in `wanted` has one."""
    deadline = time.monotonic() + timeout
    while not wanted <= set(seen):
        answer = server.receive(max(0.1, deadline - time.monotonic()))
        seen[json.dumps(answer.get("id"))] += 1
    assert time.monotonic() < deadline


def test_every_frame_over_stdio_gets_at_most_one_answer_and_a_request_exactly_one(stdio_server: RawServer) -> None:
    ids, seen = Ids(), Counter[Any]()
    expected: list[str] = []
    pings: list[int] = []

    @SETTINGS
    @given(frames())
    def one(frame_and_kind: tuple[str, str]) -> None:
        frame, request_id = ids.fill(*frame_and_kind)
        before_null = seen[json.dumps(None)]
        assert stdio_server.proc.stdin is not None
        stdio_server.proc.stdin.write(frame.replace("\n", " ").encode("utf-8", "surrogatepass") + b"\n")
        stdio_server.proc.stdin.flush()
        pings.append(len(pings))
        ping = f"ping-{len(pings)}"
        stdio_server.send({"jsonrpc": "2.0", "id": ping, "method": "ping"})
        wanted = {json.dumps(ping)} | ({json.dumps(request_id)} if request_id is not None else set())
        receive_until(stdio_server, wanted, seen)
        assert seen[json.dumps(None)] - before_null <= 1, frame[:200]
        if request_id is not None:
            expected.append(json.dumps(request_id))

    one()
    time.sleep(0.5)  # anything answered twice would be here by now
    stdio_server.send({"jsonrpc": "2.0", "id": "last", "method": "ping"})
    receive_until(stdio_server, {json.dumps("last")}, seen)
    assert expected and all(seen[i] == 1 for i in expected), {i: seen[i] for i in expected if seen[i] != 1}
    assert all(n == 1 for i, n in seen.items() if i != json.dumps(None))


# -- HTTP ----------------------------------------------------------------------------------

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "1"}},
}


@pytest.fixture(scope="module")
def http_server() -> Iterator[tuple[str, dict[str, str]]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkup_mcp", "--transport", "http", "--port", str(port), "--sandbox"],
        env={**base, **env()},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/mcp"
        answer = httpx2.post(url, headers=HEADERS, json=INITIALIZE, timeout=30)
        session = {**HEADERS, "mcp-session-id": answer.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        httpx2.post(url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, timeout=30)
        yield url, session
    finally:
        proc.terminate()
        assert proc.wait(15) == 0
        assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()


def messages(response: httpx2.Response) -> list[dict[str, Any]]:
    """The JSON-RPC messages of one HTTP answer: a JSON body, or the SSE stream's data events."""
    if response.status_code == 202 or not response.content:
        return []
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
    body = response.json()
    return body if isinstance(body, list) else [body]


def test_every_frame_over_http_gets_at_most_one_answer_and_a_request_exactly_one(
    http_server: tuple[str, dict[str, str]],
) -> None:
    url, headers = http_server
    ids, answered = Ids(), [0]
    with httpx2.Client(headers=headers, timeout=60) as http:

        @SETTINGS
        @given(frames())
        def one(frame_and_kind: tuple[str, str]) -> None:
            frame, request_id = ids.fill(*frame_and_kind)
            got = messages(http.post(url, content=frame.encode("utf-8", "surrogatepass")))
            assert len(got) <= 1, (frame[:200], got)
            if request_id is not None:
                assert [m.get("id") for m in got] == [request_id], (frame[:200], got)
                answered[0] += 1
            else:
                assert all(m.get("id") is None for m in got), (frame[:200], got)
            ping = messages(http.post(url, json={"jsonrpc": "2.0", "id": "ping", "method": "ping"}))
            assert ping == [{"jsonrpc": "2.0", "id": "ping", "result": {}}]

        one()
    assert answered[0] > 0


def test_a_carriage_return_is_json_whitespace_not_the_end_of_a_message(stdio_server: RawServer) -> None:
    """Lines end at "\\n" only: a message with "\\r" between its tokens (legal JSON) is one message."""
    assert stdio_server.proc.stdin is not None
    stdio_server.proc.stdin.write(b'{"jsonrpc": "2.0",\r "id": "cr", "method":\r"ping"}\r\n')
    stdio_server.proc.stdin.flush()
    assert stdio_server.receive() == {"jsonrpc": "2.0", "id": "cr", "result": {}}
