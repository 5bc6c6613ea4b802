"""Which connected account acts, and whether a key and an account are configured."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.context import Call, Next
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.errors import Code
from linkup_mcp.spec.models import ResolvedAction

NO_ACCOUNT = "No account: pass account_id or set LINKUP_ACCOUNT_ID (list accounts with accounts_list)."


def account_of(action: ResolvedAction, args: dict[str, Any], default: str | None) -> str | None:
    """The route says whether the action acts as an account; `account_id` or the default says which."""
    mode = action.route.account
    given = args.get("account_id")
    if mode == "none":
        return None
    if mode == "optional":
        return given if isinstance(given, str) else None
    return given if isinstance(given, str) else default


async def step(call: Call, next: Next) -> Outcome:
    if call.rt.client is None:
        return await call.refuse(Code.NOT_CONFIGURED, call.rt.not_configured)
    if call.account is None and call.action.route.account in ("required", "path"):
        return await call.refuse(Code.NOT_CONFIGURED, NO_ACCOUNT)
    return await next(call)
