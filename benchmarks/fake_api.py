"""A LinkupAPI V2 stand-in on 127.0.0.1 with optional latency per request.

tests/fakeapi.py has no latency and records every request (memory grows with the run), so the
benchmarks carry their own: one thread per connection, so a slow reply never holds up another,
and a listen backlog deep enough for 100 connections opened at once.
"""

from __future__ import annotations

import json
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


class FakeApi:
    """`with FakeApi(latency=0.2) as api:` serves on `api.base_url` until the block ends."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests = 0  # a count only: recording bodies would grow memory over long runs
        self._count_lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                with fake._count_lock:
                    fake.requests += 1
                if fake.latency:
                    time.sleep(fake.latency)
                data = json.dumps(success_envelope(body.get("action"), body.get("account_id"))).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
