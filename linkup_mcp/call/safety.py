"""The safety settings in words, said the same way wherever an agent reads them before it sends:
the server instructions (mcp/instructions.py), credits_get's `this_server` and credits_estimate's
`sends`.

An agent cannot see LINKUP_CONFIRM: without these, an outreach call made "to get a preview"
sends when previews are off. So each says whether an outreach call sends at once, returns a
preview first, or waits for the user, and what pacing and the recipient cap leave today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.models import SideEffect

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime

# When a call that sends would send (credits_estimate's `sends`, credits_get's `outreach_sends`).
AT_ONCE = "at once"
PREVIEW_FIRST = "preview first (confirm_token)"
USER_CONFIRMS = "after the user confirms"

# Which number answers "how much did I spend today" (credits_get's keys keep their names).
SPENT_NOTE = "spent_today: every process on this ledger since 00:00 UTC; session_spent: this process"


def sends(mode: str, effect: SideEffect, *, token_given: bool = False) -> str | None:
    """When a call with this side effect sends under LINKUP_CONFIRM=`mode`; None for a read."""
    if effect is SideEffect.read:
        return None
    if mode == "all" or (mode == "outreach" and effect is SideEffect.outreach):
        return USER_CONFIRMS
    if mode == "preview" and effect is SideEffect.outreach and not token_given:
        return PREVIEW_FIRST
    return AT_ONCE


def effects(catalog: Catalog) -> set[SideEffect]:
    """The side-effect classes of the tools (or compact-mode actions) this catalog exposes."""
    return {t.action.spec.side_effect for t in catalog.tools.values()}


def outreach_kinds(catalog: Catalog) -> list[str]:
    """The pacing kinds of the exposed outreach tools, in config.DEFAULT_PACING order."""
    found = {t.action.spec.outreach.kind for t in catalog.tools.values() if t.action.spec.outreach is not None}
    return [k for k in ("invitation", "message", "engagement") if k in found]


def status(rt: Runtime) -> dict[str, Any]:
    """credits_get's safety settings (blocking: reads the ledger). The confirmation mode always;
    with outreach exposed, when it sends, what pacing leaves today for the default account (else
    the caps), and, when LINKUP_MAX_RECIPIENTS is set, the distinct recipients addressed."""
    out: dict[str, Any] = {"confirm": rt.confirm_mode}
    if SideEffect.outreach not in effects(rt.catalog):
        return out
    out["outreach_sends"] = sends(rt.confirm_mode, SideEffect.outreach)
    caps, account = rt.guards.pacing, rt.default_account
    if account is None:
        out["pacing_caps"] = dict(caps)
    else:
        used = rt.ledger.outreach_today(
            account
        )  # what is left is what an agent plans with; caps are in the instructions
        out["pacing_left_today"] = {
            "account_id": account,
            **{k: max(0, cap - used.get(k, 0)) for k, cap in caps.items()},
        }
    if rt.recipients.cap is not None:
        addressed = rt.recipients.addressed()
        out["max_recipients"] = rt.recipients.cap
        out["recipients_addressed"] = {k: addressed.get(k, 0) for k in caps}
    return out
