"""`linkup-mcp --transport http`: the real process over loopback streamable HTTP, with the mcp client."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from linkup_mcp.call.runtime import NO_KEY_WITH_CLIENT_KEYS
from linkup_mcp.config import Settings
from linkup_mcp.mcp.http import is_loopback, key_settings, transport_security
from linkup_mcp.sandbox import SandboxConfig, SandboxServer
from tests.e2e.conftest import ROOT, env_for
from tests.fakeapi import FakeApi

pytestmark = pytest.mark.anyio

TOKEN = "mcp-token-0123456789abcdef"
ALICE = "lk_alice_KEY_0123456789"
BOB = "lk_bob_KEY_9876543210"
MCP_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "linkup_mcp", "--transport", "http", *args]


def environment(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    return {**base, "LINKUP_LEDGER": ":memory:", **env}


@contextmanager
def http_server(env: dict[str, str], *args: str) -> Iterator[tuple[str, Any]]:
    """The server on a free loopback port: yields (MCP endpoint URL, its stderr file). SIGTERM at the
    end must stop it cleanly (exit status 0), and nothing may have gone to stdout."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as errlog, tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            command("--port", str(port), *args), env=environment(env), cwd=ROOT, stdout=out, stderr=errlog
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, "the server exited at start"
                assert time.monotonic() < deadline, "the server did not start listening"
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/mcp", errlog
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        errlog.seek(0)
        assert code == 0, errlog.read()
        out.seek(0)
        assert out.read() == "", "logs go to stderr only"


@asynccontextmanager
async def mcp_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        yield client


async def test_list_and_call_over_http() -> None:
    with http_server({}, "--sandbox") as (url, _):
        async with mcp_client(url) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            result = await client.call_tool("profiles_get_me", {})
    assert "profiles_get_me" in tools and "messages_send" in tools
    assert result.is_error is False
    assert result.structured_content["credits"]["session_spent"] == result.structured_content["credits"]["charged"]


