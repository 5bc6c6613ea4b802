"""The estimate from the spec's credit rule, and the per-call cap (LINKUP_MAX_CREDITS_PER_CALL)."""

from __future__ import annotations

from linkup_mcp.call.context import Call, Next
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.errors import Code
from linkup_mcp.spec.credits import estimate, rule_text


def over_cap(call: Call, estimated: int) -> str | None:
    cap = call.rt.guards.max_credits_per_call
    if cap is None or estimated <= cap:
        return None
    return (
        f"This call is estimated at {estimated} credits ({rule_text(call.spec.credits)}), above the "
        f"per-call cap of {cap} (LINKUP_MAX_CREDITS_PER_CALL). Ask for fewer results, or page with next."
    )


async def step(call: Call, next: Next) -> Outcome:
    call.estimated = estimate(call.spec, call.args)
    refusal = over_cap(call, call.estimated)
    if refusal:
        return await call.refuse(Code.BUDGET_EXCEEDED, refusal)
    outcome = await next(call)
    outcome.estimated = call.estimated
    return outcome
