"""The error vocabulary of the result envelope: every code, whether retrying can help, and what
the agent should do next — in one table, used everywhere.

Code                              one failure kind (envelope `error.code`)
  API codes (passed through)      INVALID_API_KEY, INVALID_ACCOUNT, ACCOUNT_INACTIVE, INVALID_ACTION,
                                  NOT_FOUND, INVALID_PARAMS, RATE_LIMITED, INSUFFICIENT_CREDITS,
                                  CHANNEL_ERROR, INTERNAL_ERROR
  lasting states (API refusals)   ALREADY_CONNECTED, ALREADY_PENDING, NOT_CONNECTED, TARGET_NOT_FOUND,
                                  JOB_NOT_DRAFT, NOT_PAGE_ADMIN: read off the API's message (LASTING)
  local refusals (nothing sent)   VALIDATION_ERROR, NOT_CONFIGURED, BUDGET_EXCEEDED, DUPLICATE_SUPPRESSED,
                                  PACING_LIMIT, RECIPIENT_LIMIT, ALREADY_CONNECTED, ALREADY_PENDING,
                                  CONFIRM_TOKEN_INVALID, DECLINED, CONFIRMATION_UNAVAILABLE
  transport outcomes              TIMEOUT, NETWORK_ERROR, BAD_RESPONSE, OUTCOME_UNKNOWN
ToolError                         one failure as the agent sees it: a code (or an API code we do not
                                  know yet, passed through), the message, the HTTP status
LASTING, read_api_error           an API refusal that names a lasting state -> its own code and advice
sentences                         parts joined as well-formed sentences (the API's message, our advice),
                                  an advice sentence the message already says left out

`retryable` tells the agent whether repeating the same call soon, with nothing else changed, may
succeed (a rate limit, a server error, a lost answer). A refusal that passes only once something
changes — a reset time (PACING_LIMIT, a daily BUDGET_EXCEEDED), a reconnected account, a top-up,
a higher budget — is not retryable, and its message says when or what. It is not our retry policy
(api/retry.py), which never repeats a side effect. CHANNEL_ERROR's depends on the HTTP status: a
4xx is LinkedIn refusing this call, which fails the same way when repeated.

Lasting states. LinkupAPI reports what LinkedIn refuses as CHANNEL_ERROR, status "varies",
advice "Retry or check the platform directly" (V2 migration guide's error table; the V2
error-codes page does not list it), and documents none of the messages. An agent told "retry"
about an invitation to someone already connected retries, or gives up. So the reading is ours:
`LASTING` matches the message of a CHANNEL_ERROR or INVALID_PARAMS answered with a 4xx (never a
429 or 5xx: that is LinkedIn failing, whatever its words), case-insensitively and leniently
("already a connection", "already connected", "1st degree", "first-degree", "not connected"),
for the tools where the state can arise, and names the state with its own non-retryable code
and one sentence of advice (NOT_PAGE_ADMIN too: a CHANNEL_ERROR would not say what to change).
No page shows LinkedIn's wording, so the phrasings are a lenient guess, the same our sandbox
(linkup_mcp/sandbox/handlers) answers each state with, in the V2 error shape; a message no rule
knows stays CHANNEL_ERROR, and a new phrasing is one more alternative in its row.
docs/api-fidelity.md ("Refusals that name a lasting state") records the choice.
"""

from __future__ import annotations

