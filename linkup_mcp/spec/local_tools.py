"""Tools answered by this server itself, without calling LinkupAPI."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.webhook_wait import WAIT_TOOL
from linkup_mcp.spec.envelope import OUTPUT_SCHEMA

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


# name -> (definition, toolset, read_only). No enum of tool names in credits_estimate: an unknown
# name is answered with the closest ones, and an enum of every tool costs ~200 tokens per listing.
LOCAL_TOOLS: dict[str, tuple[dict[str, Any], str, bool]] = {
    ESTIMATE_TOOL["name"]: (ESTIMATE_TOOL, "credits", True),
    WAIT_TOOL["name"]: (WAIT_TOOL, "webhooks", True),
}
