"""The books: the process budget (LINKUP_MAX_CREDITS), then the ledger's gate — daily budget,
duplicate outreach, pacing caps — and the call's row, written however the call ends.

A side-effecting call that was interrupted after its request may have left is recorded as
OUTCOME_UNKNOWN and counted at its estimate: it may have happened, so it blocks an identical
send and its credits stay spent.
"""

from __future__ import annotations

from linkup_mcp.call import people
from linkup_mcp.call.confirmation import InputRequired
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.outreach import admission, gate_error
from linkup_mcp.errors import Code, counted
from linkup_mcp.spec.credits import estimate, rule_text
from linkup_mcp.store.ledger import OK, OUTCOME_UNKNOWN, Refusal, Status
from linkup_mcp.store.records import fewer_results


async def step(call: Call, next: Next) -> Outcome:
    meter = call.rt.meter
    reservation = meter.reserve(call.estimated)  # concurrent calls cannot share the last credits
    if reservation is None:
        return await call.refuse(Code.BUDGET_EXCEEDED, over_process_budget(call))
    try:
        if call.action.read_only and call.rt.guards.daily_credits is None:
            return await _ungated(call, next)
        return await _gated(call, next)
    finally:
        meter.settle(reservation, call.spent)


async def _ungated(call: Call, next: Next) -> Outcome:
    """A read with no daily budget has nothing to check: one row once it is over."""
    outcome: Outcome | None = None
    try:
        outcome = await next(call)
        return outcome
    finally:
        code, call.spent = (outcome.code, outcome.charged) if outcome else (Status.CANCELLED, 0)
        await blocking(call.record, code, call.spent)


async def _gated(call: Call, next: Next) -> Outcome:
    rt = call.rt
    target = people.target(rt, call.spec, call.args, claim=True)  # one person, whichever form names them
    gate = await blocking(
        rt.ledger.admit,
        admission(
            call.action, call.account, call.args, call.estimated, rt.guards, target, call.args_digest, call.dedup_after
        ),
    )
    if isinstance(gate, Refusal):  # recorded by the ledger
        return Outcome(error=gate_error(call.spec, gate))
    outcome: Outcome | None = None
    unfinished: str = Status.CANCELLED  # until the request may leave, an interrupted call sent nothing
    try:
        outcome = await next(call)
        return outcome
    except InputRequired:
        unfinished = Status.AWAITING_CONFIRMATION
        raise
    finally:
        if outcome is not None:
            code = outcome.code
        else:
            code = OUTCOME_UNKNOWN if call.sending and not call.action.read_only else unfinished
        # A write that may have happened may have been charged: budgets count its estimate
        # (the envelope's `charged` stays the API's figure).
        call.spent = call.estimated if code == OUTCOME_UNKNOWN else outcome.charged if outcome else 0
        await blocking(rt.ledger.finish, gate, code, call.spent)
        if code in (OK, OUTCOME_UNKNOWN):
            rt.recipients.record(call.action, call.account, target)


def over_process_budget(call: Call) -> str:
    """Why LINKUP_MAX_CREDITS refuses this call, and what lets it through (a preview says it in
    the same words): fewer results where the cost counts them; else only the user, since this
    budget does not reset while the server runs."""
    left = call.rt.meter.remaining() or 0
    per = call.spec.credits.per_results
    fewer = fewer_results(per, left)
    if per and fewer and estimate(call.spec, {**call.args, per.param: 1}) > left:
        fewer = ""  # a surcharge leaves no room for even one result
    advice = (
        f"{fewer}, or ask the user for a higher LINKUP_MAX_CREDITS."
        if fewer
        else "This budget does not reset while the server runs: only a higher LINKUP_MAX_CREDITS, set by the "
        "user, lets it through."
    )
    return (
        f"This call is estimated at {counted(call.estimated, 'credit')} ({rule_text(call.spec.credits)}) but only "
        f"{left} of the LINKUP_MAX_CREDITS budget ({call.rt.meter.max_credits}) is left. {advice}"
    )
