"""The result envelope every tool returns as `structuredContent`, and its JSON Schema.

The schema is the `outputSchema` of every tool, so it is kept compact: it is paid in
context tokens on every tools/list.
"""

from __future__ import annotations

from typing import Any

from linkup_mcp.errors import ToolError

_INT_OR_NULL = {"type": ["integer", "null"]}

OUTPUT_SCHEMA: dict[str, Any] = {
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
        "truncated": {"type": "object", "description": "present only when data was cut to LINKUP_MAX_RESULT_BYTES"},
        "has_more": {"type": "boolean", "description": "list tools only: whether `next` leads to more results"},
        "files": {
            "type": "array",
            "description": "present only when the result holds files, attached as embedded resources",
            "items": {"type": "object"},
        },
    },
    "required": ["ok", "tool", "account_id", "data", "error", "credits", "next", "sandbox"],
}


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
    truncated: dict[str, Any] | None = None,
    files: list[dict[str, Any]] | None = None,
    has_more: bool | None = None,
) -> dict[str, Any]:
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
    # extensions of the contract's envelope, present only when they apply
    if has_more is not None:
        envelope["has_more"] = has_more
    if truncated is not None:
        envelope["truncated"] = truncated
    if files:
        envelope["files"] = files
    return envelope
