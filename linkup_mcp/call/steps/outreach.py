"""Before outreach is sent: what is already known about the recipient (free), the recipient cap
(LINKUP_MAX_RECIPIENTS), and the preview (LINKUP_CONFIRM=preview) with its single-use token."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call import people
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.outreach import TOKEN_TTL_S, admission, known_invitation_state
from linkup_mcp.errors import ToolError
from linkup_mcp.spec.models import SideEffect
from linkup_mcp.store.ledger import Status


async def step(call: Call, next: Next) -> Outcome:
    if call.spec.side_effect is not SideEffect.outreach:
        return await next(call)
    rt = call.rt
    stop = None if call.args.get("allow_duplicate") else await blocking(known_state, call)
    stop = stop or rt.recipients.check(call.action, call.account, people.target(rt, call.spec, call.args))
    if stop is None and rt.confirm_mode == "preview":
        token = call.args.get("confirm_token")
        if token is None:
            return await preview(call)
        # Bound to the person, not the spelling of their URL: another form of it redeems the token.
        bound = people.keyed(rt, call.spec, call.params)
        stop = await blocking(rt.previews.redeem, str(token), call.action, call.account, bound)
    if stop is not None:
        return await call.refuse(stop.code, stop.message)
    return await next(call)


def known_state(call: Call) -> ToolError | None:
    """What a cached lookup already says about the recipient (the spec's `presend_check`), for free."""
    rt, check = call.rt, call.spec.presend_check
    source = rt.catalog.get(check.tool) if check else None
    who = call.args.get(check.param) if check else None
    if check is None or source is None or rt.cache is None or not isinstance(who, str):
        return None
    ttl = rt.cache.ttl(source.name, source.action.spec.cache_ttl)
    key = rt.cache.key(source.name, call.account, people.keyed(rt, source.action.spec, {check.param: who}))
    found = rt.cache.get(key, ttl) if ttl else None
    return known_invitation_state(found[0]) if found else None


async def preview(call: Call) -> Outcome:
    """What would be sent, to whom, at what cost, whether a gate would refuse it, and the token to send it."""
    rt, outreach, params = call.rt, call.spec.outreach, call.params
    target = people.target(rt, call.spec, call.args)
    gate = admission(call.action, call.account, call.args, call.estimated, rt.guards, target, call.args_digest)
    blocked = await blocking(rt.ledger.peek, gate)
    shown: dict[str, Any] = {
        "tool": call.name,
        "account_id": call.account,
        "recipient": {p: params[p] for p in (outreach.target if outreach else []) if p in params},
        "content": {p: params[p] for p in (outreach.text if outreach else []) if p in params},
        "estimated_credits": call.estimated,
        "would_be_refused": {"code": blocked.code, "message": blocked.message} if blocked else None,
    }
    token = await blocking(rt.previews.issue, call.action, call.account, people.keyed(rt, call.spec, params))
    data = {
        "sent": False,
        "preview": shown,
        "confirm_token": token,
        "expires_in_s": TOKEN_TTL_S,
        "next_step": "Show this to the user. To send, call the same tool with the same arguments plus "
        "confirm_token. Changed arguments need a new preview.",
    }
    await blocking(call.record, Status.PREVIEW)
    return Outcome(data=data, extras={"preview": True}, estimated=call.estimated)
