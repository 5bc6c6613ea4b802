"""Honest after a crash (issue 17, item 6): a send left PENDING by a process killed mid-call
(kill -9) is reported as OUTCOME_UNKNOWN with how to verify it, counts its estimate in budgets,
and is never sent again automatically — where before the next attempt said "still in flight"
for 24 hours."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.e2e.raw import RawServer

SEND = {"profile_url": "https://www.linkedin.com/in/jane-doe", "message_text": "Hi Jane"}


class HangingApi:
    """LinkupAPI that receives `send` and never answers it (the process is killed meanwhile);
    anything else gets a V2 success."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.sends = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                if body.get("action") == "send":
                    api.sends += 1
                    api.arrived.set()
                    threading.Event().wait(30)  # no answer before the process dies
                    return
                data = json.dumps({"success": True, "data": {}, "metadata": {"credits_consumed": 1}}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def call(request_id: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def test_a_send_a_killed_process_left_pending_is_outcome_unknown_counted_and_never_resent(tmp_path: Path) -> None:
    api = HangingApi()
    ledger = tmp_path / "ledger.sqlite3"
    env = {
        "LINKUP_API_KEY": "crash-test-key-0123456789",
        "LINKUP_BASE_URL": api.url,
        "LINKUP_ACCOUNT_ID": "acc_1",
        "LINKUP_LEDGER": str(ledger),
        "LINKUP_DAILY_CREDITS": "1",
    }
    first = RawServer(env)
    first.handshake()
    first.send(call(1, "messages_send", SEND))
    assert api.arrived.wait(30), "the send never reached the API"
    first.proc.kill()  # kill -9 mid-send
    first.proc.wait(10)
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT tool, outcome, estimated FROM calls").fetchall() == [("messages_send", "PENDING", 1)]

    second = RawServer(env)
    second.handshake()
    second.send(call(2, "messages_send", SEND))
    again = second.receive(30)["result"]["structuredContent"]
    second.send(call(3, "messages_send", {**SEND, "profile_url": "https://www.linkedin.com/in/bob"}))
    other = second.receive(30)["result"]["structuredContent"]
    second.close_stdin()
    assert second.proc.wait(10) == 0

    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED"
    message = again["error"]["message"]
    assert "unknown outcome" in message and "still in flight" not in message
    assert "messages_get_conversation" in message  # how to verify it
    # its estimate still counts: the daily budget of 1 credit is spent
    assert other["error"]["code"] == "BUDGET_EXCEEDED"
    assert api.sends == 1  # never sent again
    with sqlite3.connect(ledger) as db:
        rows = db.execute("SELECT outcome, estimated, charged FROM calls ORDER BY id").fetchall()
    assert rows[0] == ("OUTCOME_UNKNOWN", 1, 1)
    assert [r[0] for r in rows[1:]] == ["DUPLICATE_SUPPRESSED", "BUDGET_EXCEEDED"]
    api.server.shutdown()
