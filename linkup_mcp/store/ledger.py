"""The ledger of every call: spend by day/tool/account, duplicate sends, pacing, daily budget —
in SQLite (this module, the embedded default) or PostgreSQL (store/postgres.py, shared by
replicas and machines); `open_ledger` picks by LINKUP_LEDGER. Both implement `records.Store`.

One row per tool call: time, tool, account, outcome code, estimated and charged credits, a
digest of the arguments (never the arguments, never the API key). Outreach rows also carry a
`dedup_key` (action + account + target + text) and a pacing `kind`. The same file holds the
paid-read cache, single-use preview tokens and drift reports (store/migrations.py).

`admit()` is the single gate before a request: in one `BEGIN IMMEDIATE` transaction it checks
the duplicate window, the pacing cap and the daily credit budget, and inserts a `pending` row.
Two server processes on one file therefore cannot both pass a check only one of them should.
WAL mode and short transactions keep readers and writers out of each other's way.

Every method may be called from any thread (the call pipeline runs them in worker threads, off
the event loop): one connection, each operation under one lock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from linkup_mcp.store import pending
from linkup_mcp.store.migrations import migrate_sqlite
from linkup_mcp.store.records import (
    CALL_COLUMNS,
    COUNTED,
    MAX_CREDITS_FIGURE,
    OK,
    OUTCOME_UNKNOWN,
    PENDING,
    STALE_PENDING_S,
    Admission,
    Limiter,
    Refusal,
    Status,
    Store,
    call_row,
    digest,
    gate_check,
    iso,
    next_utc_midnight,
    utc_day,
)

__all__ = [
    "MAX_CREDITS_FIGURE",
    "OK",
    "OUTCOME_UNKNOWN",
    "PENDING",
    "STALE_PENDING_S",
    "Admission",
    "Ledger",
    "Refusal",
    "Status",
    "Store",
    "digest",
    "is_postgres_url",
    "iso",
    "next_utc_midnight",
    "open_ledger",
    "utc_day",
]

INSERT = f"INSERT INTO calls ({', '.join(CALL_COLUMNS)}, pid) VALUES ({', '.join('?' * (len(CALL_COLUMNS) + 1))})"
_COUNTED = f"outcome IN ({', '.join('?' * len(COUNTED))})"


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def _create_private(path: str) -> None:
    """Create the ledger file readable and writable by its owner only (SQLite gives its -wal and
    -shm files the same mode); an existing file is left as it is."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_ledger(target: str, *, clock: Any = time.time) -> Store:
    """The ledger LINKUP_LEDGER names: a postgresql:// URL (needs linkup-mcp[postgres]), or a
    SQLite file path (`:memory:` keeps nothing)."""
    if is_postgres_url(target):
        from linkup_mcp.store.postgres import PostgresLedger  # psycopg only for a PostgreSQL ledger

        return PostgresLedger(target, clock=clock)
    return Ledger(target, clock=clock)


