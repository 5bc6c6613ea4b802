"""Tools answered here, without their own request to LinkupAPI: a registry of handlers by name.

credits_estimate validates and prices a call without making it, and says when it would send;
webhooks_wait polls a hosted webhook until events arrive; compact mode's meta-tools search,
describe and run the actions (a run goes through the same pipeline as a direct tool; the
read-only one refuses an action that sends or changes something). Definitions: spec/local_tools.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from linkup_mcp.call import compact, dispatch, safety, validation
from linkup_mcp.call.context import Call, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.steps import cache as cache_step
from linkup_mcp.call.steps import outreach as outreach_step
from linkup_mcp.call.steps.account import account_of
from linkup_mcp.call.webhook_wait import wait_for_events
from linkup_mcp.errors import Code, ToolError, did_you_mean
from linkup_mcp.spec.catalog import CompiledTool
from linkup_mcp.spec.credits import estimate, rule_text
from linkup_mcp.spec.local_tools import DESCRIBE, ESTIMATE_TOOL, READ, RUN, SEARCH, WAIT_POLLS, WAIT_TOOL
from linkup_mcp.spec.models import PaginationStyle, SideEffect

if TYPE_CHECKING:
    from linkup_mcp.call.confirmation import Confirm
    from linkup_mcp.call.heartbeat import Progress
    from linkup_mcp.call.runtime import Runtime

Handler = Callable[["Runtime", dict[str, Any], "Confirm | None", "Progress | None"], Awaitable[dict[str, Any]]]


async def answer(
    rt: Runtime, name: str, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    found = validation.problems(rt.catalog.local[name]["inputSchema"], args)
    if not found and name in TARGETED:
        given = args.get(TARGETED[name])
        if given is not None and rt.catalog.get(str(given)) is None:
            found = [{"field": TARGETED[name], "problem": _unknown(rt, str(given))}]
    if found:
        error = ToolError(Code.VALIDATION_ERROR, validation.summary(found), fields=found)
        return dispatch.envelope(rt, name, None, Outcome(error=error))
    return await HANDLERS[name](rt, args, confirm, progress)


async def _estimate(
    rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    target = _target(rt, args["tool"])
    return await _priced(rt, ESTIMATE_TOOL["name"], target, dict(args.get("arguments") or {}))


async def _priced(rt: Runtime, name: str, target: CompiledTool, inner: dict[str, Any]) -> dict[str, Any]:
    """Validate `inner` exactly as the real call would, say what it would cost (0 when the cache
    would answer) and, for a call that sends, whether it would send at once or after a preview or
    the user's yes, or how the real call would be refused now (the same code and words); send
    nothing, record nothing."""
    account = account_of(target.action, inner, rt.default_account)
    found = validation.call_problems(target, inner)
    if found:
        error = ToolError(Code.VALIDATION_ERROR, validation.summary(found), fields=found)
        return dispatch.envelope(rt, name, account, Outcome(error=error))
    first = estimate(target.action.spec, inner)
    paged = target.action.spec.pagination.style is not PaginationStyle.none and "max_credits" in inner
    # Auto-paging spends up to max_credits, never more: that is the call's upper bound.
    call = Call(rt, target, inner, account=account, estimated=max(first, int(inner["max_credits"])) if paged else first)
    free = await blocking(cache_step.cached, call)  # a fresh cached answer: the real call costs 0
    if free:
        call.estimated = 0
    estimated = call.estimated
    remaining, daily_left, cap = rt.meter.remaining(), await blocking(rt.daily_left), rt.guards.max_credits_per_call
    fits = all(limit is None or estimated <= limit for limit in (cap, remaining, daily_left))
    refused = await outreach_step.predicted_refusal(call) if target.action.spec.outreach else None
    data = {
        "tool": target.name,
        "estimated": estimated,
        "cached": True if free else None,
        "would_be_refused": {"code": str(refused.code), "message": refused.message} if refused else None,
        "rule": rule_text(target.action.spec.credits),
        "fits_budget": fits,
        "budget_remaining": remaining,
        "daily_remaining": daily_left,
        "max_credits_per_call": cap,
        "side_effect": target.action.spec.side_effect.value,
        "sends": safety.sends(
            rt.confirm_mode, target.action.spec.side_effect, token_given=inner.get("confirm_token") is not None
        ),
    }  # a budget that is not configured is left out, not null (and `sends` on a read)
    return dispatch.envelope(rt, name, account, Outcome(data={k: v for k, v in data.items() if v is not None}))


async def _wait(
    rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    async def poll(poll_args: dict[str, Any]) -> dict[str, Any]:
        return await rt.run(WAIT_POLLS, poll_args)

    envelope = await wait_for_events(poll, args, interval_s=rt.wait_poll_s, progress=progress)
    return {**envelope, "tool": WAIT_TOOL["name"]}


async def _search(
    rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    return dispatch.envelope(rt, SEARCH, None, Outcome(data=compact.search(rt.catalog, args)))


async def _describe(
    rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    return dispatch.envelope(rt, DESCRIBE, None, Outcome(data=compact.describe(_target(rt, args["action"]))))


async def _run(rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None) -> dict[str, Any]:
    target, inner = _target(rt, args["action"]), dict(args.get("arguments") or {})
    if args.get("dry_run"):
        return await _priced(rt, RUN, target, inner)
    return await dispatch.run_tool(rt, target, inner, confirm, progress)


async def _read(
    rt: Runtime, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
) -> dict[str, Any]:
    """linkup_run_action for reads only: annotated read-only, so it must never send anything."""
    target = _target(rt, args["action"])
    effect = target.action.spec.side_effect
    if effect is not SideEffect.read:
        problem = (
            f"{target.name} is not a read (side effect: {effect.value}); {READ} runs only reads: "
            f"run it with {RUN}. Nothing was sent."
        )
        found = [{"field": "action", "problem": problem}]
        error = ToolError(Code.VALIDATION_ERROR, validation.summary(found), fields=found)
        return dispatch.envelope(rt, READ, None, Outcome(error=error))
    inner = dict(args.get("arguments") or {})
    if args.get("dry_run"):
        return await _priced(rt, READ, target, inner)
    return await dispatch.run_tool(rt, target, inner, confirm, progress)


HANDLERS: dict[str, Handler] = {
    ESTIMATE_TOOL["name"]: _estimate,
    WAIT_TOOL["name"]: _wait,
    SEARCH: _search,
    DESCRIBE: _describe,
    READ: _read,
    RUN: _run,
}
# Handlers whose argument names an API tool: an unknown name is refused with the closest ones.
TARGETED = {ESTIMATE_TOOL["name"]: "tool", DESCRIBE: "action", READ: "action", RUN: "action"}


def _target(rt: Runtime, name: str) -> CompiledTool:
    tool = rt.catalog.get(name)
    assert tool is not None  # `answer` refused unknown names
    return tool


def _unknown(rt: Runtime, given: str) -> str:
    hint = did_you_mean(given, rt.catalog.tools)
    hint += " " if hint else ""
    where = f"find actions with {SEARCH}" if rt.catalog.compact else "see tools/list"
    return f"unknown {'action' if rt.catalog.compact else 'tool'} {given!r}; {hint}({where})"
