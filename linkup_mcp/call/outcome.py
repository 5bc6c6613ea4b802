"""What one API call came to: data and charge, or an error, mapped from the API's reply or a
transport failure. A failure after the request may have reached the API is OUTCOME_UNKNOWN for a
side-effecting action (it may have happened; never resent). An API error keeps its message, as a
sentence, followed by what to do next; a refusal naming a lasting state gets that state's code
(errors.LASTING)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from linkup_mcp.api.client import Reply, TransportFailure
from linkup_mcp.errors import Code, ToolError, read_api_error, sentences
from linkup_mcp.spec.catalog import CompiledTool
from linkup_mcp.store.ledger import OK


@dataclass
class Outcome:
    data: Any = None
    error: ToolError | None = None
    charged: int = 0
    extras: dict[str, Any] = field(default_factory=dict)  # envelope extension members
    estimated: int = 0  # the pre-call estimate (0 when nothing would be charged: a cache hit, a refusal)
    next_args: dict[str, Any] | None = None  # the complete arguments of the next page
    charge_reported: bool = True  # False: a success without metadata.credits_consumed (charged = estimate)
    shows: str | None = None  # an API refusal's relation to the target (errors.LASTING), e.g. connected

    @property
    def code(self) -> str:
        return self.error.code if self.error else OK


def unknown_outcome(tool: CompiledTool, what: str) -> ToolError:
    """OUTCOME_UNKNOWN: what went wrong, and how to check before calling again. The spec's
    `verify_with` is quoted after a colon, as written: a clause ("X shows whether it was sent") or
    a tool with a remark ("accounts_get (status connected means it went through)") both read there."""
    verify = tool.action.spec.verify_with
    check = (
        f"Before calling {tool.name} again, check: {verify}"
        if verify
        else f"Before calling {tool.name} again, check whether it happened with the matching list or get tool"
    )
    return ToolError(
        Code.OUTCOME_UNKNOWN,
        sentences(what, "The action may or may not have happened; it was not retried.", check),
    )


def transport_error(tool: CompiledTool, exc: TransportFailure) -> ToolError:
    if exc.maybe_sent and not tool.action.read_only:
        return unknown_outcome(tool, f"No answer from LinkupAPI ({exc.kind}: {exc.detail}).")
    code = Code.TIMEOUT if exc.kind == "timeout" else Code.NETWORK_ERROR
    tries = f" after {exc.attempts} attempts" if exc.attempts > 1 else ""
    return ToolError(code, f"LinkupAPI could not be reached ({exc.detail}){tries}. Retry later; nothing was charged.")


def rate_limit_hint(reply: Reply) -> str:
    """How long to wait before calling again: the API's Retry-After when it sent one, else its
    rate window (a minute)."""
    if reply.retry_after is None:
        return Code.RATE_LIMITED.hint
    return f"LinkupAPI asks to wait {math.ceil(reply.retry_after)} s before the next call."


def from_reply(tool: CompiledTool, reply: Reply, estimated: int) -> Outcome:
    body, status = reply.body, reply.status
    side_effecting = not tool.action.read_only
    metadata = body.get("metadata") if body else None
    consumed = metadata.get("credits_consumed") if isinstance(metadata, dict) else None
    charged = consumed if isinstance(consumed, int) and not isinstance(consumed, bool) else None

    if body is not None and body.get("success") is True and 200 <= status < 300:
        # A success without metadata.credits_consumed: count the estimate so budgets stay safe.
        return Outcome(
            data=body.get("data"),
            charged=estimated if charged is None else charged,
            charge_reported=charged is not None,
        )
    error = body.get("error") if body else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        code, message = error["code"], str(error.get("message") or "")
        if side_effecting and (status >= 500 or code == Code.INTERNAL_ERROR):  # it may have happened
            what = f"LinkupAPI answered HTTP {status} {code} ({message})."
            return Outcome(error=unknown_outcome(tool, what), charged=charged or 0)
        # A refusal naming a lasting state (already connected, not a connection...) gets its own code.
        code, hint, shows = read_api_error(tool.name, code, message, status)
        if code == Code.RATE_LIMITED:
            hint = rate_limit_hint(reply)
        error = ToolError(code, sentences(message, hint), http_status=status)
        return Outcome(error=error, charged=charged or 0, shows=shows)
    # Not the V2 envelope: an HTML error page, invalid or truncated JSON, a proxy's answer.
    what = f"LinkupAPI answered HTTP {status} with a body that is not the V2 JSON envelope"
    detail = f": {reply.excerpt[:120]!r}" if reply.excerpt else "."
    if side_effecting and (status >= 500 or 200 <= status < 300):
        return Outcome(error=unknown_outcome(tool, what + detail))
    if status == 429:
        return Outcome(
            error=ToolError(Code.RATE_LIMITED, sentences("Rate limited by LinkupAPI", rate_limit_hint(reply)), 429)
        )
    return Outcome(error=ToolError(Code.BAD_RESPONSE, sentences(what + detail, "Retry later."), http_status=status))
