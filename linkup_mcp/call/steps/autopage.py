"""Paging: with `max_credits`, page through the rest of the pipeline until the list ends or the
next page would pass the cap (the last page shrinks rather than overspend); otherwise one page,
with a progress heartbeat while it runs. Either way `next_args` says how to go on.

Pages-style searches (`start_page`/`end_page`, 50 results a page) are paged by whole API pages:
a window can only start at a page's first result, so a request ending mid-page would make the next
one ask for, and pay for, the same results again. Only a start mid-page that was not ours (a `next`
with `skip`, a short page the API says is not the last) re-reads; the estimate and the cap count
those results and `auto_pages.reread` says how many were paid for again."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.heartbeat import heartbeat
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.pagination import NextRequest, advance, has_more, page_size, pages_request, pages_step
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.spec.credits import estimate, requested_results
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


def _results(call: Call, credits: int | None) -> int | None:
    """How many results `credits` buy under a per-result rule (None: no limit, or no such rule)."""
    rule = call.spec.credits.per_results
    if credits is None or rule is None:
        return None
    return max(0, credits) // rule.credits * rule.every


async def _grow(call: Call) -> int | None:
    """Credits one request may take before a budget gate refuses it: a pages window is grown to
    the end of its API page only that far (never below what the agent asked for)."""
    rt = call.rt
    limits = [rt.guards.max_credits_per_call, rt.meter.remaining(), await blocking(rt.daily_left)]
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


async def _fit(call: Call, current: dict[str, Any], room: int, step: int, size: int) -> NextRequest | None:
    """The next request within `room` credits, or None when none fits."""
    spec = call.spec
    rule = spec.credits.per_results
    if spec.pagination.style is PaginationStyle.pages:
        planned = pages_request(
            spec.pagination, current, size, step, _results(call, room), _results(call, await _grow(call))
        )
        return planned if planned is not None and estimate(spec, planned.args) <= room else None
    if estimate(spec, current) <= room:
        return NextRequest(current, 0)
    if rule is None or room < rule.credits:
        return None
    asked = requested_results(spec, current) or rule.default
    return NextRequest({**current, rule.param: min(asked, room // rule.credits * rule.every)}, 0)


def _too_small(call: Call, cap: int, current: dict[str, Any], size: int) -> ToolError:
    """Why not even one request fits: the cheapest one's price, and the results it would pay for
    again when it has to re-read."""
    spec, rule = call.spec, call.spec.credits.per_results
    need = rule.credits if rule is not None else estimate(spec, current)
    if spec.pagination.style is PaginationStyle.pages:
        cheapest = pages_request(spec.pagination, current, size, 1, None, 0)  # one new result
        need = estimate(spec, cheapest.args if cheapest is not None else current)
        if cheapest is not None and cheapest.reread:
            at, page = cheapest.reread, cheapest.args["start_page"]
            message = (
                f"max_credits={cap} does not cover one new result: LinkupAPI's pages start at their "
                f"first result, so reading on from result {at + 1} of page {page} pays again for the {at} "
                f"of it already returned ({need} credits for the next result); raise max_credits."
            )
            return ToolError(Code.BUDGET_EXCEEDED, message)
    message = (
        f"max_credits={cap} does not cover one page ({need} credits); raise max_credits or ask for a smaller page."
    )
    return ToolError(Code.BUDGET_EXCEEDED, message)


async def _pages(call: Call, next: Next) -> Outcome:
    """Each page goes through every later step (budget, gates, ledger) like a call of its own.
    No `max_results`: a bigger page size does that in one call, and each schema property costs
    tokens on every turn."""
    spec = call.spec
    cap = int(call.args["max_credits"])
    key = spec.pagination.items or ""
    current = {k: v for k, v in call.args.items() if k != "max_credits"}
    size = page_size(spec.pagination)  # the answers' own page size, once one reports it
    rule = spec.credits.per_results
    step = pages_step(spec.pagination, current, rule.default if rule else size)
    items: list[Any] = []
    drifted: list[str] = []  # what any page's answer did differently from the docs
    spent = estimated = pages = reread = 0
    last: Outcome | None = None
    stopped = "end"
    while True:
        fit = await _fit(call, current, cap - spent, step, size)
        if fit is None:
            stopped = "max_credits"
            break
        request, again = fit
        outcome = await next(call.with_args(request))
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
        size = page_size(spec.pagination, outcome.data)
        raw = outcome.data.get(key) if isinstance(outcome.data, dict) else None
        reread += min(again, len(raw)) if isinstance(raw, list) else 0
        outcome.data, following = advance(spec.pagination, request, outcome.data)
        drifted.extend(outcome.extras.get("drift") or [])
        page = outcome.data.get(key) if isinstance(outcome.data, dict) else None
        items.extend(page if isinstance(page, list) else [])
        if call.progress is not None:
            await call.progress(pages, None, f"{call.name}: page {pages}, {len(items)} results, {spent} credits")
        if following is None:
            break
        if not page:  # the API says "more" yet gave nothing new: do not loop on it, nor call it the end
            stopped = "no new results"
            if spec.pagination.style is not PaginationStyle.pages:
                current = following  # a cursor or offset the API moved on; a window would step back
            break
        current = following
    if last is None:  # not even one page fits
        return Outcome(error=_too_small(call, cap, current, size))
    data = {**last.data, key: items} if isinstance(last.data, dict) else last.data
    report = {"pages": pages, "results": len(items), "credits": spent, "stopped": stopped}
    if reread:
        report["reread"] = reread
    extras: dict[str, Any] = {"auto_pages": report}
    if drifted:
        extras["drift"] = list(dict.fromkeys(drifted))
    resume = None if stopped == "end" else current  # an error stop resumes at the failed page
    extras["has_more"] = resume is not None
    return Outcome(data=data, charged=spent, extras=extras, estimated=estimated, next_args=resume)
