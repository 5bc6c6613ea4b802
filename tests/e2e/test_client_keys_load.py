"""Bounded under hostile clients (issue 17, item 4): with LINKUP_CLIENT_KEYS each new key opened a
runtime (a ledger file, an HTTP pool) and kept it; a few hundred junk keys exhausted the file
descriptors and every new user failed until restart. The load test: thousands of junk keys over
loopback, a real user served during and after, file descriptors back to the baseline once the
idle runtimes are closed, and memory flat from one flood to the next."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts /proc fds")]

REAL = "lk_real_user_KEY_0123456789"
JUNK_PER_FLOOD = int(os.environ.get("LINKUP_LOAD_JUNK_KEYS", "1000"))
CONCURRENCY = 48
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


class KeyCheckingApi:
    """LinkupAPI on loopback: the real key is served, any other gets 403 INVALID_API_KEY."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.headers.get("x-api-key") == REAL:
                    status, body = (
                        200,
                        {"success": True, "data": {"public_id": "me"}, "metadata": {"credits_consumed": 1}},
                    )
                else:
                    status, body = (
                        403,
                        {"success": False, "error": {"code": "INVALID_API_KEY", "message": "Invalid API key"}},
                    )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 512
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def call(request_id: int, tool: str = "profiles_get_me") -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": tool, "arguments": ESTIMATE if tool == "credits_estimate" else {}},
    }


ESTIMATE = {"tool": "profiles_get", "arguments": {"profile_url": "https://www.linkedin.com/in/x"}}


def answer_of(response: httpx2.Response) -> dict[str, Any]:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return json.loads(next(line[5:] for line in response.text.splitlines() if line.startswith("data:")))
    return response.json()


async def test_a_flood_of_junk_keys_cannot_lock_out_a_real_user(tmp_path: Path) -> None:
    api = KeyCheckingApi()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")},
        "LINKUP_CLIENT_KEYS": "true",
        "LINKUP_CLIENT_KEY_RUNTIMES": "16",
        "LINKUP_CLIENT_KEY_IDLE": "1",
        "LINKUP_BASE_URL": api.url,
        "LINKUP_ACCOUNT_ID": "acc_1",
        "LINKUP_LEDGER": str(tmp_path / "ledger.sqlite3"),
        "LINKUP_MAX_RETRIES": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "linkup_mcp", "--transport", "http", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        limits = httpx2.Limits(max_connections=CONCURRENCY + 4, max_keepalive_connections=CONCURRENCY + 4)
        async with httpx2.AsyncClient(timeout=60, limits=limits) as http:
            init = {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "load", "version": "1"},
                },
            }
            started = await http.post(url, headers=HEADERS, json=init)
            session = {
                **HEADERS,
                "mcp-session-id": started.headers["mcp-session-id"],
                "mcp-protocol-version": "2025-06-18",
            }
            await http.post(url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
            ids = iter(range(1, 10**9))

            async def as_key(key: str, tool: str = "profiles_get_me") -> dict[str, Any]:
                message = call(next(ids), tool)
                return answer_of(await http.post(url, headers={**session, "x-linkup-api-key": key}, json=message))

            async def real_user() -> float:
                begun = time.monotonic()
                answer = await as_key(REAL)
                assert "result" in answer and answer["result"]["structuredContent"]["ok"] is True, answer
                return time.monotonic() - begun

            async def flood(prefix: str, count: int = JUNK_PER_FLOOD) -> tuple[int, list[float], int]:
                junk = iter(f"junk_{prefix}_{i:06d}_key" for i in range(count))
                peak, waits, refused = 0, [], 0
                done = asyncio.Event()

                async def worker() -> None:
                    nonlocal refused
                    for i, key in enumerate(junk):
                        # Every tenth asks LinkupAPI (which refuses the key); the rest a local tool:
                        # each opens a runtime all the same.
                        answer = await as_key(key, "profiles_get_me" if i % 10 == 0 else "credits_estimate")
                        if "error" in answer:
                            assert "retry" in answer["error"]["message"], answer  # busy: every runtime in use
                            refused += 1
                        else:
                            envelope = answer["result"]["structuredContent"]
                            assert envelope["ok"] or envelope["error"]["code"] == "INVALID_API_KEY", answer

                async def watch() -> None:
                    nonlocal peak
                    while not done.is_set():
                        peak = max(peak, fds(proc.pid))
                        waits.append(await real_user())  # served all through the flood
                        await asyncio.sleep(0.05)

                watcher = asyncio.create_task(watch())
                await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
                done.set()
                await watcher
                return peak, waits, refused

            async def settled() -> int:
                """File descriptors once the idle runtimes are closed (idle 1 s, checked every 0.25 s)."""
                await asyncio.sleep(2.5)
                return fds(proc.pid)

            for _ in range(3):
                await real_user()
            await flood("warm", 200)  # the code paths and pools of a flood, warmed once
            baseline_fds, baseline_rss = await settled(), rss_mb(proc.pid)

            begun = time.monotonic()
            peak, waits, refused = await flood("one")
            after_one_fds, after_one_rss = await settled(), rss_mb(proc.pid)
            peak2, waits2, _ = await flood("two")
            after_two_fds, after_two_rss = await settled(), rss_mb(proc.pid)
            for extra in range(int(os.environ.get("LINKUP_LOAD_EXTRA_FLOODS", "0"))):
                await flood(f"extra{extra}")
                print("extra flood", extra, await settled(), rss_mb(proc.pid))
            elapsed = time.monotonic() - begun
            final = await real_user()
    finally:
        proc.terminate()
        code = proc.wait(30)
        api.server.shutdown()
    assert code == 0
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert "Traceback" not in stderr and "Too many open files" not in stderr
    report = {
        "junk keys": 2 * JUNK_PER_FLOOD,
        "seconds": round(elapsed, 1),
        "fds baseline/peak/after": (baseline_fds, max(peak, peak2), after_one_fds, after_two_fds),
        "rss MB baseline/after one/after two": (round(baseline_rss), round(after_one_rss), round(after_two_rss)),
        "real user p max s": round(max(waits + waits2), 2),
        "busy refusals": refused,
    }
    print(report)
    assert max(peak, peak2) <= baseline_fds + 16 * 6 + 20, report  # 16 runtimes at most, a few fds each
    assert after_one_fds <= baseline_fds + 4 and after_two_fds <= baseline_fds + 4, report  # back to flat
    assert after_two_rss - after_one_rss < 15, report  # a second flood costs no more memory
    assert max(waits + waits2) < 10 and final < 2, report
    assert elapsed < 240, report  # bounded in time too