async def test_the_url_served_is_printed_at_start() -> None:
    """`--port 0` picks a free port: the line on stderr is the only way to know it, so it must be right."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            command("--port", "0", "--sandbox"),
            env=environment({}),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            match = re.fullmatch(
                r"linkup-mcp: serving MCP \(streamable HTTP\) at (http://127\.0\.0\.1:(\d+)/mcp)\n", line
            )
            assert match, line
            async with mcp_client(match.group(1)) as client:
                assert (await client.call_tool("credits_get", {})).is_error is False
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(15) == 0


async def test_bearer_token_is_required_when_configured() -> None:
    with http_server({"LINKUP_MCP_TOKEN": TOKEN, "LINKUP_LOG_LEVEL": "DEBUG"}, "--sandbox") as (url, errlog):
        async with httpx2.AsyncClient() as http:
            missing = await http.post(url, headers=MCP_HEADERS, json=PING)
            wrong = await http.post(url, headers={**MCP_HEADERS, "authorization": "Bearer nope"}, json=PING)
            basic = await http.post(url, headers={**MCP_HEADERS, "authorization": f"Basic {TOKEN}"}, json=PING)
        async with mcp_client(url, {"Authorization": f"Bearer {TOKEN}"}) as client:
            listed = await client.list_tools()
            result = await client.call_tool("profiles_get_me", {})
        errlog.seek(0)
        logged = errlog.read()
    assert [r.status_code for r in (missing, wrong, basic)] == [401, 401, 401]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert listed.tools and result.is_error is False
    assert TOKEN not in logged and TOKEN not in json.dumps(result.structured_content)


async def test_host_and_origin_are_checked() -> None:
    """DNS-rebinding protection: a loopback bind answers only to loopback Host and Origin names."""
    with http_server({}, "--sandbox") as (url, _):
        port = url.split(":")[2].split("/")[0]
        async with httpx2.AsyncClient() as http:

            async def post(**headers: str) -> int:
                return (await http.post(url, headers={**MCP_HEADERS, **headers}, json=PING)).status_code

            bad_host = await post(host=f"evil.example:{port}")
            bad_origin = await post(origin="http://evil.example")
            rebound_origin = await post(origin=f"http://attacker.example:{port}")
            good = [await post(host=f"localhost:{port}"), await post(origin=f"http://127.0.0.1:{port}")]
    assert bad_host == 421  # the SDK's status for a Host it does not serve
    assert bad_origin == rebound_origin == 403
    assert 403 not in good and 421 not in good  # passed the checks (400: a ping needs a session first)


def test_non_loopback_bind_without_token_refuses_to_start() -> None:
    port = free_port()
    # Hold the port (bound, not listening) so a regression that tried to serve would fail, not expose it.
    with socket.socket() as held:
        held.bind(("0.0.0.0", port))
        done = subprocess.run(
            command("--host", "0.0.0.0", "--port", str(port), "--sandbox"),
            env=environment({}),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert "LINKUP_MCP_TOKEN" in done.stderr and "0.0.0.0" in done.stderr
    assert done.stdout == ""


def test_busy_port_is_one_clear_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = subprocess.run(
            command("--port", port, "--sandbox"),
            env=environment({}),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"linkup-mcp: cannot listen on 127.0.0.1:{port}: ")


def test_client_keys_refuse_the_sandbox() -> None:
    done = subprocess.run(
        command("--client-keys", "--sandbox"), env=environment({}), cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "LINKUP_CLIENT_KEYS" in done.stderr


async def test_per_request_keys_are_isolated_against_the_sandbox() -> None:
    """Each client's calls reach the API with its own key (the sandbox accepts only Alice's) and
    each client's credits count only its own calls; no header and no server key: NOT_CONFIGURED."""
    with (
        SandboxServer(SandboxConfig(api_key=ALICE)) as sandbox,
        tempfile.TemporaryDirectory() as state,
        http_server(
            {
                "LINKUP_BASE_URL": sandbox.base_url,
                "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
                "LINKUP_CLIENT_KEYS": "1",
                "LINKUP_CACHE_TTL": "0",  # every call reaches the API
                "LINKUP_LEDGER": str(Path(state) / "ledger.sqlite3"),
                "LINKUP_LOG_LEVEL": "DEBUG",
            }
        ) as (url, errlog),
    ):
        async with (
            mcp_client(url, {"X-Linkup-Api-Key": ALICE}) as alice,
            mcp_client(url, {"X-Linkup-Api-Key": BOB}) as bob,
            mcp_client(url) as anonymous,
        ):
            a1 = await alice.call_tool("profiles_get_me", {})
            b1 = await bob.call_tool("profiles_get_me", {})
            a2 = await alice.call_tool("profiles_get_me", {})
            b2 = await bob.call_tool("profiles_get_me", {})
            nobody = await anonymous.call_tool("profiles_get_me", {})
        errlog.seek(0)
        logged = errlog.read()
        ledgers = sorted(p.name for p in Path(state).iterdir() if p.suffix == ".sqlite3")

    assert [r.structured_content["ok"] for r in (a1, a2)] == [True, True]
    charged = a1.structured_content["credits"]["charged"]
    assert charged >= 1
    assert [r.structured_content["credits"]["session_spent"] for r in (a1, a2)] == [charged, 2 * charged]
    for refused in (b1, b2):
        assert refused.structured_content["error"]["code"] == "INVALID_API_KEY"
        assert refused.structured_content["credits"]["session_spent"] == 0
    assert nobody.structured_content["error"]["code"] == "NOT_CONFIGURED"
    assert nobody.structured_content["error"]["message"] == NO_KEY_WITH_CLIENT_KEYS
    codes = [r["error_code"] for r in sandbox.state.request_log()]
    assert codes == [None, "INVALID_API_KEY", None, "INVALID_API_KEY"]
    assert len(ledgers) == 3  # the server's own, and one per client key
    texts = [logged, *(json.dumps(r.structured_content) + r.content[0].text for r in (a1, a2, b1, b2, nobody))]
    assert not any(key in text for text in texts for key in (ALICE, BOB))


