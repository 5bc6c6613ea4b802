"""The sandbox (linkup_mcp/sandbox) in a process of its own, each API answer held back by a latency
drawn between two bounds, as a real LinkupAPI call takes hundreds of milliseconds to seconds.

The request is performed (and counted against the rate limit) when it arrives and its answer waits
before it leaves: a real API counts a request at its arrival and spends its time working on it.
Admin routes (`/_sandbox/...`) answer at once. Run alone:
`python benchmarks/slow_sandbox.py --latency 0.3 --latency-max 1.5 --rate-limit 300` prints its
base URL and serves until stdin closes. `SlowSandbox` does that from a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

API_KEY = "sandboxkey"
ACCOUNT_ID = "acc_sandbox"


class HeldBack:
    """ASGI wrapper: answers of `/v2/...` are sent after a latency drawn in [low, high]."""

    def __init__(self, app: Any, low: float, high: float, seed: int | None = None):
        self.app, self.low, self.high = app, low, high
        self.random = random.Random(seed)
        self.drawn: list[list[float]] = []  # [arrival (time.time()), latency drawn] per API request

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("type") == "http" and path == "/_bench/latencies":
            body = json.dumps({"drawn": self.drawn}).encode()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope.get("type") != "http" or not path.startswith("/v2/") or path.endswith("/stream") or self.high <= 0:
            await self.app(scope, receive, send)
            return
        arrived = time.time()
        held: list[dict[str, Any]] = []

        async def hold(message: dict[str, Any]) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        wait = self.random.uniform(self.low, self.high) if self.high > self.low else self.low
        self.drawn.append([arrived, wait])
        await asyncio.sleep(wait)
        for message in held:
            await send(message)


def serve(low: float, high: float, rate_limit: int, seed: int) -> None:
    import uvicorn

    from linkup_mcp.sandbox.app import SandboxApp
    from linkup_mcp.sandbox.config import SandboxConfig
    from linkup_mcp.sandbox.state import SandboxState

    config = SandboxConfig(seed=seed, rate_limit_per_minute=rate_limit, api_key=API_KEY, account_id=ACCOUNT_ID)
    state = SandboxState(config)
    app = HeldBack(SandboxApp(state), low, high, seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, as the sandbox
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_config=None, log_level="warning", access_log=False, backlog=512)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    sys.stdin.read()
    state.close()
    server.should_exit = True
    thread.join(5)


class SlowSandbox:
    """`with SlowSandbox(0.3, 1.5, rate_limit=300) as api:` serves on `api.base_url`; `api.admin(...)`
    reads the sandbox's books (request log, balance)."""

    def __init__(
        self, low: float, high: float, *, rate_limit: int = 300, seed: int = 42, root: Path | None = None
    ) -> None:
        self.low, self.high, self.rate_limit, self.seed = low, high, rate_limit, seed
        self.root = root  # a checkout whose linkup_mcp.sandbox serves (default: the one installed)
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SlowSandbox:
        argv = [sys.executable, __file__, "--latency", str(self.low), "--latency-max", str(self.high)]
        argv += ["--rate-limit", str(self.rate_limit), "--seed", str(self.seed)]
        env = dict(os.environ)
        if self.root is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.root), env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        assert self._proc.stdout is not None
        self.base_url = self._proc.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.__exit__()
            raise RuntimeError("the sandbox did not start")
        return self

    def admin(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, headers={"x-api-key": API_KEY})
        if data is not None:
            request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def requests(self) -> list[dict[str, Any]]:
        """Every API request the sandbox received since it started (or its last reset)."""
        return list(self.admin("/_sandbox/requests")["requests"])

    def latencies(self) -> list[tuple[float, float]]:
        """(arrival as time.time(), latency drawn) of every API request, in arrival order."""
        return sorted((float(a), float(w)) for a, w in self.admin("/_bench/latencies")["drawn"])

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the sandbox with a drawn latency per API answer")
    parser.add_argument("--latency", type=float, default=0.3, help="shortest answer time, seconds")
    parser.add_argument("--latency-max", type=float, default=1.5, help="longest answer time, seconds")
    parser.add_argument("--rate-limit", type=int, default=300, help="requests per 60 s per key (0: none)")
    parser.add_argument("--seed", type=int, default=42, help="the sandbox world's seed (and the latencies')")
    ns = parser.parse_args()
    serve(ns.latency, ns.latency_max, ns.rate_limit, ns.seed)
