"""Error codes of the result envelope and whether retrying can help.

ToolError                         one failure, as the agent sees it (envelope `error`)
  API codes (passed through)      INVALID_API_KEY, INVALID_ACCOUNT, ACCOUNT_INACTIVE,
                                  INVALID_ACTION, INVALID_PARAMS, RATE_LIMITED,
                                  INSUFFICIENT_CREDITS, CHANNEL_ERROR, INTERNAL_ERROR
  local refusals (no request)     VALIDATION_ERROR, NOT_CONFIGURED, BUDGET_EXCEEDED, ...
  transport outcomes              TIMEOUT, NETWORK_ERROR, BAD_RESPONSE, OUTCOME_UNKNOWN
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Whether the same call may succeed if repeated later (the agent's hint, not our retry policy).
RETRYABLE: dict[str, bool] = {
    "INVALID_API_KEY": False,
    "INVALID_ACCOUNT": False,
    "ACCOUNT_INACTIVE": False,
    "INVALID_ACTION": False,
    "NOT_FOUND": False,  # an unknown id in a URL path (webhooks); seen in the sandbox, not in the error table
    "INVALID_PARAMS": False,
    "RATE_LIMITED": True,
    "INSUFFICIENT_CREDITS": False,
    "CHANNEL_ERROR": True,
    "INTERNAL_ERROR": True,
    "VALIDATION_ERROR": False,
    "NOT_CONFIGURED": False,
    "BUDGET_EXCEEDED": False,
    "TIMEOUT": True,
    "NETWORK_ERROR": True,
    "BAD_RESPONSE": True,
    "OUTCOME_UNKNOWN": False,
}

# What the agent should do next, appended to API messages that say only what failed.
HINTS: dict[str, str] = {
    "INVALID_API_KEY": "Check LINKUP_API_KEY (app.linkupapi.com).",
    "INVALID_ACCOUNT": "List valid account ids with accounts_list.",
    "ACCOUNT_INACTIVE": "Reconnect the LinkedIn account at app.linkupapi.com, then retry; accounts_get shows its status.",
    "INVALID_ACTION": "This action is not supported by the API; see tools/list.",
    "INSUFFICIENT_CREDITS": "Top up at app.linkupapi.com; check the balance with credits_get.",
    "RATE_LIMITED": "Wait and retry later.",
    "INTERNAL_ERROR": "Retry after a few seconds.",
    "CHANNEL_ERROR": "LinkedIn refused or failed the action; retry later or check LinkedIn directly.",
}


def is_retryable(code: str, http_status: int | None = None) -> bool:
    if code in RETRYABLE:
        return RETRYABLE[code]
    return http_status is not None and (http_status == 429 or http_status >= 500)


@dataclass
class ToolError:
    code: str
    message: str
    http_status: int | None = None
    retryable: bool | None = None
    fields: list[dict[str, str]] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "retryable": is_retryable(self.code, self.http_status) if self.retryable is None else self.retryable,
            "http_status": self.http_status,
        }
        if self.fields:
            out["fields"] = self.fields
        return out
