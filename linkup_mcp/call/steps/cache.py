"""The paid-read cache: a fresh answer to a lookup already paid for comes back free
(`fresh: true` asks the API again); a write that may have happened drops what it changes."""

from __future__ import annotations

from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.store.ledger import OUTCOME_UNKNOWN, Status


async def step(call: Call, next: Next) -> Outcome:
    cache, spec = call.rt.cache, call.spec
    if cache is None:
        return await next(call)
    ttl = cache.ttl(call.name, spec.cache_ttl)
    key = cache.key(call.name, call.account, call.params) if ttl else None
    if key is not None and not call.args.get("fresh"):
        found = await blocking(cache.get, key, ttl)
        if found is not None:
            data, age = found
            await blocking(call.record, Status.CACHE_HIT)  # estimated 0: free
            return Outcome(data=data, extras={"cache": {"hit": True, "age_s": int(age)}})
    outcome = await next(call)
    if key is not None and outcome.error is None:
        await blocking(cache.put, key, call.name, call.account, call.args, outcome.data, spec.subject)
        outcome.extras["cache"] = {"hit": False, "age_s": 0}
    if spec.invalidates and (outcome.error is None or outcome.error.code == OUTCOME_UNKNOWN):
        await blocking(cache.invalidate, spec.invalidates, call.account, call.args, spec.subject)
    return outcome
