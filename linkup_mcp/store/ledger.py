"""SQLite ledger of every call: spend by day/tool/account, duplicate sends, pacing, daily budget.

One row per tool call: time, tool, account, outcome code, estimated and charged credits, a
digest of the arguments (never the arguments, never the API key). Outreach rows also carry a
`dedup_key` (action + account + target + text) and a pacing `kind`.

`admit()` is the single gate before a request: in one `BEGIN IMMEDIATE` transaction it checks
the duplicate window, the pacing cap and the daily credit budget, and inserts a `pending` row.
Two server processes on one file therefore cannot both pass a check only one of them should.
WAL mode and short transactions keep readers and writers out of each other's way.

Every method may be called from any thread (the call pipeline runs them in worker threads, off
the event loop): one connection, each operation under one lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from linkup_mcp.errors import Code


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
# A pending row older than this belongs to a process that died mid-call: stop counting its estimate.
STALE_PENDING_S = 15 * 60
MAX_CREDITS_FIGURE = 2**53  # SQLite INTEGER holds 2**63; a schema-valid page window can estimate more

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    day TEXT NOT NULL,
    tool TEXT NOT NULL,
    account TEXT,
    outcome TEXT NOT NULL,
    estimated INTEGER NOT NULL DEFAULT 0,
    charged INTEGER NOT NULL DEFAULT 0,
    args_digest TEXT NOT NULL,
    dedup_key TEXT,
    kind TEXT,
    pid INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_dedup ON calls (dedup_key, ts);
CREATE INDEX IF NOT EXISTS calls_day ON calls (day);
CREATE INDEX IF NOT EXISTS calls_pacing ON calls (account, kind, day);
CREATE TABLE IF NOT EXISTS read_cache (
    key TEXT PRIMARY KEY,
    tool TEXT NOT NULL,
    account TEXT,
    subject TEXT,
    ts REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS read_cache_subject ON read_cache (account, tool, subject);
"""

