"""Compact mode (LINKUP_TOOL_MODE=compact): what its search and describe meta-tools answer
(their definitions are in spec/local_tools.py).

An agent searches the actions — each with its parameters, cost and the meta-tool that runs it,
so a simple call needs no describe — then runs it: reads with linkup_read_action, what sends or
changes something with linkup_run_action. The run goes through the same pipeline as a direct tool
call: same validation, budgets, duplicate suppression, pacing, confirmation and envelope. Only
the listing changes: a few hundred tokens on every turn instead of the whole catalog.
"""

from __future__ import annotations

import re
from typing import Any

from linkup_mcp.spec.catalog import Catalog, CompiledTool, alternatives_line
from linkup_mcp.spec.credits import rule_text
from linkup_mcp.spec.local_tools import READ, RUN
from linkup_mcp.spec.models import SideEffect

# Left out of a search result's `params`: the acting account (the server instructions say it once)
# and what only `next` sets.
_UNLISTED = ("account_id", "skip", "seen")


def purpose(tool: CompiledTool) -> str:
    """The first sentence of the description: what the action does."""
    text = " ".join(tool.action.spec.description.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def runner(tool: CompiledTool) -> str:
    """The meta-tool that runs this action: reads with the read-only one."""
    return READ if tool.action.spec.side_effect is SideEffect.read else RUN


def params(tool: CompiledTool) -> list[str]:
    """Parameter names, required ones marked `*` (`["profile_url*", "message"]`): enough to call an
    action with simple arguments without describing it first."""
    required = set(tool.input_schema.get("required", ()))
    names = [n for n in tool.input_schema.get("properties", {}) if n not in _UNLISTED]
    return [f"{n}*" if n in required else n for n in names]


def _summary(tool: CompiledTool) -> dict[str, Any]:
    spec = tool.action.spec
    out = {
        "action": tool.name,
        "title": spec.title,
        "purpose": purpose(tool),
        "params": params(tool),
        "cost": rule_text(spec.credits),
        "side_effect": spec.side_effect.value,
        "run_with": runner(tool),
    }
    if tool.alternatives:  # "give A or B": none of them is required alone
        out["give"] = alternatives_line(tool.alternatives).removeprefix("Give ").removesuffix(".")
    return out


def search(catalog: Catalog, args: dict[str, Any]) -> dict[str, Any]:
    """Actions ranked by how many query words they match (name and title count double)."""
    words = [w for w in re.split(r"[\s_,]+", str(args.get("query", "")).lower()) if w]
    category = args.get("category")
    scored: list[tuple[int, int, CompiledTool]] = []
    for order, tool in enumerate(catalog.tools.values()):
        if category and tool.action.category != category:
            continue
        spec = tool.action.spec
        strong = f"{tool.name} {spec.title}".lower()
        weak = spec.description.lower()
        score = sum(2 * (w in strong) + (w in weak) for w in words)
        if words and score == 0:
            continue
        scored.append((-score, order, tool))
    scored.sort(key=lambda s: (s[0], s[1]))
    limit = int(args.get("limit", 8))
    return {"actions": [_summary(t) for _, _, t in scored[:limit]], "total_matches": len(scored)}


def describe(tool: CompiledTool) -> dict[str, Any]:
    spec = tool.action.spec
    return {
        **_summary(tool),
        "description": " ".join([*spec.description.split(), alternatives_line(tool.alternatives)]).strip(),
        "pagination": spec.pagination.style.value,
        "input_schema": tool.input_schema,
    }
