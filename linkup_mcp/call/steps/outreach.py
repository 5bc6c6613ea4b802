"""Before outreach is sent: what the server already knows about the recipient (free: the relation
answers showed, call/relations.py), the recipient cap (LINKUP_MAX_RECIPIENTS), and the preview
(LINKUP_CONFIRM=preview) with its single-use token. After a send: the relation it creates (an
invitation is pending at once)."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call import people, relations
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.outreach import TOKEN_TTL_S, admission, gate_error, relation_error
from linkup_mcp.call.relations import Known
from linkup_mcp.call.steps.ledger import over_process_budget
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.spec.models import SideEffect
from linkup_mcp.store.ledger import Status


async def step(call: Call, next: Next) -> Outcome:
    outreach = call.spec.outreach
    if call.spec.side_effect is not SideEffect.outreach or outreach is None:
        return await next(call)
    rt = call.rt
    target = people.target(rt, call.spec, call.args)
    known = await _known(call, target)
    stop = _known_stop(call, target, known)
    token = call.args.get("confirm_token")
    previewing = rt.confirm_mode == "preview" and token is None
    if stop is None and previewing:
        return await preview(call, target, known)
    if stop is None and rt.confirm_mode == "preview":
        # Bound to the person, not the spelling of their URL: another form of it redeems the token.
        bound = people.keyed(rt, call.spec, call.params)
        stop = await blocking(rt.previews.redeem, str(token), call.action, call.account, bound)
    if stop is not None:
        refused = await call.refuse(stop.code, stop.message)
        if previewing:  # the same refusal as the real call, marked as the preview it answers
            refused.extras["preview"] = True
        return refused
    outcome = await next(call)
    # What the send created (an invitation is pending), or what the API's refusal told (already
    # connected): learnt, so the next attempt is answered free.
    sent = outcome.error is None
    learnt = relations.state_of(outreach.sets if sent else outcome.shows if outreach.refuse_when else None)
    if learnt is not None and target is not None:
        source = call.name if sent else f"LinkedIn's answer to {call.name}"
        data = outcome.data if sent and isinstance(outcome.data, dict) else {}
        invitation = data.get(outreach.invitation) if outreach.invitation else None  # what a withdrawal names
        fact = relations.Fact(learnt, source, call.args_digest if sent else None, invitation)
        await blocking(relations.record, rt, call.account, target, fact)
    return outcome


async def _known(call: Call, target: str | None) -> Known | None:
    """What answers showed about the target (a preview shows it; `refuse_when` may refuse on it)."""
    if target is None:
        return None
    known = await blocking(relations.known, call.rt, call.account, target)
    if known is not None and known.state == "none":
        call.dedup_after = known.ts  # the one-per-person guard counts from this answer on
    return known


def _known_stop(call: Call, target: str | None, known: Known | None) -> ToolError | None:
    """The free refusals: a known relation (unless allow_duplicate), the recipient cap."""
    stop = None if call.args.get("allow_duplicate") else relation_error(call.action, known, call.args_digest)
    return stop or call.rt.recipients.check(call.action, call.account, target)


async def _gate_stop(call: Call, target: str | None) -> ToolError | None:
    """What the ledger's gate and the process budget would refuse now, recording nothing."""
    rt = call.rt
    gate = admission(
        call.action, call.account, call.args, call.estimated, rt.guards, target, call.args_digest, call.dedup_after
    )
    blocked = await blocking(rt.ledger.peek, gate)
    if blocked is not None:
        return gate_error(call.spec, blocked)
    remaining = rt.meter.remaining()
    if remaining is not None and call.estimated > remaining:
        return ToolError(Code.BUDGET_EXCEEDED, over_process_budget(call))
    return None


async def predicted_refusal(call: Call) -> ToolError | None:
    """How the real call would be refused now, in the same words, or None (credits_estimate);
    records nothing. `call.estimated` must be set."""
    target = people.target(call.rt, call.spec, call.args)
    return _known_stop(call, target, await _known(call, target)) or await _gate_stop(call, target)


async def preview(call: Call, target: str | None, known: Known | None) -> Outcome:
    """What would be sent, to whom, at what cost, and the token to send it; a send a check would
    refuse gets that refusal (the same code and words as the real call), and no token."""
    rt, outreach, params = call.rt, call.spec.outreach, call.params
    error = await _gate_stop(call, target)
    if error is not None:
        refused = await call.refuse(error.code, error.message)
        refused.extras["preview"] = True
        return refused
    shown: dict[str, Any] = {
        "tool": call.name,
        "account_id": call.account,
        "recipient": {p: params[p] for p in (outreach.target if outreach else []) if p in params},
        "content": {p: params[p] for p in (outreach.text if outreach else []) if p in params},
        "estimated_credits": call.estimated,
    }
    if known is not None:  # what the free checks knew (e.g. no invitation, as an answer showed)
        shown["known_relation"] = {"state": known.state, "as_of": known.since()}
    token = await blocking(rt.previews.issue, call.action, call.account, people.keyed(rt, call.spec, params))
    data = {
        "sent": False,
        "preview": shown,
        "confirm_token": token,
        "expires_in_s": TOKEN_TTL_S,
        "next_step": "Show this to the user. To send, call the same "
        + (
            "action with the same arguments plus confirm_token in them"
            if rt.catalog.compact
            else "tool with the same arguments plus confirm_token"
        )
        + ". Changed arguments need a new preview.",
    }
    await blocking(call.record, Status.PREVIEW)
    return Outcome(data=data, extras={"preview": True}, estimated=call.estimated)
