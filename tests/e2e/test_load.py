"""1,000 tool calls, 50 in flight at a time, through one real `linkup-mcp` process against the
sandbox: only the expected errors, no 429 from the API, every call in the ledger, memory flat."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.store.ledger import Ledger
from tests.e2e.raw import RawServer

CALLS = 1_000
IN_FLIGHT = 50
FRIEND = "https://www.linkedin.com/in/victor-johnson"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def request(i: int) -> tuple[dict[str, object], str]:
    """The i-th call and the outcome it must get: mostly reads, some refused locally."""
    kind = i % 10
    if kind == 9:  # invalid arguments: refused before any request
        args: dict[str, object] = {"location": "Paris"}
        return _call(i, "profiles_search_people", args), "VALIDATION_ERROR"
    if kind == 8:  # an unknown profile: the API's own refusal
        return _call(i, "profiles_get", {"profile_url": f"https://www.linkedin.com/in/nobody-{i}"}), "TARGET_NOT_FOUND"
    tool, args = [
        ("profiles_get", {"profile_url": FRIEND}),
        ("profiles_search_people", {"keyword": "engineer", "total_results": 10}),
        ("network_list_connections", {"count": 20, "offset": i % 100}),
        ("messages_list_inbox", {"count": 5}),
        ("content_get_feed", {"total_results": 5}),
        ("mail_validate_email", {"email": f"user{i}@example.com"}),
        ("credits_estimate", {"tool": "profiles_search_people", "arguments": {"total_results": 30}}),
        ("network_check_invitation", {"profile_url": FRIEND}),
    ][kind]
    return _call(i, tool, args), "OK"


def _call(i: int, tool: str, args: dict[str, object]) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": tool, "arguments": args}}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for memory")
def test_thousand_calls_fifty_in_flight(tmp_path: Path) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    with SandboxServer() as sandbox:
        sandbox.state.rate_limit_per_minute = 6_000
        sandbox.state.set_balance(100_000)
        server = RawServer(
            {
                "LINKUP_API_KEY": sandbox.config.api_key,
                "LINKUP_BASE_URL": sandbox.base_url,
                "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
                "LINKUP_LEDGER": str(ledger_path),
                "LINKUP_RATE_LIMIT": "6000",
                "LINKUP_CACHE_TTL": "0",  # every call reaches the API (the cache has its own tests)
            }
        )
        server.handshake()
        expected: dict[int, str] = {}
        got: Counter[str] = Counter()
        wrong: list[tuple[int, str, str]] = []
        sent = received = 0
        rss_warm = 0
        while received < CALLS:
            while sent < CALLS and sent - received < IN_FLIGHT:
                message, outcome = request(sent)
                expected[sent] = outcome
                server.send(message)
                sent += 1
            answer = server.receive(timeout=30)
            received += 1
            envelope = answer["result"]["structuredContent"]
            outcome = "OK" if envelope["ok"] else envelope["error"]["code"]
            got[outcome] += 1
            if outcome != expected[answer["id"]]:
                wrong.append((answer["id"], expected[answer["id"]], outcome))
            if received == 200:
                rss_warm = rss_kib(server.proc.pid)
        rss_end = rss_kib(server.proc.pid)
        server.close_stdin()
        assert server.proc.wait(10) == 0
        statuses = Counter(r.status for r in sandbox.state.requests)

    assert wrong == []
    assert got == {"OK": 800, "VALIDATION_ERROR": 100, "TARGET_NOT_FOUND": 100}
    assert statuses[429] == 0  # the client-side limiter kept under the API's limit
    api_calls = sum(1 for i in range(CALLS) if i % 10 not in (6, 9))  # estimates and refusals stay local
    # (a not-found profile is a definite 400 CHANNEL_ERROR, TARGET_NOT_FOUND to the agent: not retried)
    assert len(sandbox.state.requests) == api_calls
    assert len(Ledger(str(ledger_path)).rows()) == CALLS - 100  # estimates are not calls; refusals are
    assert rss_end - rss_warm < 20 * 1024, (rss_warm, rss_end)  # KiB: memory flat after warm-up
