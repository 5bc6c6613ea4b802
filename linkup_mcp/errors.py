"""The error vocabulary of the result envelope: every code, whether retrying can help, and what
the agent should do next — in one table, used everywhere.

Code                              one failure kind (envelope `error.code`)
  API codes (passed through)      INVALID_API_KEY, INVALID_ACCOUNT, ACCOUNT_INACTIVE, INVALID_ACTION,
                                  NOT_FOUND, INVALID_PARAMS, RATE_LIMITED, INSUFFICIENT_CREDITS,
                                  CHANNEL_ERROR, INTERNAL_ERROR
  local refusals (nothing sent)   VALIDATION_ERROR, NOT_CONFIGURED, BUDGET_EXCEEDED, DUPLICATE_SUPPRESSED,
                                  PACING_LIMIT, RECIPIENT_LIMIT, ALREADY_CONNECTED, ALREADY_PENDING,
                                  CONFIRM_TOKEN_INVALID, DECLINED, CONFIRMATION_UNAVAILABLE
  transport outcomes              TIMEOUT, NETWORK_ERROR, BAD_RESPONSE, OUTCOME_UNKNOWN
ToolError                         one failure as the agent sees it: a code (or an API code we do not
                                  know yet, passed through), the message, the HTTP status

`retryable` tells the agent whether the same call may succeed if repeated later; it is not our
retry policy (api/retry.py), which never repeats a side effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Code(str, Enum):
    retryable: bool
    hint: str

    def __new__(cls, value: str, retryable: bool, hint: str = "") -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.retryable = retryable
        member.hint = hint
        return member

    # Shown as its value everywhere (f-strings, JSON), whatever the Python version.
    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    # -- LinkupAPI's codes, passed through with a hint appended to the API's message
    INVALID_API_KEY = ("INVALID_API_KEY", False, "Check LINKUP_API_KEY (app.linkupapi.com).")
    INVALID_ACCOUNT = ("INVALID_ACCOUNT", False, "List valid account ids with accounts_list.")
    ACCOUNT_INACTIVE = (
        "ACCOUNT_INACTIVE",
        False,
        "Reconnect the LinkedIn account at app.linkupapi.com, then retry; accounts_get shows its status.",
    )
    INVALID_ACTION = ("INVALID_ACTION", False, "This action is not supported by the API; see tools/list.")
    NOT_FOUND = ("NOT_FOUND", False)  # an unknown id in a URL path (webhooks); seen in the sandbox only
    INVALID_PARAMS = ("INVALID_PARAMS", False)
    RATE_LIMITED = ("RATE_LIMITED", True, "Wait and retry later.")
    INSUFFICIENT_CREDITS = (
        "INSUFFICIENT_CREDITS",
        False,
        "Top up at app.linkupapi.com; check the balance with credits_get.",
    )
    CHANNEL_ERROR = (
        "CHANNEL_ERROR",
        True,
        "LinkedIn refused or failed the action; retry later or check LinkedIn directly.",
    )
    INTERNAL_ERROR = ("INTERNAL_ERROR", True, "Retry after a few seconds.")
    # -- local refusals: nothing was sent, nothing charged
    VALIDATION_ERROR = ("VALIDATION_ERROR", False)
    NOT_CONFIGURED = ("NOT_CONFIGURED", False)
    BUDGET_EXCEEDED = ("BUDGET_EXCEEDED", False)
    DUPLICATE_SUPPRESSED = ("DUPLICATE_SUPPRESSED", False)
    PACING_LIMIT = ("PACING_LIMIT", False)
    RECIPIENT_LIMIT = ("RECIPIENT_LIMIT", False)
    ALREADY_CONNECTED = ("ALREADY_CONNECTED", False)
    ALREADY_PENDING = ("ALREADY_PENDING", False)
    CONFIRM_TOKEN_INVALID = ("CONFIRM_TOKEN_INVALID", False)
    DECLINED = ("DECLINED", False)
    CONFIRMATION_UNAVAILABLE = ("CONFIRMATION_UNAVAILABLE", False)
    # -- no usable answer
    TIMEOUT = ("TIMEOUT", True)
    NETWORK_ERROR = ("NETWORK_ERROR", True)
    BAD_RESPONSE = ("BAD_RESPONSE", True)
    OUTCOME_UNKNOWN = ("OUTCOME_UNKNOWN", False)  # it may have happened: verify, never repeat blindly


# Derived views, for readers that want a mapping.
RETRYABLE: dict[str, bool] = {code.value: code.retryable for code in Code}
HINTS: dict[str, str] = {code.value: code.hint for code in Code if code.hint}


def did_you_mean(given: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.5) -> str:
    """`did you mean a or b?` for the choices closest to `given`; "" when none is close.
    One wording for every refusal of an unknown name (tools, toolsets, enum values)."""
    import difflib  # only when something was misspelt

    close = difflib.get_close_matches(given, list(choices), n=n, cutoff=cutoff)
    return f"did you mean {' or '.join(close)}?" if close else ""


def is_retryable(code: str, http_status: int | None = None) -> bool:
    """From the table; an API code we do not know yet is judged by its HTTP status."""
    known = Code._value2member_map_.get(code)
    if isinstance(known, Code):
        return known.retryable
    return http_status is not None and (http_status == 429 or http_status >= 500)


@dataclass
class ToolError:
    code: str  # a Code, or an API code not in the table yet (passed through unchanged)
    message: str
    http_status: int | None = None
    retryable: bool | None = None
    fields: list[dict[str, str]] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": str(self.code),
            "message": self.message,
            "retryable": is_retryable(self.code, self.http_status) if self.retryable is None else self.retryable,
            "http_status": self.http_status,
        }
        if self.fields:
            out["fields"] = self.fields
        return out