INSERT = (
    "INSERT INTO calls (ts, day, tool, account, outcome, estimated, charged, args_digest, dedup_key, kind, pid)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
    allow_duplicate: bool = False  # still recorded under dedup_key, just not checked
    kind: str | None = None
    kind_cap: int | None = None
    daily_budget: int | None = None


class Ledger:
    def __init__(self, path: str | Path, *, clock: Any = time.time):
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()  # one connection, used by one thread at a time
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The shared connection, under the lock (autocommit: one statement, one transaction)."""
        with self._lock:
            yield self._db

    def now(self) -> float:
        return float(self._clock())

    # -- the gate -------------------------------------------------------------------------

    def admit(self, a: Admission) -> int | Refusal:
        """Insert a pending row and return its id, or a Refusal (also recorded) if a check fails."""
        now = self.now()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                refusal = self._check(db, a, now)
                if refusal is not None:
                    self._insert(db, a, now, refusal.code, dedup=False)
                    db.execute("COMMIT")
                    return refusal
                row = self._insert(db, a, now, PENDING, dedup=True)
                db.execute("COMMIT")
                return row
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def peek(self, a: Admission) -> Refusal | None:
        """What `admit` would refuse now, without recording anything (for previews)."""
        with self._lock:
            return self._check(self._db, a, self.now())

    def _check(self, db: sqlite3.Connection, a: Admission, now: float) -> Refusal | None:
        if a.dedup_key is not None and not a.allow_duplicate:
            prior = db.execute(
                "SELECT ts, outcome FROM calls WHERE dedup_key = ? AND ts >= ? AND outcome IN (?, ?, ?)"
                " ORDER BY ts DESC LIMIT 1",
                (a.dedup_key, now - a.dedup_window_s, OK, OUTCOME_UNKNOWN, PENDING),
            ).fetchone()
            if prior is not None:
                return _duplicate_refusal(a.tool, prior[0], prior[1])
        day = utc_day(now)
        if a.kind is not None and a.kind_cap is not None:
            (used,) = db.execute(
                "SELECT COUNT(*) FROM calls WHERE account IS ? AND kind = ? AND day = ? AND outcome IN (?, ?, ?)",
                (a.account, a.kind, day, OK, OUTCOME_UNKNOWN, PENDING),
            ).fetchone()
            if used >= a.kind_cap:
                reset = next_utc_midnight(now).strftime("%Y-%m-%dT%H:%M:%SZ")
                return Refusal(
                    Code.PACING_LIMIT,
                    f"Daily {a.kind} cap reached for account {a.account}: {used} of {a.kind_cap} today (UTC). "
                    f"It resets at {reset}. Raise it with LINKUP_PACING if you accept the account-safety risk.",
                )
        if a.daily_budget is not None:
            spent = self._spent_on(db, day, now)
            left = max(0, a.daily_budget - spent)
            if a.estimated > left:
                return Refusal(
                    Code.BUDGET_EXCEEDED,
                    f"This call is estimated at {a.estimated} credits but only {left} of the daily budget "
                    f"(LINKUP_DAILY_CREDITS={a.daily_budget}) is left today (UTC). Ask for fewer results, "
                    f"or wait until {next_utc_midnight(now).strftime('%Y-%m-%dT%H:%M:%SZ')}.",
                )
        return None

    def _insert(
        self, db: sqlite3.Connection, a: Admission, now: float, outcome: str, *, dedup: bool, charged: int = 0
    ) -> int:
        row = (a.dedup_key, a.kind) if dedup else (None, None)
        cur = db.execute(INSERT, self._row(now, a.tool, a.account, outcome, a.estimated, charged, a.args_digest, *row))
        return int(cur.lastrowid or 0)

    def _row(
        self,
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
        """The values of INSERT, in its column order."""
        # Absurd estimates are refused, and stored bounded.
        bounded = min(estimated, MAX_CREDITS_FIGURE)
        return (now, utc_day(now), tool, account, outcome, bounded, charged, args_digest, dedup_key, kind, os.getpid())

    def finish(self, row_id: int, outcome: str, charged: int) -> None:
        with self._lock:
            self._db.execute("UPDATE calls SET outcome = ?, charged = ? WHERE id = ?", (outcome, charged, row_id))

    def record(
        self, tool: str, account: str | None, outcome: str, estimated: int, args_digest: str, charged: int = 0
    ) -> None:
        """One finished row: a call refused before the gate, or a read that needed no gate."""
        row = self._row(self.now(), tool, account, outcome, estimated, charged, args_digest)
        with self._lock:
            self._db.execute(INSERT, row)

    # -- reading ------------------------------------------------------------------------

    def _spent_on(self, db: sqlite3.Connection, day: str, now: float) -> int:
        (charged,) = db.execute("SELECT COALESCE(SUM(charged), 0) FROM calls WHERE day = ?", (day,)).fetchone()
        (pending,) = db.execute(
            "SELECT COALESCE(SUM(estimated), 0) FROM calls WHERE day = ? AND outcome = ? AND ts >= ?",
            (day, PENDING, now - STALE_PENDING_S),
        ).fetchone()
        return int(charged) + int(pending)

    def spent_today(self) -> int:
        now = self.now()
        with self._lock:
            return self._spent_on(self._db, utc_day(now), now)

    def rows(self) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._db.execute("SELECT * FROM calls ORDER BY ts, id")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def spend_report(self, days: int = 30) -> list[tuple[str, str, str, int, int, int]]:
        """(day, tool, account, calls, estimated, charged) for the last `days` days, newest first."""
        since = utc_day(self.now() - days * 86400)
        with self._lock:
            return list(
                self._db.execute(
                    "SELECT day, tool, COALESCE(account, '-'), COUNT(*), SUM(estimated), SUM(charged) FROM calls"
                    " WHERE day >= ? GROUP BY day, tool, account ORDER BY day DESC, SUM(charged) DESC, tool",
                    (since,),
                )
            )


def _duplicate_refusal(tool: str, ts: float, outcome: str) -> Refusal:
    when = iso(ts)
    if outcome == OUTCOME_UNKNOWN:
        text = (
            f"An identical {tool} call at {when} ended with an unknown outcome: it may have been delivered. "
            "Check first (see that call's message for the tool to check with); if it did not happen, "
            "call again with allow_duplicate: true."
        )
    elif outcome == PENDING:
        text = f"An identical {tool} call started at {when} is still in flight; wait for its result."
    else:
        text = (
            f"An identical {tool} call (same account, target and text) succeeded at {when}. "
            "Not sent again; pass allow_duplicate: true if you really mean to repeat it."
        )
    return Refusal(Code.DUPLICATE_SUPPRESSED, text)
