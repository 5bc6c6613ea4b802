"""Outreach safety and budgets beyond the process meter: what one call is checked against.

- per-call credit cap (LINKUP_MAX_CREDITS_PER_CALL): one call cannot spend a surprise amount;
- daily credit budget across processes (LINKUP_DAILY_CREDITS), kept in the ledger;
- duplicate suppression: the same outreach (action, account, target, text) within 24 h;
- pacing: per-account daily caps per outreach kind.

Default pacing caps, chosen conservatively (LinkedIn restricts accounts that send too much,
and its limits are not published; these stay well inside the figures commonly observed):
- invitation 20/day: LinkedIn allows roughly 100 invitations a week for most accounts;
  20 on each of 5 working days stays inside it without daily spikes.
- message 50/day: bursts of new messages trigger spam checks; 50 is a moderate day for an
  established account and plenty for agent-driven follow-ups.
- engagement 40/day (posts, comments, reactions, reposts): public activity at a human pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linkup_mcp.config import DEFAULT_PACING
from linkup_mcp.spec.models import ResolvedAction
from linkup_mcp.store.ledger import Admission, digest


@dataclass(frozen=True)
class Guards:
    max_credits_per_call: int | None = 50
    daily_credits: int | None = None
    pacing: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PACING))
    dedup_window_s: float = 24 * 3600


def outreach_key(action: ResolvedAction, account: str | None, args: dict[str, Any]) -> str | None:
    """Identity of an outreach call: same action, account, target and text ⇒ same key."""
    outreach = action.spec.outreach
    if outreach is None:
        return None
    target = {p: args.get(p) for p in outreach.target}
    text = {p: _normalise(args.get(p)) for p in outreach.text}
    return digest([action.tool, account, target, text])


def _normalise(value: Any) -> Any:
    # "Hi Jane" and "Hi  Jane " are the same message to the person who receives it.
    return " ".join(value.split()) if isinstance(value, str) else value


def admission(
    action: ResolvedAction, account: str | None, args: dict[str, Any], estimated: int, guards: Guards
) -> Admission:
    outreach = action.spec.outreach
    kind = outreach.kind if outreach else None
    return Admission(
        tool=action.tool,
        account=account,
        estimated=estimated,
        args_digest=digest(action.spec.masked(args)),
        dedup_key=outreach_key(action, account, args),
        dedup_window_s=guards.dedup_window_s,
        allow_duplicate=bool(args.get("allow_duplicate")),
        kind=kind,
        kind_cap=guards.pacing.get(kind) if kind else None,
        daily_budget=guards.daily_credits,
    )