import re
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
        "Reconnecting it is the user's step (app.linkupapi.com or linkup-mcp login); accounts_get shows when "
        "the account is connected again.",
    )
    INVALID_ACTION = ("INVALID_ACTION", False, "This action is not supported by the API; see tools/list.")
    NOT_FOUND = ("NOT_FOUND", False)  # an unknown id in a URL path (webhooks); seen in the sandbox only
    INVALID_PARAMS = ("INVALID_PARAMS", False)
    RATE_LIMITED = ("RATE_LIMITED", True, "Wait up to a minute before calling again.")
    INSUFFICIENT_CREDITS = (
        "INSUFFICIENT_CREDITS",
        False,
        "Top up at app.linkupapi.com. Check the balance with credits_get.",  # two: the API may say the first
    )
    CHANNEL_ERROR = (  # retryable for 429/5xx only (is_retryable); a 4xx gets CHANNEL_REFUSED_HINT
        "CHANNEL_ERROR",
        True,
        "LinkedIn failed the action; retry later or check LinkedIn directly.",
    )
    INTERNAL_ERROR = ("INTERNAL_ERROR", True, "Retry after a few seconds.")
    # -- local refusals: nothing was sent, nothing charged
    VALIDATION_ERROR = ("VALIDATION_ERROR", False)
    NOT_CONFIGURED = ("NOT_CONFIGURED", False)
    BUDGET_EXCEEDED = ("BUDGET_EXCEEDED", False)
    DUPLICATE_SUPPRESSED = ("DUPLICATE_SUPPRESSED", False)
    PACING_LIMIT = ("PACING_LIMIT", False)
    RECIPIENT_LIMIT = ("RECIPIENT_LIMIT", False)
    ALREADY_CONNECTED = ("ALREADY_CONNECTED", False)  # also read off an API refusal (LASTING)
    ALREADY_PENDING = ("ALREADY_PENDING", False)
    CONFIRM_TOKEN_INVALID = ("CONFIRM_TOKEN_INVALID", False)
    DECLINED = ("DECLINED", False)
    CONFIRMATION_UNAVAILABLE = ("CONFIRMATION_UNAVAILABLE", False)
    # -- lasting states LinkedIn refused (read off the API's message: LASTING); nothing happened
    NOT_CONNECTED = (
        "NOT_CONNECTED",
        False,
        "Only 1st-degree connections can be messaged: invite them first with network_invite (a note can go "
        "with it), and message them once they accept.",
    )
    TARGET_NOT_FOUND = (  # a profile, company, post or job; NOT_FOUND is an unknown id in a URL path
        "TARGET_NOT_FOUND",
        False,
        "Check the URL: LinkedIn shows this account nothing there; find the right one with a search "
        "(profiles_search_people, profiles_search_companies, content_search).",
    )
    JOB_NOT_DRAFT = (
        "JOB_NOT_DRAFT",
        False,
        "Drafts are made in LinkedIn Recruiter (no tool here creates one); recruiter_get_posts shows each job "
        "post's status.",
    )
    NOT_PAGE_ADMIN = (
        "NOT_PAGE_ADMIN",
        False,
        "This account is not an admin of that company page: act as yourself instead, or have a page admin "
        "add this account.",
    )
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


def counted(n: int, noun: str) -> str:
    """`1 credit`, `2 credits`: refusals quote figures, and "1 credits" reads as a slip."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def is_retryable(code: str, http_status: int | None = None) -> bool:
    """From the table; an API code we do not know yet, and a CHANNEL_ERROR, by its HTTP status
    (429 and 5xx: LinkedIn or the API failed; a 4xx refused this very call)."""
    known = Code._value2member_map_.get(code)
    if isinstance(known, Code) and not (known is Code.CHANNEL_ERROR and http_status is not None):
        return known.retryable
    return http_status is not None and (http_status == 429 or http_status >= 500)


CHANNEL_REFUSED_HINT = (
    "LinkedIn refused this call, and repeating it unchanged will fail the same way: change the arguments "
    "or check the target on LinkedIn."
)


@dataclass(frozen=True)
class Lasting:
    """One lasting state: the words that name it in an API refusal (a regular expression, searched
    case-insensitively), the tools where it can arise (empty: any), its code, and the advice when
    it says more than the code's hint."""

    code: Code
    words: str
    tools: frozenset[str] = frozenset()
    advice: str = ""
    shows: str | None = None  # the relation to the target it tells (call/relations.py): learnt, so a retry is free
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.words, re.IGNORECASE))

    def applies(self, tool: str, message: str) -> bool:
        return (not self.tools or tool in self.tools) and self.pattern.search(message) is not None


