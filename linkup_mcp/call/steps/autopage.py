"""Paging: with `max_credits`, page through the rest of the pipeline until the list ends or the
next page would pass the cap (the last page shrinks rather than overspend); otherwise one page,
with a progress heartbeat while it runs. Either way `next_args` says how to go on."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.context import Call, Next
from linkup_mcp.call.heartbeat import heartbeat
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.pagination import advance, has_more
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.spec.credits import estimate
from linkup_mcp.spec.models import PaginationStyle


async def step(call: Call, next: Next) -> Outcome:
    if call.spec.pagination.style is not PaginationStyle.none and "max_credits" in call.args:
        return await _pages(call, next)
    async with heartbeat(call.progress, call.name):
        outcome = await next(call)
    if outcome.error is None and call.spec.pagination.style is not PaginationStyle.none:
        raw, pagination = outcome.data, call.spec.pagination
        outcome.data, outcome.next_args = advance(pagination, call.args, raw)
        outcome.extras["has_more"] = has_more(pagination, call.args, raw, outcome.next_args)
    return outcome


async def _pages(call: Call, next: Next) -> Outcome:
    """Each page goes through every later step (budget, gates, ledger) like a call of its own.
    No `max_results`: a bigger page size does that in one call, and each schema property costs
    tokens on every turn."""
    spec = call.spec
    cap = int(call.args["max_credits"])
    rule, key = spec.credits.per_results, spec.pagination.items or ""
    current = {k: v for k, v in call.args.items() if k != "max_credits"}
    items: list[Any] = []
    drifted: list[str] = []  # what any page's answer did differently from the docs
    spent = estimated = pages = 0
    last: Outcome | None = None
    stopped = "end"
    while True:
        if spent + estimate(spec, current) > cap:
            room = cap - spent
            if rule is None or room < rule.credits:
                stopped = "max_credits"
                break
            current[rule.param] = min(int(current.get(rule.param, rule.default)), room // rule.credits * rule.every)
        outcome = await next(call.with_args(current))
        pages += 1
        estimated += outcome.estimated
        if outcome.error is not None:
            if last is None:
                outcome.estimated = estimated
                return outcome
            stopped = f"error {outcome.error.code}"
            break
        spent += outcome.charged
        last = outcome
        outcome.data, following = advance(spec.pagination, current, outcome.data)
        drifted.extend(outcome.extras.get("drift") or [])
        page = outcome.data.get(key) if isinstance(outcome.data, dict) else None
        items.extend(page if isinstance(page, list) else [])
        if call.progress is not None:
            await call.progress(pages, None, f"{call.name}: page {pages}, {len(items)} results, {spent} credits")
        if following is None:
            break
        current = following
        if not page:  # an empty page that still says "more": do not loop on it
            break
    if last is None:  # not even one page fits
        message = (
            f"max_credits={cap} does not cover one page ({estimate(spec, current)} credits); "
            "raise max_credits or ask for a smaller page."
        )
        return Outcome(error=ToolError(Code.BUDGET_EXCEEDED, message))
    data = {**last.data, key: items} if isinstance(last.data, dict) else last.data
    extras: dict[str, Any] = {
        "auto_pages": {"pages": pages, "results": len(items), "credits": spent, "stopped": stopped}
    }
    if drifted:
        extras["drift"] = list(dict.fromkeys(drifted))
    resume = None if stopped == "end" else current  # an error stop resumes at the failed page
    extras["has_more"] = resume is not None
    return Outcome(data=data, charged=spent, extras=extras, estimated=estimated, next_args=resume)
