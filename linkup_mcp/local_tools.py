"""Tools answered by this server itself, without calling LinkupAPI."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from linkup_mcp.envelope import OUTPUT_SCHEMA
from linkup_mcp.webhook_wait import WAIT_TOOL

ESTIMATE_TOOL: dict[str, Any] = {
    "name": "credits_estimate",
    "title": "Estimate a call's cost",
    "description": (
        "Estimate what a tool call would cost without making it: validates the arguments exactly as the "
        "real call would, and returns data{estimated, rule, fits_budget, budget_remaining, daily_remaining}. "
        "Use before large searches or batches.\nCost: free (local; nothing is sent to LinkupAPI)."
    ),
    "inputSchema": {
        "type": "object",
        "properties": {
            "tool": {"type": "string", "minLength": 1, "description": "Tool name, e.g. profiles_search_people"},
            "arguments": {"type": "object", "description": "The arguments you would pass to that tool"},
        },
        "required": ["tool"],
        "additionalProperties": False,
    },
    "outputSchema": OUTPUT_SCHEMA,
    "annotations": {
        "title": "Estimate a call's cost",
        "readOnlyHint": True,
        "idempotentHint": True,
        "openWorldHint": False,
    },
}


def estimate_tool(api_tools: list[str]) -> dict[str, Any]:
    """credits_estimate; an unknown `tool` is answered with the closest names (an enum of every
    tool would cost ~200 tokens on every tools/list)."""
    return copy.deepcopy(ESTIMATE_TOOL)


# name -> (definition builder taking the exposed API tool names, toolset, read_only)
LOCAL_TOOLS: dict[str, tuple[Callable[[list[str]], dict[str, Any]], str, bool]] = {
    ESTIMATE_TOOL["name"]: (estimate_tool, "credits", True),
    WAIT_TOOL["name"]: (lambda api_tools: WAIT_TOOL, "webhooks", True),
}
