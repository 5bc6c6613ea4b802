"""Compact mode (LINKUP_TOOL_MODE=compact): three meta-tools instead of the full catalog.

An agent searches the actions, reads one action's schema and cost, then runs it. The run goes
through the same dispatcher as a direct tool call: same validation, budgets, duplicate
suppression, pacing, confirmation and envelope. Only the listing changes: a few hundred tokens
on every turn instead of the whole catalog.
"""

from __future__ import annotations

import re
from typing import Any

from linkup_mcp.spec.catalog import Catalog, CompiledTool, alternatives_line
from linkup_mcp.spec.credits import rule_text
from linkup_mcp.spec.envelope import OUTPUT_SCHEMA

SEARCH = "linkup_search_actions"
DESCRIBE = "linkup_describe_action"
RUN = "linkup_run_action"

_READ = {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False}

_ACTION = {"type": "string", "minLength": 1, "description": "Action name from linkup_search_actions"}


def definitions(toolsets: list[str]) -> list[dict[str, Any]]:
    """The meta-tools as MCP tool definitions; `toolsets` are the categories exposed."""
    return [
        {
            "name": SEARCH,
            "title": "Find LinkupAPI actions",
            "description": (
                "Find LinkedIn/B2B actions (profiles, messages, network, content, recruiter, mail, accounts, "
                "credits) by keywords. Returns each action's name, purpose, cost rule and side effect. "
                "Start here; then linkup_describe_action, then linkup_run_action.\nCost: free (local)."
            ),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Keywords, e.g. 'send message' or 'search people'"},
                    "category": {"type": "string", "enum": toolsets, "description": "Only this category"},
                    "limit": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 50,
                        "default": 8,
                        "description": "Max results",
                    },
                },
                "additionalProperties": False,
            },
            "outputSchema": OUTPUT_SCHEMA,
            "annotations": {"title": "Find LinkupAPI actions", **_READ},
        },
        {
            "name": DESCRIBE,
            "title": "Describe a LinkupAPI action",
            "description": (
                "Full description, input schema (every parameter), cost rule and side effect of one action, "
                "to build its arguments for linkup_run_action.\nCost: free (local)."
            ),
            "inputSchema": {
                "type": "object",
                "properties": {"action": _ACTION},
                "required": ["action"],
                "additionalProperties": False,
            },
            "outputSchema": OUTPUT_SCHEMA,
            "annotations": {"title": "Describe a LinkupAPI action", **_READ},
        },
        {
            "name": RUN,
            "title": "Run a LinkupAPI action",
            "description": (
                "Run one action with its arguments, validated against its schema; same result envelope, "
                "budgets and outreach safety as a direct tool. dry_run: true validates and estimates the "
                "cost without sending anything.\nCost: the action's own (see linkup_describe_action)."
            ),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "action": _ACTION,
                    "arguments": {"type": "object", "description": "The action's arguments, per its input schema"},
                    "dry_run": {"type": "boolean", "default": False, "description": "Only validate and estimate"},
                },
                "required": ["action"],
                "additionalProperties": False,
            },
            "outputSchema": OUTPUT_SCHEMA,
            "annotations": {
                "title": "Run a LinkupAPI action",
                "readOnlyHint": False,
                "destructiveHint": True,
                "idempotentHint": False,
                "openWorldHint": True,
            },
        },
    ]


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
