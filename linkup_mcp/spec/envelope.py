"""The result envelope every tool returns as `structuredContent`, and its JSON Schema.

The schema is the `outputSchema` of every tool, so it is kept compact: it is paid in
context tokens on every tools/list. It describes the contract's members; this server's
optional extension members (has_more, cache, shaped, truncated, files; see the README) are
allowed by it (no additionalProperties: false) but not spelled out, to save those tokens.
"""

from __future__ import annotations

from typing import Any

from linkup_mcp.errors import ToolError

_INT_OR_NULL = {"type": ["integer", "null"]}

ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "tool": {"type": "string"},
        "account_id": {"type": ["string", "null"]},
        "data": {"description": "the API's data object, unchanged; null on error"},
        "error": {
            "type": ["object", "null"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "retryable": {"type": "boolean"},
                "http_status": _INT_OR_NULL,
            },
            "required": ["code", "message", "retryable", "http_status"],
        },
        "credits": {
            "type": "object",
            "properties": {
                "charged": {"type": "integer"},
                "estimated": {"type": "integer"},
                "session_spent": {"type": "integer"},
                "budget_remaining": _INT_OR_NULL,
            },
            "required": ["charged", "estimated", "session_spent", "budget_remaining"],
        },
        "next": {"type": ["object", "null"], "description": "arguments for the next page, or null"},
        "sandbox": {"type": "boolean"},
    },
    "required": ["ok", "tool", "account_id", "data", "error", "credits", "next", "sandbox"],
}

# What tools/list publishes as every tool's outputSchema: the envelope's members and the types
# an agent branches on, without the nested detail of ENVELOPE_SCHEMA (~30 tokens instead of
# ~200, times 50 tools on every turn). Results are tested against ENVELOPE_SCHEMA.
OUTPUT_SCHEMA: dict[str, Any] = {"type": "object", "required": ENVELOPE_SCHEMA["required"]}


def build(
    *,
    tool: str,
    account_id: str | None,
    data: Any = None,
    error: ToolError | None = None,
    charged: int = 0,
    estimated: int = 0,
    session_spent: int = 0,
    budget_remaining: int | None = None,
    next_args: dict[str, Any] | None = None,
    sandbox: bool = False,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The contract's envelope; `extensions` adds this server's optional members (has_more,
    cache, shaped, truncated, files), each present only when it applies."""
    envelope = {
        "ok": error is None,
        "tool": tool,
        "account_id": account_id,
        "data": data if error is None else None,
        "error": error.to_dict() if error else None,
        "credits": {
            "charged": charged,
            "estimated": estimated,
            "session_spent": session_spent,
            "budget_remaining": budget_remaining,
        },
        "next": next_args,
        "sandbox": sandbox,
    }
    envelope.update({k: v for k, v in (extensions or {}).items() if v is not None})
    return envelope
