"""The paid-read cache: a fresh answer to a lookup already paid for comes back free
(`fresh: true` asks the API again); a write that may have happened drops what it changes.
Keys and subjects name people by call/people.py, so every form of one profile URL is one entry;
an answer that carries a secret (an echoed key) is not kept."""

from __future__ import annotations

import json
from typing import Any

from linkup_mcp.call import people
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.redact import Redactor
from linkup_mcp.store.ledger import OUTCOME_UNKNOWN, Status
from linkup_mcp.store.read_cache import ReadCache


async def step(call: Call, next: Next) -> Outcome:
    cache, spec = call.rt.cache, call.spec
    if cache is None:
        return await next(call)
    args = people.keyed(call.rt, spec, call.args)
    key, ttl = _key(call, cache, args)
    if key is not None and not call.args.get("fresh"):
        found = await blocking(cache.get, key, ttl)
        if found is not None:
            data, age = found
            await blocking(call.record, Status.CACHE_HIT)  # estimated 0: free
            return Outcome(data=data, extras={"cache": {"hit": True, "age_s": int(age)}})
    outcome = await next(call)
    if key is not None and outcome.error is None and not _holds_secret(call, outcome.data):
        await blocking(cache.put, key, call.name, call.account, args, outcome.data, spec.subject)
        outcome.extras["cache"] = {"hit": False, "age_s": 0}
    # Only what may have happened changes anything: not a preview, not a refusal.
    sent = outcome.error is None and not outcome.extras.get("preview")
    if spec.invalidates and (sent or (outcome.error is not None and outcome.error.code == OUTCOME_UNKNOWN)):
        await blocking(cache.invalidate, spec.invalidates, call.account, args, spec.subject)
    return outcome


def _holds_secret(call: Call, data: object) -> bool:
    """The answer echoes the API key (or a credential argument), in any form: never stored."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    secrets = [v for k, v in call.args.items() if k in call.spec.secret_params and isinstance(v, str)]
    return call.rt.redactor.found_in(text) or (bool(secrets) and Redactor(secrets).found_in(text))


def _key(call: Call, cache: ReadCache, keyed: dict[str, Any]) -> tuple[str | None, int]:
    """The call's cache key (its params with people as their keys) and TTL; no key when not cached."""
    ttl = cache.ttl(call.name, call.spec.cache_ttl)
    return (cache.key(call.name, call.account, {k: keyed[k] for k in call.params}) if ttl else None), ttl


def cached(call: Call) -> bool:
    """Whether the cache would answer this call now, free (credits_estimate); blocking."""
    cache = call.rt.cache
    if cache is None or call.args.get("fresh"):
        return False
    key, ttl = _key(call, cache, people.keyed(call.rt, call.spec, call.args))
    return key is not None and cache.get(key, ttl) is not None
