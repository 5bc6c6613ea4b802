"""Compact mode (LINKUP_TOOL_MODE=compact): what its search and describe meta-tools answer
(their definitions are in spec/local_tools.py).

An agent searches the actions, reads one action's schema and cost, then runs it. The run goes
through the same pipeline as a direct tool call: same validation, budgets, duplicate
suppression, pacing, confirmation and envelope. Only the listing changes: a few hundred tokens
on every turn instead of the whole catalog.
"""

from __future__ import annotations

import re
from typing import Any

from linkup_mcp.spec.catalog import Catalog, CompiledTool, alternatives_line
from linkup_mcp.spec.credits import rule_text


def purpose(tool: CompiledTool) -> str:
    """The first sentence of the description: what the action does."""
    text = " ".join(tool.action.spec.description.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _summary(tool: CompiledTool) -> dict[str, Any]:
    spec = tool.action.spec
    return {
        "action": tool.name,
        "title": spec.title,
        "purpose": purpose(tool),
        "cost": rule_text(spec.credits),
        "side_effect": spec.side_effect.value,
    }


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
