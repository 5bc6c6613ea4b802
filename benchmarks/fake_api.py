"""A LinkupAPI V2 stand-in on 127.0.0.1 with optional latency per request.

tests/fakeapi.py has no latency and records every request (memory grows with the run), so the
benchmarks carry their own: one thread per connection, so a slow reply never holds up another,
and a listen backlog deep enough for 100 connections opened at once. Run alone:
`python benchmarks/fake_api.py --latency 0.2` prints its base URL and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROFILE = {
    "name": "Jane Doe",
    "headline": "Head of Data at Example Corp",
    "location": "Paris, Île-de-France, France",
    "public_identifier": "jane-doe",
    "profile_url": "https://www.linkedin.com/in/jane-doe",
    "summary": "Builds data teams and platforms. Previously analytics lead at two scale-ups.",
    "industry": "Software Development",
    "experience": [
        {"title": "Head of Data", "company": "Example Corp", "start": "2021-03", "end": None},
        {"title": "Analytics Lead", "company": "Scale Up SAS", "start": "2017-09", "end": "2021-02"},
    ],
    "education": [{"school": "Université Paris-Saclay", "degree": "MSc Statistics", "end": "2017"}],
    "skills": ["SQL", "Python", "Data Engineering", "Team Leadership"],
}


def success_envelope(action: str | None, account_id: str | None) -> dict[str, Any]:
    """A V2 success reply, as the API sends it."""
    return {
        "success": True,
        "data": PROFILE,
        "metadata": {
            "action": action,
            "account_id": account_id,
            "credits_consumed": 1,
            "timestamp": "2026-11-25T12:00:00Z",
        },
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # listen backlog: a burst of connects must not hit SYN retries


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    disable_nagle_algorithm = True  # headers and body go out in two writes
    latency = 0.0
    latency_max = 0.0  # above `latency`: each reply waits a uniformly drawn time in between

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        wait = random.uniform(self.latency, self.latency_max) if self.latency_max > self.latency else self.latency
        if wait:
            time.sleep(wait)
        data = json.dumps(success_envelope(body.get("action"), body.get("account_id"))).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(latency: float, latency_max: float = 0.0) -> None:
    """Serve on a free loopback port, print the base URL, stop when stdin closes."""
    handler = type("Handler", (_Handler,), {"latency": latency, "latency_max": latency_max})
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    sys.stdin.read()
    server.shutdown()
    server.server_close()


class FakeApi:
    """`with FakeApi(latency=0.2) as api:` serves on `api.base_url` until the block ends.

    The fake runs in a process of its own, so its threads never hold the GIL that the benchmark's
    own timing (or its direct httpx2 client) needs, just as with a real remote API."""

    def __init__(self, latency: float = 0.0, latency_max: float = 0.0) -> None:
        self.latency, self.latency_max = latency, latency_max
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FakeApi:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--latency", str(self.latency), "--latency-max", str(self.latency_max)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.base_url = self._proc.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.__exit__()
            raise RuntimeError("the fake API did not start")
        return self

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
    parser = argparse.ArgumentParser(description="LinkupAPI V2 stand-in for the benchmarks")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each reply")
    parser.add_argument("--latency-max", type=float, default=0.0, help="draw each wait up to this (uniform)")
    ns = parser.parse_args()
    serve(ns.latency, ns.latency_max)
