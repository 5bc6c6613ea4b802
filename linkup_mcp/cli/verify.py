"""`linkup-mcp verify`: does the real API still answer the way its documentation says?

Calls a small, fixed set of read-only actions — the free ones first, then cheap paid ones while
they fit in `--max-credits` (default 5) — through the same pipeline as a tool call, and prints
per action: ok, the drift the pipeline's drift step found (missing, extra or renamed fields,
type changes, a charge other than the credit rule gives; see call/steps/drift.py), an error, or
skipped (over the cap). Exit status: 0 no drift, 1 drift, 2 nothing could be checked.
Every call is in the ledger like any other; drift also goes to its drift table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkup_mcp.config import Settings
from linkup_mcp.redact import Redactor
from linkup_mcp.spec.catalog import toolset_specs
from linkup_mcp.spec.credits import estimate

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime

DEFAULT_MAX_CREDITS = 5
# Free first (the key, the accounts, the balance, the webhooks), then the cheapest paid reads of
# documented answers, one result each: what an agent meets first.
PLAN: tuple[tuple[str, dict[str, Any]], ...] = (
    ("credits_get", {}),
    ("accounts_list", {"limit": 5}),
    ("accounts_get", {}),
    ("webhooks_list", {}),
    ("profiles_get_me", {}),
    ("network_list_connections", {"count": 1}),
    ("messages_list_inbox", {"count": 1}),
    ("network_list_invitations", {"count": 1}),
    ("network_list_sent", {"count": 1}),
    ("network_recommendations", {"count": 1}),
    ("profiles_get_viewers", {"count": 1}),
    ("mail_validate_email", {"email": "support@linkupapi.com"}),
)


@dataclass
class Result:
    tool: str
    status: str  # ok | drift | error | skipped
    detail: str = ""
    charged: int = 0

    def line(self) -> str:
        mark = {"ok": "✓", "drift": "✗", "error": "!", "skipped": "·"}[self.status]
        cost = f" ({self.charged} credit{'s' if self.charged != 1 else ''})" if self.status != "skipped" else ""
        return f"{mark} {self.tool}: {self.status}{cost}" + (f" — {self.detail}" if self.detail else "")


def verify_settings(settings: Settings, max_credits: int) -> Settings:
    """Every toolset listed, nothing hidden, no cache (a cached answer proves nothing), no
    confirmation prompts, and this process's budget at the cap."""
    return settings.model_copy(
        update={
            "toolsets": list(toolset_specs()),
            "tools": None,
            "exclude_tools": None,
            "read_only": True,
            "tool_mode": "full",
            "cache_ttl": "0",
            "confirm": "off",
            "max_credits": max_credits,
        }
    )


async def check(runtime: Runtime, max_credits: int) -> list[Result]:
    results: list[Result] = []
    spent = 0
    for tool_name, args in PLAN:
        tool = runtime.catalog.get(tool_name)
        if tool is None:
            continue
        cost = estimate(tool.action.spec, args)
        if spent + cost > max_credits:
            results.append(Result(tool_name, "skipped", f"{cost} credit(s) would pass --max-credits {max_credits}"))
            continue
        envelope = await runtime.call(tool_name, args)
        charged = envelope["credits"]["charged"]
        spent += charged
        if not envelope["ok"]:
            error = envelope["error"]
            results.append(Result(tool_name, "error", f"{error['code']}: {error['message']}", charged))
        elif envelope.get("drift"):
            results.append(Result(tool_name, "drift", "; ".join(envelope["drift"]), charged))
        else:
            results.append(Result(tool_name, "ok", "", charged))
    return results


async def run_verify(settings: Settings, max_credits: int | None) -> int:
    from linkup_mcp.call.runtime import open_runtime

    cap = DEFAULT_MAX_CREDITS if max_credits is None else max_credits
    scrub = Redactor([settings.api_key_value()])
    where = "the built-in sandbox" if settings.sandbox else settings.base_url
    print(f"linkup-mcp verify: {where}, up to {cap} credits", flush=True)
    async with open_runtime(verify_settings(settings, cap)) as runtime:
        if runtime.client is None:
            print(f"✗ {runtime.not_configured}", file=sys.stderr)
            return 2
        results = await check(runtime, cap)
    for result in results:
        print(scrub.text(result.line()), flush=True)
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "drift", "error", "skipped")}
    spent = sum(r.charged for r in results)
    print(
        f"{counts['ok']} ok, {counts['drift']} drifted, {counts['error']} errors, {counts['skipped']} skipped; "
        f"{spent} credit(s) spent"
        + ("" if not counts["drift"] else ". The docs and the API disagree: please report the lines marked ✗.")
    )
    if counts["drift"]:
        return 1
    return 0 if counts["ok"] else 2
