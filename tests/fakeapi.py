"""A scripted LinkupAPI stand-in on 127.0.0.1 for tests that need real loopback HTTP.

Each request is recorded (method, path, headers, JSON body); answers come from a queue of
scripted replies, or a default V2 success envelope echoing the action.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    requests: list[Recorded] = field(default_factory=list)
    replies: deque[tuple[int, Any]] = field(default_factory=deque)
    credits_per_call: int = 1

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                status, payload = fake.replies.popleft() if fake.replies else (200, fake.default(body))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def default(self, body: Any) -> dict[str, Any]:
        action = body.get("action") if isinstance(body, dict) else None
        return {
            "success": True,
            "data": {"echo": body},
            "metadata": {
                "action": action,
                "account_id": body.get("account_id") if isinstance(body, dict) else None,
                "credits_consumed": self.credits_per_call,
                "timestamp": "2026-11-25T12:00:00Z",
            },
        }

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
