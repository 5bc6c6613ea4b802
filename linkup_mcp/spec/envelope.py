"""The result envelope every tool returns as `structuredContent`, its JSON Schema, and the text
an agent reads.

ENVELOPE_SCHEMA describes the contract's members; this server's optional extension members
(has_more, cache, shaped, truncated, files, empty — a search that found nothing: `{"filters":
the filters given, as given, "advice": what to widen}` —; see the README) are allowed by it but
not spelled out. Tools publish no `outputSchema` (MCP makes it optional, and it was paid in context tokens on
every tools/list): the server instructions name the members once, and results are tested
against ENVELOPE_SCHEMA.

`text_form` is the envelope as the text block carries it, which is what most clients hand the
model: the same members, less those at their empty value, as every result is paid in tokens.
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


def text_form(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope for the text block: members that say nothing are left out — `account_id`,
    `error` and `next` when null, `sandbox` when false, `credits.budget_remaining` when null and
    `credits.estimated` when equal to `charged`, `has_more` when false, a cache miss (`cache` with
    hit false: the answer was just fetched) — and `shaped` keeps only the paths that matched
    nothing and, for an assumed answer, its `known` paths (the agent knows which it asked for).
    `structuredContent` keeps every member."""
    out: dict[str, Any] = {}
    for key, value in envelope.items():
        if value is None and key in ("account_id", "error", "next"):
            continue
        if value is False and key in ("sandbox", "has_more"):
            continue
        if key == "credits" and isinstance(value, dict):
            value = {
                k: v
                for k, v in value.items()
                if not (k == "budget_remaining" and v is None) and not (k == "estimated" and v == value.get("charged"))
            }
        elif key == "cache" and isinstance(value, dict) and value.get("hit") is False:
            continue
        elif key == "shaped" and isinstance(value, dict):
            if not value.get("unmatched"):
                continue
            value = {k: v for k, v in value.items() if k in ("unmatched", "known")}
        out[key] = value
    return out


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
    cache, shaped, truncated, files, empty), each present only when it applies."""
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