class Ledger:
    """The SQLite ledger."""

    def __init__(self, path: str | Path, *, clock: Any = time.time):
        self.path = self.location = str(path)
        self._clock = clock
        self._lock = threading.Lock()  # one connection, used by one thread at a time
        self._key = self.path if self.path != ":memory:" else f":memory:{id(self)}"  # for store/pending.py
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
        self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        migrate_sqlite(self._db)
        with self._transaction() as db:
            self._settle_dead(db, self.now())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def check(self) -> None:
        with self._lock:
            self._db.execute("SELECT COUNT(*) FROM calls WHERE id = 0").fetchone()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The shared connection, under the lock (autocommit: one statement, one transaction)."""
        with self._lock:
            yield self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: other processes on the file wait until it ends."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def now(self) -> float:
        return float(self._clock())

    # -- the gate -------------------------------------------------------------------------

    def admit(self, a: Admission) -> int | Refusal:
        """Insert a pending row and return its id, or a Refusal (also recorded) if a check fails."""
        now = self.now()
        with self._transaction() as db:
            self._settle_dead(db, now)
            refusal = self._check(db, a, now)
            if refusal is not None:
                self._insert(db, call_row(now, a.tool, a.account, refusal.code, a.estimated, 0, a.args_digest))
                return refusal
            row_id = self._insert(
                db, call_row(now, a.tool, a.account, PENDING, a.estimated, 0, a.args_digest, a.dedup_key, a.kind)
            )
            pending.admitted(self._key, row_id)
            return row_id

    def _settle_dead(self, db: sqlite3.Connection, now: float) -> None:
        """PENDING rows of a process that died mid-call: OUTCOME_UNKNOWN at their estimate (store/pending.py)."""
        rows = db.execute("SELECT id, pid, ts FROM calls WHERE outcome = ?", (str(PENDING),)).fetchall()
        dead = pending.dead(self._key, rows, now)
        db.executemany(
            "UPDATE calls SET outcome = ?, charged = estimated WHERE id = ? AND outcome = ?",
            [(str(OUTCOME_UNKNOWN), row_id, str(PENDING)) for row_id in dead],
        )

    def peek(self, a: Admission) -> Refusal | None:
        """What `admit` would refuse now, without recording anything (for previews)."""
        with self._lock:
            return self._check(self._db, a, self.now())

    def _check(self, db: sqlite3.Connection, a: Admission, now: float) -> Refusal | None:
        return gate_check(a, now, _Reads(db))

    def _insert(self, db: sqlite3.Connection, row: tuple[Any, ...]) -> int:
        return int(db.execute(INSERT, (*row, os.getpid())).lastrowid or 0)

    def finish(self, row_id: int, outcome: str, charged: int) -> None:
        with self._lock:
            self._db.execute("UPDATE calls SET outcome = ?, charged = ? WHERE id = ?", (str(outcome), charged, row_id))
        pending.finished(self._key, row_id)

    def record(
        self, tool: str, account: str | None, outcome: str, estimated: int, args_digest: str, charged: int = 0
    ) -> None:
        """One finished row: a call refused before the gate, or a read that needed no gate."""
        row = call_row(self.now(), tool, account, outcome, estimated, charged, args_digest)
        with self._lock:
            self._insert(self._db, row)

    # -- reading ------------------------------------------------------------------------

    def spent_today(self) -> int:
        now = self.now()
        with self._lock:
            return _Reads(self._db).spent_on(utc_day(now), now)

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

    # -- the paid-read cache, preview tokens, drift ---------------------------------------

    def cache_get(self, key: str) -> tuple[str, float] | None:
        with self._lock:
            row = self._db.execute("SELECT data, ts FROM read_cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else (row[0], float(row[1]))

    def cache_put(self, key: str, tool: str, account: str | None, subject: str | None, data: str) -> None:
        self.cache_put_many([(key, tool, account, subject, data)])

    def cache_put_many(self, rows: list[tuple[str, str, str | None, str | None, str]]) -> None:
        now = self.now()
        with self._transaction() as db:  # one commit for a page of people
            db.executemany(
                "INSERT OR REPLACE INTO read_cache (key, tool, account, subject, ts, data) VALUES (?, ?, ?, ?, ?, ?)",
                [(key, tool, account, subject, now, data) for key, tool, account, subject, data in rows],
            )

    def cache_drop(self, tools: list[str], account: str | None, subject: str | None) -> int:
        """Drop cached results of `tools` for this account about `subject` (and those with none);
        every one of them when `subject` is None."""
        sql = f"DELETE FROM read_cache WHERE tool IN ({','.join('?' * len(tools))}) AND account IS ?"
        params: list[Any] = [*tools, account]
        if subject is not None:
            sql += " AND (subject = ? OR subject IS NULL)"
            params.append(subject)
        with self._lock:
            return self._db.execute(sql, params).rowcount if tools else 0

    def token_put(self, token: str, bound: str, expires: float) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM preview_tokens WHERE expires < ?", (self.now(),))
            db.execute("INSERT INTO preview_tokens (token, bound, expires) VALUES (?, ?, ?)", (token, bound, expires))

    def token_take(self, token: str) -> tuple[str, float] | None:
        with self._transaction() as db:  # read and delete as one: a token is used once
            row = db.execute("SELECT bound, expires FROM preview_tokens WHERE token = ?", (token,)).fetchone()
            db.execute("DELETE FROM preview_tokens WHERE token = ?", (token,))
        return None if row is None else (row[0], float(row[1]))

    def drift_add(self, tool: str, account: str | None, differences: str) -> None:
        now = self.now()
        with self._lock:
            self._db.execute(
                "INSERT INTO drift (ts, day, tool, account, differences) VALUES (?, ?, ?, ?, ?)",
                (now, utc_day(now), tool, account, differences),
            )

    def drift_recent(self, since_day: str, limit: int) -> list[tuple[float, str, str | None, str]]:
        with self._lock:
            return self._db.execute(
                "SELECT ts, tool, account, differences FROM drift WHERE day >= ? ORDER BY ts DESC, id DESC LIMIT ?",
                (since_day, limit),
            ).fetchall()

    def rate_limiter(self, api_key: str, limit: int, period: float = 60.0) -> Limiter | None:
        return None  # one process (or one machine's few): the client's own window

    def outreach_today(self, account: str | None) -> dict[str, int]:
        """Outreach of `account` counted by pacing today (UTC), per kind: the rows the gate counts."""
        now = self.now()
        with self._lock:
            return _Reads(self._db).kinds_on(account, utc_day(now))


class _Reads:
    """The gate's reads (records.GateReads) on one SQLite connection."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def prior(self, dedup_key: str, since: float) -> tuple[Any, ...] | None:
        row = self.db.execute(
            "SELECT ts, outcome, tool, args_digest FROM calls"
            f" WHERE dedup_key = ? AND ts >= ? AND {_COUNTED} ORDER BY ts DESC LIMIT 1",
            (dedup_key, since, *COUNTED),
        ).fetchone()
        return None if row is None else tuple(row)

    def kinds_on(self, account: str | None, day: str) -> dict[str, int]:
        rows = self.db.execute(
            f"SELECT kind, COUNT(*) FROM calls WHERE account IS ? AND day = ? AND kind IS NOT NULL AND {_COUNTED}"
            " GROUP BY kind",
            (account, day, *COUNTED),
        ).fetchall()
        return {str(kind): int(n) for kind, n in rows}

    def spent_on(self, day: str, now: float) -> int:
        (spent,) = self.db.execute(
            "SELECT COALESCE(SUM(charged), 0) + COALESCE(SUM(CASE WHEN outcome = ? AND ts >= ? THEN estimated END), 0)"
            " FROM calls WHERE day = ?",
            (PENDING, now - STALE_PENDING_S, day),
        ).fetchone()
        return int(spent)
