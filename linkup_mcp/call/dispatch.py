"""One tool call, start to end: a locally answered tool goes to its handler, an API tool
through the pipeline (`call/pipeline.py`); either way the answer is one result envelope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkup_mcp.call import local, pipeline, validation
from linkup_mcp.call.context import Call
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.result_size import fit
from linkup_mcp.call.steps.account import account_of
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.redact import Redactor
from linkup_mcp.spec.catalog import CompiledTool
from linkup_mcp.spec.envelope import build

if TYPE_CHECKING:
    from linkup_mcp.call.confirmation import Confirm
    from linkup_mcp.call.heartbeat import Progress
    from linkup_mcp.call.runtime import Runtime

MAX_DEPTH = 200  # far beyond any real arguments, far below the recursion limit (~1,000)


class UnknownToolError(LookupError):
    """The tool is not in this runtime's catalog (unknown, or hidden by configuration)."""


async def call(
    rt: Runtime,
    name: str,
    arguments: dict[str, Any] | None,
    *,
    confirm: Confirm | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    args = dict(arguments or {})
    if _too_deep(args):
        problem = {"field": "(arguments)", "problem": f"nested deeper than {MAX_DEPTH} levels"}
        error = ToolError(Code.VALIDATION_ERROR, validation.summary([problem]), fields=[problem])
        return envelope(rt, name, None, Outcome(error=error))
    if name in rt.catalog.local:
        return await local.answer(rt, name, args, confirm, progress)
    tool = None if rt.catalog.compact else rt.catalog.get(name)  # compact: via linkup_run_action
    if tool is None:
        raise UnknownToolError(name)
    return await run_tool(rt, tool, args, confirm, progress)


async def run_tool(
    rt: Runtime,
    tool: CompiledTool,
    args: dict[str, Any],
    confirm: Confirm | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    account = account_of(tool.action, args, rt.default_account)
    done = await pipeline.run(Call(rt, tool, args, confirm, progress, account=account))
    result = envelope(rt, tool.name, account, done)
    secrets = [v for k, v in args.items() if k in tool.action.spec.secret_params and isinstance(v, str)]
    return Redactor(secrets).scrub(result) if secrets else result  # in case the API echoed a credential


def envelope(rt: Runtime, name: str, account: str | None, outcome: Outcome) -> dict[str, Any]:
    data, extras = outcome.data, dict(outcome.extras)
    if rt.max_result_bytes is not None and outcome.error is None:
        data, extras["truncated"] = fit(data, rt.max_result_bytes)
    return build(
        tool=name,
        account_id=account,
        data=data,
        error=outcome.error,
        charged=outcome.charged,
        estimated=outcome.estimated,
        session_spent=rt.meter.spent,
        budget_remaining=rt.meter.remaining(),
        next_args=outcome.next_args,
        sandbox=rt.sandbox,
        extensions=extras,
    )


def _too_deep(value: Any) -> bool:
    """Iterative, so a 5,000-level value cannot exhaust the recursion limit on the way."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return False
