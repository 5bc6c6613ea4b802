"""The fault matrix: every injected fault x (a read, an outreach), against the sandbox over
loopback HTTP. Each row states the outcome, how many requests reached the API (no double send),
whether the outreach happened, the credits charged and counted, and the ledger row.
`docs/reliability.md` is rendered from these rows (UPDATE_SNAPSHOTS=1 rewrites it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from linkup_mcp.catalog import Catalog
from linkup_mcp.client import LinkupClient
from linkup_mcp.credits import CreditMeter
from linkup_mcp.dispatcher import Dispatcher
from linkup_mcp.retry import RetryPolicy
from linkup_mcp.sandbox import SandboxServer

pytestmark = pytest.mark.anyio

DOC = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
FRIEND = "https://www.linkedin.com/in/victor-johnson"
READ, SEND = "profiles_get", "messages_send"


@dataclass(frozen=True)
class Row:
    fault: str
    when: str  # before: nothing was done; after: the action ran, then the answer failed
    tool: str
    code: str  # envelope outcome: OK or error.code
    requests: int  # requests the API received for this one call
    happened: bool | None  # did the message arrive (outreach only)
    charged: int  # envelope credits.charged (the API's figure; 0 when unknown)
    counted: int  # credits counted against the budgets (session_spent)
    times: int = 1  # how many requests in a row the fault hits


ROWS = [
    Row("429", "before", READ, "OK", 2, None, 1, 1),
    Row("429", "before", SEND, "OK", 2, True, 1, 1),
    Row("429-no-retry-after", "before", READ, "OK", 2, None, 1, 1),
    Row("429-no-retry-after", "before", SEND, "OK", 2, True, 1, 1),
    Row("500", "before", READ, "OK", 2, None, 1, 1),
    Row("500", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("502", "before", READ, "OK", 2, None, 1, 1),
    Row("502", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("503", "before", READ, "OK", 2, None, 1, 1),
    Row("503", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("503", "before", READ, "INTERNAL_ERROR", 3, None, 0, 0, times=10),
    Row("timeout:2", "before", READ, "OK", 2, None, 1, 1),
    Row("timeout:2", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("drop", "before", READ, "OK", 2, None, 1, 1),
    Row("drop", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("malformed", "before", READ, "BAD_RESPONSE", 1, None, 0, 0),
    Row("malformed", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("html", "before", READ, "OK", 2, None, 1, 1),
    Row("html", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("success_false", "before", READ, "INTERNAL_ERROR", 1, None, 0, 0),
    Row("success_false", "before", SEND, "INTERNAL_ERROR", 1, False, 0, 0),
    Row("truncated", "before", READ, "OK", 2, None, 1, 1),
    Row("truncated", "before", SEND, "OUTCOME_UNKNOWN", 1, False, 0, 1),
    Row("drop", "after", SEND, "OUTCOME_UNKNOWN", 1, True, 0, 1),
    Row("timeout:2", "after", SEND, "OUTCOME_UNKNOWN", 1, True, 0, 1),
    Row("500", "after", SEND, "OUTCOME_UNKNOWN", 1, True, 0, 1),
    Row("malformed", "after", SEND, "OUTCOME_UNKNOWN", 1, True, 0, 1),
    Row("truncated", "after", SEND, "OUTCOME_UNKNOWN", 1, True, 0, 1),
]


async def _no_sleep(seconds: float) -> None:
    """Retry waits (Retry-After: 1, backoff) are the policy's business, not this suite's."""


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.fault}-{r.when}-{r.tool}-x{r.times}" for r in ROWS])
async def test_fault(catalog: Catalog, row: Row) -> None:
    with SandboxServer() as sandbox:
        sandbox.state.add_fault(row.fault, action=None, times=row.times, when=row.when)
        client = LinkupClient(
            base_url=sandbox.base_url,
            api_key=sandbox.config.api_key,
            timeout=0.3,
            policy=RetryPolicy(max_retries=2, deadline_s=10),
            sleep=_no_sleep,
        )
        d = Dispatcher(catalog, client=client, meter=CreditMeter(), default_account="acc_sandbox", cache_ttl="0")
        text = f"Checking in ({row.fault}, {row.when})"
        args = {"profile_url": FRIEND} if row.tool == READ else {"profile_url": FRIEND, "message_text": text}
        envelope = await d.call(row.tool, args)
        await client.aclose()
        messages = [m.text for c in sandbox.state.world.conversations.values() for m in c.messages]
        requests = len(sandbox.state.requests)
    code = "OK" if envelope["ok"] else envelope["error"]["code"]
    happened = (text in messages) if row.tool == SEND else None
    ledger = d.ledger.rows()[-1]
    assert (code, requests, happened) == (row.code, row.requests, row.happened)
    assert (envelope["credits"]["charged"], envelope["credits"]["session_spent"]) == (row.charged, row.counted)
    assert (ledger["tool"], ledger["outcome"], ledger["charged"]) == (row.tool, row.code, row.counted)
    if code == "OUTCOME_UNKNOWN":
        assert "messages_get_conversation" in envelope["error"]["message"]  # how to check


def render() -> str:
    lines = [
        "# Reliability: the fault matrix",
        "",
        "Generated from `tests/test_fault_matrix.py` (`UPDATE_SNAPSHOTS=1 uv run pytest tests/test_fault_matrix.py`",
        "rewrites it); every row is asserted against the sandbox over loopback HTTP on each test run.",
        "",
        "Rules (see the README's Reliability section): 429 is retried for every action (it was not",
        "performed), honouring `Retry-After`; 5xx, timeouts and broken connections are retried only for",
        "reads; an outreach (or any write) is sent at most once, and when its fate is unknown the answer is",
        "`OUTCOME_UNKNOWN` with the tool to check. Retries here: at most 2 (the default is 3).",
        "",
        "- **when**: `before` = the API did nothing, then failed; `after` = the action ran, then the answer",
        "  was lost or garbled.",
        "- **requests**: how many reached the API for the one call (1 for every outreach failure: no",
        "  double send).",
        "- **charged**: the envelope's `credits.charged`, the API's figure (0 when the answer was lost);",
        "  **counted**: what the budgets and the ledger count: an unknown outcome counts its estimate,",
        "  since it may have been performed and billed.",
        "- A read answered with a body that is not JSON (`malformed`) is not retried automatically:",
        "  `BAD_RESPONSE` is marked retryable for the agent to decide. An explicit `success: false` is the",
        "  API saying it failed, so even for an outreach it is passed on as is.",
        "",
        "| fault | when | tool | outcome | requests | outreach happened | charged | counted | ledger |",
        "|---|---|---|---|---:|---|---:|---:|---|",
    ]
    for r in ROWS:
        fault = r.fault + (f" (x{r.times})" if r.times > 1 else "")
        happened = "—" if r.happened is None else ("yes" if r.happened else "no")
        lines.append(
            f"| `{fault}` | {r.when} | `{r.tool}` | `{r.code}` | {r.requests} | {happened} | {r.charged} "
            f"| {r.counted} | `{r.code}` |"
        )
    return "\n".join(lines) + "\n"


def test_reliability_doc_is_current() -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        DOC.write_text(render(), encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == render(), "docs/reliability.md is stale: UPDATE_SNAPSHOTS=1"
