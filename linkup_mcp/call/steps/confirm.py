"""LINKUP_CONFIRM=outreach|all: a human says yes before the request leaves, or nothing is sent."""

from __future__ import annotations

from linkup_mcp.call.confirmation import ask
from linkup_mcp.call.context import Call, Next
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.spec.catalog import CONTROL_ARGS
from linkup_mcp.spec.models import SideEffect

UNAVAILABLE = (
    "LINKUP_CONFIRM requires a human to confirm this call, but this MCP client does not support "
    "elicitation. Nothing was sent. Use a client with elicitation, or unset LINKUP_CONFIRM."
)


def needs_confirmation(call: Call) -> bool:
    effect, mode = call.spec.side_effect, call.rt.confirm_mode
    if mode == "all":
        return effect is not SideEffect.read
    return mode == "outreach" and effect is SideEffect.outreach


def prompt(call: Call) -> str:
    """What the human sees: the action, the account, every argument (credentials masked), the cost."""
    shown = {k: v for k, v in call.spec.masked(call.args).items() if k not in CONTROL_ARGS}
    lines = [f"{call.spec.title} ({call.name}) as account {call.account or '-'}, about {call.estimated} credit(s):"]
    lines += [f"  {k}: {v}" for k, v in shown.items()]
    return "\n".join(lines) + "\nSend it?"


async def step(call: Call, next: Next) -> Outcome:
    if needs_confirmation(call):
        answer = await ask(call.confirm, prompt(call))
        if answer == "unavailable":
            return Outcome(error=ToolError(Code.CONFIRMATION_UNAVAILABLE, UNAVAILABLE))
        if answer != "accept":
            return Outcome(
                error=ToolError(
                    Code.DECLINED, f"The user {answer}d this call in the confirmation prompt; nothing was sent."
                )
            )
    return await next(call)
