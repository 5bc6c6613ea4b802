"""Definitions of the tools this server answers itself, without calling LinkupAPI (their
behaviour is in call/local.py): credits_estimate, webhooks_wait, and compact mode's meta-tools."""

from __future__ import annotations

from typing import Any

from linkup_mcp.spec.models import ID_PATTERN

ESTIMATE_TOOL: dict[str, Any] = {
    "name": "credits_estimate",
    "title": "Estimate a call's cost",
    "description": (
        "Estimate what a tool call would cost without making it: validates the arguments exactly as the "
        "real call would, and returns data{estimated (0 if cached), rule, fits_budget, budget_remaining, "
        "daily_remaining, sends, would_be_refused}. Use before large searches, batches and outreach."
        "\nCost: free (local; nothing is sent to LinkupAPI)."
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
    "annotations": {"readOnlyHint": True, "openWorldHint": False},
}


WAIT_TOOL: dict[str, Any] = {
    "name": "webhooks_wait",
    "title": "Wait for webhook events",
    "description": (
        "Wait up to timeout_s seconds for new events on a hosted webhook (a reply, an accepted "
        "invitation) and return them as soon as any arrive; by default only events after this call "
        "starts. Call again with the result's `next`: no event comes back twice."
        "\nCost: free (polls webhooks_events)."
    ),
    "inputSchema": {
        "type": "object",
        "properties": {
            "webhook_id": {"type": "string", "pattern": ID_PATTERN, "description": "Hosted webhook id"},
            "timeout_s": {
                "type": "integer",
                "minimum": 1,
                "maximum": 120,
                "default": 30,
                "description": "Longest wait, seconds",
            },
            "since": {"type": "string", "minLength": 1, "description": "ISO-8601: only events after it"},
            "seen": {
                "type": "array",
                "items": {"type": "string"},
                "description": "From next: event_ids already returned",
            },
        },
        "required": ["webhook_id"],
        "additionalProperties": False,
    },
    "annotations": {"readOnlyHint": True},
}

WAIT_POLLS = "webhooks_events"  # the API tool webhooks_wait polls (free)


# name -> (definition, toolset, read_only). No enum of tool names in credits_estimate: an unknown
# name is answered with the closest ones, and an enum of every tool costs ~200 tokens per listing.
LOCAL_TOOLS: dict[str, tuple[dict[str, Any], str, bool]] = {
    ESTIMATE_TOOL["name"]: (ESTIMATE_TOOL, "credits", True),
    WAIT_TOOL["name"]: (WAIT_TOOL, "webhooks", True),
}


# -- compact mode (LINKUP_TOOL_MODE=compact): four meta-tools instead of the full catalog -----------
# Reads and side effects run through separate meta-tools, each annotated for what it may do, so a
# client that asks permission for tools that are not read-only does not ask for every read.
# linkup_run_action still runs reads too (agents written before linkup_read_action keep working).

SEARCH = "linkup_search_actions"
DESCRIBE = "linkup_describe_action"
READ = "linkup_read_action"
RUN = "linkup_run_action"

# MCP's defaults (not read-only, open world) and idempotentHint on a read (meaningful only when not
# read-only) are left out: each costs tokens on every tools/list.
_READ = {"readOnlyHint": True, "openWorldHint": False}

_ACTION = {"type": "string", "minLength": 1, "description": "Action name from linkup_search_actions"}
_ARGUMENTS = {"type": "object", "description": "The action's arguments, per its input schema"}
_DRY_RUN = {"type": "boolean", "default": False, "description": "Only validate and estimate"}


def _runner(name: str, title: str, description: str, annotations: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "description": description,
        "inputSchema": {
            "type": "object",
            "properties": {"action": _ACTION, "arguments": _ARGUMENTS, "dry_run": _DRY_RUN},
            "required": ["action"],
            "additionalProperties": False,
        },
        "annotations": annotations,
    }


def meta_definitions(toolsets: list[str]) -> list[dict[str, Any]]:
    """The meta-tools as MCP tool definitions; `toolsets` are the categories exposed."""
    return [
        {
            "name": SEARCH,
            "title": "Find LinkupAPI actions",
            "description": (
                "Find LinkedIn/B2B actions (profiles, messages, network, content, recruiter, mail, accounts, "
                "credits) by keywords. Returns each action's name, purpose, params (* = required), cost rule, "
                "side effect and the meta-tool that runs it (run_with). Start here; linkup_describe_action "
                "gives the full schema.\nCost: free (local)."
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
            "annotations": _READ,
        },
        {
            "name": DESCRIBE,
            "title": "Describe a LinkupAPI action",
            "description": (
                "Full description, input schema (every parameter), cost rule, side effect and run_with of one "
                "action, to build its arguments.\nCost: free (local)."
            ),
            "inputSchema": {
                "type": "object",
                "properties": {"action": _ACTION},
                "required": ["action"],
                "additionalProperties": False,
            },
            "annotations": _READ,
        },
        _runner(
            READ,
            "Run a read-only LinkupAPI action",
            "Run one read action (side_effect read: searches, profiles, lists) with its arguments, validated "
            "against its schema; same result envelope and budgets as a direct tool. Refuses actions that send "
            "or change something (use linkup_run_action). dry_run: true only validates and estimates."
            "\nCost: the action's own.",
            {"readOnlyHint": True},  # it calls LinkupAPI: open world, MCP's default
        ),
        _runner(
            RUN,
            "Run a LinkupAPI action that sends or changes something",
            "Run one action with its arguments, validated against its schema; same result envelope, budgets "
            "and outreach safety as a direct tool. For actions that send or change something (reads: "
            "linkup_read_action). dry_run: true validates and estimates the cost without sending anything."
            "\nCost: the action's own.",
            {"destructiveHint": True},  # MCP's defaults otherwise: not read-only, open world
        ),
    ]