_INVITE = frozenset({"network_invite"})
_FIRST = r"(1st|first)[- ]degree"
_GONE = (
    r"(not found|not accessible|inaccessible|not visible|does ?n[o']t exist|no longer (exists|available)"
    r"|unavailable)"
)
# First match wins: "they invited you" before any other pending invitation.
LASTING: tuple[Lasting, ...] = (
    Lasting(
        Code.ALREADY_PENDING,
        r"invited you|sent you an invitation|(incoming|received) (an )?invitation|invitation from (them|this)",
        _INVITE,
        "Accept it with network_accept (entity_urn and shared_secret from network_list_invitations).",
        "invited_you",
    ),
    Lasting(
        Code.ALREADY_CONNECTED,
        rf"already (a |your )?({_FIRST} )?(connect|in your network)",
        _INVITE,
        "You are already connected: write to them with messages_send instead.",
        "connected",
    ),
    Lasting(
        Code.ALREADY_PENDING,
        r"already (been )?(invited|pending|sent)|invitation\b.*\bpending|pending invitation",
        _INVITE,
        "An invitation to them is already pending: wait for their answer, or withdraw it with network_withdraw "
        "(network_list_sent lists it).",
        "invited",
    ),
    Lasting(
        Code.NOT_CONNECTED,
        rf"not (a |your |yet )*{_FIRST}|must be (a |your )?{_FIRST}|{_FIRST} connections? only"
        r"|(?<!account )(?<!account is )not (yet )?connected|must be connected|not (a |one of your )?connections?\b"
        r"|not in your (network|connections)|only (message|write to) (your )?connections",
        frozenset({"messages_send"}),
    ),
    Lasting(
        Code.JOB_NOT_DRAFT,
        r"not (a |in )?drafts?\b|only drafts?\b|drafts? only|already (published|open|live|listed)"
        r"|status:? (open|closed|listed|live)\b",
        frozenset({"recruiter_publish_job"}),
    ),
    Lasting(Code.NOT_PAGE_ADMIN, r"not (an? )?(page |company )?admin|must be an? (page |company )?admin"),
    Lasting(  # a job post: its own advice (a job id, not a URL a search finds)
        Code.TARGET_NOT_FOUND,
        rf"\bjob( post)?s?\b[^.;]*?\b{_GONE}|\b(no such|unknown) job\b",
        advice="List job posts with recruiter_get_posts.",
    ),
    Lasting(
        Code.TARGET_NOT_FOUND,
        rf"\b(profile|member|user|person|company|page|organi[sz]ation|post|activity|comment)s?\b[^.;]*?\b{_GONE}"
        r"|\b(no such|unknown) (profile|member|user|company|page|organi[sz]ation|post)",
    ),
)
_READ = frozenset({"CHANNEL_ERROR", "INVALID_PARAMS"})  # the API codes LASTING reads


def read_api_error(tool: str, code: str, message: str, http_status: int) -> tuple[str, str, str | None]:
    """The code and advice for one API error answer, and the relation to the target it tells: a
    lasting state under its own code (LASTING), else the code as sent with its hint (a refused
    CHANNEL_ERROR: repeating it will not help)."""
    refused = 400 <= http_status < 500 and http_status != 429
    if refused and code in _READ:
        for rule in LASTING:
            if rule.applies(tool, message):
                return rule.code, rule.advice or rule.code.hint, rule.shows
    known = Code._value2member_map_.get(code)
    if known is Code.CHANNEL_ERROR and refused:
        return code, CHANNEL_REFUSED_HINT, None
    return code, known.hint if isinstance(known, Code) else "", None


_CLOSERS = ")]}\"'”’"
# Words that carry no advice of their own: an advice sentence made of the message's other words adds nothing.
_FILLER = frozenset(
    {"a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is"}
    | {"are", "be", "been", "it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "then"}
    | {"than", "so", "if", "you", "your", "we", "our"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")  # not "e.g. x" nor "app.linkupapi.com"


def _content(text: str) -> set[str]:
    """The words that carry meaning, lower case, a plural as its singular ("jobs" and "job" agree)."""
    words = set()
    for word in re.findall(r"[a-z0-9_]+", text.lower()):
        if word in _FILLER or (len(word) < 2 and not word.isdigit()):
            continue
        words.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return words


def sentences(*parts: str) -> str:
    """The non-empty parts as sentences: each ends with its own punctuation or gains a period, so
    an API message and the advice after it never run together. A sentence of a later part whose
    every meaningful word is already in the text before it is left out: advice that repeats what
    the API said ("Retry later." after "... Retry later.") only costs the agent a re-read."""
    out: list[str] = []
    said: set[str] = set()
    for part in parts:
        text = part.strip().rstrip(":;,").rstrip()
        if out and text:
            kept = [s for s in _SENTENCE_END.split(text) if not (_content(s) and _content(s) <= said)]
            text = " ".join(kept).rstrip(":;,").rstrip()
        if text:
            out.append(text if text.rstrip(_CLOSERS).endswith((".", "!", "?")) else text + ".")
            said |= _content(text)
    return " ".join(out)


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