async def test_per_request_keys_reach_the_api_verbatim() -> None:
    """Interleaved calls from two clients: every request carries its own client's key; a client
    without the header uses the server's key."""
    server_key = "lk_server_KEY_5555555555"
    env = {"LINKUP_API_KEY": server_key, "LINKUP_CACHE_TTL": "0"}
    with (
        FakeApi() as api,
        http_server({"LINKUP_BASE_URL": api.base_url, "LINKUP_CLIENT_KEYS": "1", **env}) as (url, _),
    ):
        async with (
            mcp_client(url, {"X-Linkup-Api-Key": ALICE}) as alice,
            mcp_client(url, {"X-Linkup-Api-Key": BOB}) as bob,
            mcp_client(url) as plain,
        ):
            spent = {}
            for name, client in [("alice", alice), ("bob", bob), ("alice", alice), ("plain", plain), ("alice", alice)]:
                result = await client.call_tool("profiles_get_me", {"account_id": "acc_1"})
                spent[name] = result.structured_content["credits"]["session_spent"]
    assert [r.headers["x-api-key"] for r in api.requests] == [ALICE, BOB, ALICE, server_key, ALICE]
    assert spent == {"alice": 3, "bob": 1, "plain": 1}


def test_host_rules_and_per_key_settings() -> None:
    loopback = transport_security("127.0.0.1")
    assert {"127.0.0.1:*", "localhost:*", "[::1]:*"} <= set(loopback.allowed_hosts)
    assert "http://localhost:*" in loopback.allowed_origins
    public = transport_security("10.1.2.3", ["mcp.example.com"])
    assert set(public.allowed_hosts) == {"10.1.2.3", "10.1.2.3:*", "mcp.example.com", "mcp.example.com:*"}
    assert "https://mcp.example.com" in public.allowed_origins and "http://localhost:*" not in public.allowed_origins
    assert "[2001:db8::1]:*" in transport_security("2001:db8::1").allowed_hosts
    assert [is_loopback(h) for h in ("127.0.0.1", "127.9.9.9", "::1", "localhost", "0.0.0.0", "example.com")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    per_key = key_settings(Settings(ledger="/tmp/x/ledger.sqlite3"), ALICE, "ab" * 32)
    assert per_key.api_key_value() == ALICE and per_key.ledger == f"/tmp/x/ledger.{'ab' * 8}.sqlite3"
    assert key_settings(Settings(ledger=":memory:"), ALICE, "ab" * 32).ledger == ":memory:"


async def test_readme_http_client_snippet_connects() -> None:
    """The README's URL client config, with its placeholders filled in, reaches a token-protected
    server with per-request keys."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (config,) = [
        entry
        for body in re.findall(r"^```json\n(.*?)^```", readme, re.M | re.S)
        for entry in json.loads(body).get("mcpServers", {}).values()
        if "url" in entry
    ]
    assert config["type"] == "http" and config["url"] == "http://127.0.0.1:8000/mcp"
    fill = {"your-mcp-token": TOKEN, "your-key": ALICE}
    headers = {name: re.sub("|".join(fill), lambda m: fill[m[0]], value) for name, value in config["headers"].items()}
    env = {"LINKUP_MCP_TOKEN": TOKEN, "LINKUP_CLIENT_KEYS": "1"}
    with FakeApi() as api, http_server({"LINKUP_BASE_URL": api.base_url, **env}) as (url, _):
        async with mcp_client(url, headers) as client:
            result = await client.call_tool("profiles_get_me", {"account_id": "acc_1"})
    assert result.is_error is False
    assert [r.headers["x-api-key"] for r in api.requests] == [ALICE]


async def test_webhook_subscription_over_http_and_clean_shutdown_while_following() -> None:
    """A hosted deployment's client is told of webhook events over the standalone SSE stream; the
    server then stops (SIGTERM) with the follower still running, exiting 0 (checked by http_server)."""
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(message.params.uri)

    with SandboxServer(SandboxConfig(event_delay_s=3600)) as sandbox:
        env = env_for(sandbox, LINKUP_TOOLSETS="webhooks")
        admin = httpx2.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.api_key})
        with admin, http_server(env) as (url, _):
            async with (
                httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=300)) as http,
                Client(streamable_http_client(url, http_client=http), mode="legacy", message_handler=on_message) as c,
            ):
                created = (await c.call_tool("webhooks_create", {})).structured_content
                uri = f"linkup://webhooks/{created['data']['webhook_id']}/events"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    await c.subscribe_resource(uri)
                await anyio.to_thread.run_sync(lambda: admin.post("/_sandbox/events", json={"type": "message"}))
                with anyio.fail_after(10):
                    while not updates:
                        await anyio.sleep(0.02)
            # The client has left (its session closed): the server stops following.
            with anyio.fail_after(10):
                while sandbox.state.streams:
                    await anyio.sleep(0.05)
    assert updates == [uri]
