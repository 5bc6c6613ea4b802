"""What both ledger backends share: the row vocabulary (Status), what the gate checks
(Admission) and answers (Refusal, worded once here), and `Store`, the interface the call layer
uses — implemented by the SQLite ledger (store/ledger.py, the embedded default) and the
PostgreSQL one (store/postgres.py, shared by replicas and machines).

Every method of a `Store` is blocking and may be called from any thread: the call pipeline runs
them in worker threads (`blocking`), off the event loop.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Protocol

from linkup_mcp.errors import Code, counted
from linkup_mcp.spec.parts import PerResults


class Status(str, Enum):
    """What the `outcome` column holds besides an error code (errors.Code): how a call ended."""

    OK = "OK"
    PENDING = "PENDING"  # admitted by the gate, not finished (yet: a killed process leaves it)
    CACHE_HIT = "CACHE_HIT"  # answered free from the read cache
    PREVIEW = "PREVIEW"  # LINKUP_CONFIRM=preview: shown, not sent
    CANCELLED = "CANCELLED"  # interrupted before the request could leave
    AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"  # the human's answer comes with the client's next call

    def __str__(self) -> str:
        return str(self.value)


PENDING, OK = Status.PENDING, Status.OK
OUTCOME_UNKNOWN = Code.OUTCOME_UNKNOWN
# Outcomes a duplicate, pacing or budget check counts: it happened, may have, or is in flight.
COUNTED = (str(OK), str(OUTCOME_UNKNOWN), str(PENDING))
# A pending row older than this belongs to a process that died mid-call: stop counting its estimate.
STALE_PENDING_S = 15 * 60
MAX_CREDITS_FIGURE = 2**53  # SQLite INTEGER holds 2**63; a schema-valid page window can estimate more
CALL_COLUMNS = ("ts", "day", "tool", "account", "outcome", "estimated", "charged", "args_digest", "dedup_key", "kind")


def digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def next_utc_midnight(ts: float) -> datetime:
    day = datetime.fromtimestamp(ts, timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class Admission:
    """What `admit` checks for one call; fields left None are not checked."""

    tool: str
    account: str | None
    estimated: int
    args_digest: str
    dedup_key: str | None = None
    dedup_window_s: float = 24 * 3600
    dedup_after: float | None = None  # rows before it do not count (a newer answer showed no invitation)
    per_person: bool = False  # the key is the person, whatever the text (one invitation per person)
    allow_duplicate: bool = False  # still recorded under dedup_key, just not checked
    kind: str | None = None
    kind_cap: int | None = None
    daily_budget: int | None = None
    per_results: PerResults | None = None  # the cost counts results: a refusal can say how many fit

    @property
    def checks_duplicates(self) -> bool:
        return self.dedup_key is not None and not self.allow_duplicate

    def dedup_since(self, now: float) -> float:
        """The earliest row time the duplicate check counts."""
        start = now - self.dedup_window_s
        return start if self.dedup_after is None else max(start, self.dedup_after)

    @property
    def checks_pacing(self) -> bool:
        return self.kind is not None and self.kind_cap is not None


def call_row(
    now: float,
    tool: str,
    account: str | None,
    outcome: str,
    estimated: int,
    charged: int,
    args_digest: str,
    dedup_key: str | None = None,
    kind: str | None = None,
) -> tuple[Any, ...]:
    """The values of one `calls` row, in CALL_COLUMNS order (the backend adds the pid)."""
    # Absurd estimates are refused, and stored bounded.
    bounded = min(estimated, MAX_CREDITS_FIGURE)
    return (now, utc_day(now), tool, account, str(outcome), bounded, charged, args_digest, dedup_key, kind)


def duplicate_refusal(a: Admission, prior: tuple[Any, ...]) -> Refusal:
    """The refusal of `a` for the counted row `prior` = (ts, outcome, tool, args_digest): what was
    sent before, when, and how to override on purpose."""
    ts, outcome, tool, args_digest = prior[0], str(prior[1]), prior[2], prior[3]
    when = iso(ts)
    if outcome == OUTCOME_UNKNOWN:
        text = (
            f"An earlier {tool} call to the same target at {when} ended with an unknown outcome: it may have "
            "been delivered. Check first (see that call's message for the tool to check with); if it did not "
            "happen, call again with allow_duplicate: true."
        )
    elif outcome == PENDING:
        text = (
            f"An earlier {tool} call to the same target started at {when} and is still in flight; wait for its result."
        )
    elif a.per_person:
        note = "the same arguments" if args_digest == a.args_digest else "other arguments (e.g. another note)"
        text = (
            f"This account already sent {tool} to this person at {when}, with {note}: one per person, so it was "
            "not sent again. If that invitation was withdrawn or declined, an invitation check with fresh: true "
            "updates what the server knows; to send anyway, pass allow_duplicate: true."
        )
    else:
        text = (
            f"The same {tool} (same account, target and text, whitespace and case aside) succeeded at {when}. "
            "Not sent again; pass allow_duplicate: true if you really mean to repeat it."
        )
    return Refusal(Code.DUPLICATE_SUPPRESSED, text)


def pacing_refusal(a: Admission, used: int, now: float) -> Refusal:
    """PACING_LIMIT: the cap reached and when it resets; a cap of 0 never resets (the kind is off)."""
    if not a.kind_cap:
        return Refusal(
            Code.PACING_LIMIT,
            f"LINKUP_PACING blocks {a.kind} outreach for this server ({a.kind}=0), for every account and with "
            "no daily reset; only the user can set a cap above 0.",
        )
    return Refusal(
        Code.PACING_LIMIT,
        f"Daily {a.kind} cap reached for account {a.account}: {used} of {a.kind_cap} today (UTC). "
        f"It resets at {iso_midnight(now)}. Raise it with LINKUP_PACING if you accept the account-safety risk.",
    )


def budget_refusal(a: Admission, left: int, now: float) -> Refusal:
    """BUDGET_EXCEEDED by the daily budget, with what lets the call through: fewer results where
    the cost counts them, else the reset or a higher budget (the user's decision)."""
    fewer = fewer_results(a.per_results, left)
    reset = iso_midnight(now)
    advice = (
        f"{fewer}, wait for the reset at {reset}, or ask the user for a higher LINKUP_DAILY_CREDITS."
        if fewer
        else f"It resets at {reset}; until then only a higher LINKUP_DAILY_CREDITS, set by the user, lets it through."
    )
    return Refusal(
        Code.BUDGET_EXCEEDED,
        f"This call is estimated at {counted(a.estimated, 'credit')} but only {left} of the daily budget "
        f"(LINKUP_DAILY_CREDITS={a.daily_budget}) is left today (UTC). {advice}",
    )


def iso_midnight(now: float) -> str:
    """The next 00:00 UTC, when the daily counts (pacing, the daily budget) start again."""
    return iso(next_utc_midnight(now).timestamp())


def fewer_results(per: PerResults | None, left: int) -> str:
    """'Ask for at most N results (param)' when the cost counts results and N >= 1 fit in `left`
    credits; '' when fewer results would not help (a flat price, or too little left)."""
    most = left // per.credits * per.every if per and per.credits else 0
    return f"Ask for at most {most} results ({per.param})" if per and most else ""


class GateReads(Protocol):
    """The three reads the gate decides on, in one backend's SQL, inside its transaction."""

    def prior(self, dedup_key: str, since: float) -> tuple[Any, ...] | None:
        """The newest counted row under `dedup_key` from `since` on: (ts, outcome, tool, args_digest)."""

    def kinds_on(self, account: str | None, day: str) -> dict[str, int]:
        """Counted outreach rows of `account` on `day`, per pacing kind."""

    def spent_on(self, day: str, now: float) -> int:
        """Credits charged on `day`, plus the estimates of calls still in flight."""


def gate_check(a: Admission, now: float, reads: GateReads) -> Refusal | None:
    """What the gate refuses `a` for — the duplicate window, the pacing cap, the daily budget, in
    that order — or None. One decision for both backends; only the reads differ."""
    if a.checks_duplicates and a.dedup_key is not None:
        prior = reads.prior(a.dedup_key, a.dedup_since(now))
        if prior is not None:
            return duplicate_refusal(a, prior)
    day = utc_day(now)
    if a.checks_pacing and a.kind is not None:
        used = reads.kinds_on(a.account, day).get(a.kind, 0)
        if used >= (a.kind_cap or 0):
            return pacing_refusal(a, used, now)
    if a.daily_budget is not None:
        left = max(0, a.daily_budget - reads.spent_on(day, now))
        if a.estimated > left:
            return budget_refusal(a, left, now)
    return None


class Limiter(Protocol):
    """The API client's pacing (api/rate_window.py's shape): wait until a request may go."""

    async def acquire(self) -> None: ...


class Store(Protocol):
    """The ledger as the call layer uses it. `location` names it in messages (no password)."""

    location: str

    def now(self) -> float: ...
    def close(self) -> None: ...
    def check(self) -> None:
        """Raise if the ledger cannot be used (the HTTP transport's /healthz, `doctor`)."""

    # the gate and the rows
    def admit(self, a: Admission) -> int | Refusal: ...
    def peek(self, a: Admission) -> Refusal | None: ...
    def finish(self, row_id: int, outcome: str, charged: int) -> None: ...
    def record(
        self, tool: str, account: str | None, outcome: str, estimated: int, args_digest: str, charged: int = 0
    ) -> None: ...
    def spent_today(self) -> int: ...
    def rows(self) -> list[dict[str, Any]]: ...
    def spend_report(self, days: int = 30) -> list[tuple[str, str, str, int, int, int]]: ...

    # the paid-read cache (store/read_cache.py): data as JSON text, subject as a digest
    def cache_get(self, key: str) -> tuple[str, float] | None: ...
    def cache_put(self, key: str, tool: str, account: str | None, subject: str | None, data: str) -> None: ...
    def cache_put_many(self, rows: list[tuple[str, str, str | None, str | None, str]]) -> None:
        """Several (key, tool, account, subject, data) rows in one transaction."""

    def cache_drop(self, tools: list[str], account: str | None, subject: str | None) -> int: ...

    # single-use preview tokens (call/outreach.py), by digest; taking one deletes it
    def token_put(self, token: str, bound: str, expires: float) -> None: ...
    def token_take(self, token: str) -> tuple[str, float] | None: ...

    # answers that differed from the docs (store/drift_log.py)
    def drift_add(self, tool: str, account: str | None, differences: str) -> None: ...
    def drift_recent(self, since_day: str, limit: int) -> list[tuple[float, str, str | None, str]]: ...

    def rate_limiter(self, api_key: str, limit: int, period: float = 60.0) -> Limiter | None:
        """The API rate window shared by every process on this ledger, or None to keep it per process."""

    def outreach_today(self, account: str | None) -> dict[str, int]:
        """Outreach of `account` that pacing counts today (UTC), per kind (kinds with none left out)."""
