"""The PostgreSQL ledger: what the SQLite one keeps (calls, read cache, preview tokens, drift),
shared by every process and machine that names the same database (LINKUP_LEDGER=postgresql://…,
any libpq URL, Unix-socket hosts included). Needs the `postgres` extra (psycopg 3 and its pool),
imported only when the ledger is one.

- **Scopes**: the tables live in a schema, `linkup` unless the URL's fragment names another
  (`postgresql://db/app#team_a`). The sandbox's books go to `<schema>_sandbox` and each
  per-request API key's (LINKUP_CLIENT_KEYS) to `<schema>_<key digest>` — what separate files
  are for SQLite. Each schema is created and migrated on first use (store/migrations.py).
- **Atomic gate**: `admit` runs its checks and its insert in one transaction holding the
  schema's gate lock (a transaction-level advisory lock), as SQLite's `BEGIN IMMEDIATE` does for
  a file: two processes can never both pass a check only one should. One lock rather than one per
  duplicate key, pacing kind and day: a row counts towards the budget whatever the settings of
  the process that wrote it, so finer locks would let processes with different settings race;
  the transaction takes about a millisecond (benchmarks/RESULTS.md). Preview tokens are taken
  with `DELETE … RETURNING`: one process gets a token, once.
- **Shared rate window**: `rate_limiter` paces API requests per key across every process on the
  database (`SharedWindow`): a log of request times per key digest, on the database's clock.
- **Threads, not async**: the call pipeline already runs ledger work in worker threads (for
  SQLite), so one blocking interface serves both backends and the steps do not change; each
  method borrows a connection from a pool (store/pg_pool.py: one per URL and process).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import psycopg

from linkup_mcp.store import pending
from linkup_mcp.store.migrations import migrate_postgres
from linkup_mcp.store.pg_pool import POOLS, LedgerUnavailable, lock_id, masked, split_target
from linkup_mcp.store.records import (
    CALL_COLUMNS,
    COUNTED,
    OUTCOME_UNKNOWN,
    PENDING,
    STALE_PENDING_S,
    Admission,
    Refusal,
    call_row,
    digest,
    gate_check,
    utc_day,
)

HOST = socket.gethostname()  # which machine (or container) wrote a row: its pids mean something here only
ROW_COLUMNS = ("id", *CALL_COLUMNS, "pid")  # what rows() gives, as the SQLite ledger does


def lock_key(*parts: Any) -> str:
    return ":".join(str(p) for p in parts)


class PostgresLedger:
    """`records.Store` on PostgreSQL."""

    def __init__(self, target: str, *, clock: Any = time.time):
        self._url, self.schema = split_target(target)
        self.location = f"{masked(self._url)}#{self.schema}"
        self._clock = clock
        self._closed = False
        self._pool = POOLS.acquire(self._url)
        try:
            with self._connection() as conn:
                migrate_postgres(conn, self.schema, lock_id(conn, lock_key(self.schema, "migrate")))
                self._gate = lock_id(conn, lock_key(self.schema, "gate"))
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._gate,))
                    self._settle_dead(conn, self.now())
        except BaseException:
            POOLS.release(self._url)
            raise
        s = self.schema
        self._insert = (
            f"INSERT INTO {s}.calls ({', '.join(CALL_COLUMNS)}, pid, host)"
            f" VALUES ({', '.join(['%s'] * (len(CALL_COLUMNS) + 2))}) RETURNING id"
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            POOLS.release(self._url)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if self._closed:
            raise LedgerUnavailable(f"PostgreSQL ledger {self.location}: closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:  # the server went away, a timeout: not a bug here
            raise LedgerUnavailable(f"PostgreSQL ledger {self.location}: {exc}".strip()) from exc

    def connection(self) -> Any:
        raise NotImplementedError(
            "raw SQLite access on a PostgreSQL ledger: add the table to both lists in store/migrations.py "
            "and its methods to records.Store and both backends (store/ledger.py, store/postgres.py)"
        )

    def check(self) -> None:
        with self._connection() as conn:
            conn.execute(f"SELECT 1 FROM {self.schema}.calls LIMIT 0")

    def now(self) -> float:
        return float(self._clock())

    # -- the gate -------------------------------------------------------------------------

    def admit(self, a: Admission) -> int | Refusal:
        """Insert a pending row and return its id, or a Refusal (also recorded) if a check fails."""
        now = self.now()
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._gate,))
            self._settle_dead(conn, now)
            refusal = self._check(conn, a, now)
            if refusal is not None:
                self._add(conn, call_row(now, a.tool, a.account, refusal.code, a.estimated, 0, a.args_digest))
                return refusal
            row_id = self._add(
                conn, call_row(now, a.tool, a.account, PENDING, a.estimated, 0, a.args_digest, a.dedup_key, a.kind)
            )
        pending.admitted(self.location, row_id)
        return row_id

    def _settle_dead(self, conn: psycopg.Connection[Any], now: float) -> None:
        """PENDING rows of a process that died mid-call become OUTCOME_UNKNOWN at their estimate
        (store/pending.py): this host's by their pid, another host's by age alone."""
        rows = conn.execute(
            f"SELECT id, pid, ts, host FROM {self.schema}.calls WHERE outcome = %s", (str(PENDING),)
        ).fetchall()
        if not rows:
            return
        here = [(i, pid, ts) for i, pid, ts, host in rows if host == HOST]
        dead = pending.dead(self.location, here, now)
        dead += [i for i, _, ts, host in rows if host != HOST and now - ts > STALE_PENDING_S]
        if dead:
            conn.execute(
                f"UPDATE {self.schema}.calls SET outcome = %s, charged = estimated WHERE id = ANY(%s) AND outcome = %s",
                (str(OUTCOME_UNKNOWN), dead, str(PENDING)),
            )

    def peek(self, a: Admission) -> Refusal | None:
        """What `admit` would refuse now, without recording anything (for previews)."""
        with self._connection() as conn:
            return self._check(conn, a, self.now())

    def _check(self, conn: psycopg.Connection[Any], a: Admission, now: float) -> Refusal | None:
        return gate_check(a, now, _Reads(conn, self.schema))

    def _add(self, conn: psycopg.Connection[Any], row: tuple[Any, ...]) -> int:
        found = conn.execute(self._insert, (*row, os.getpid(), HOST)).fetchone()
        return int(found[0]) if found else 0

    def finish(self, row_id: int, outcome: str, charged: int) -> None:
        with self._connection() as conn:
            conn.execute(
                f"UPDATE {self.schema}.calls SET outcome = %s, charged = %s WHERE id = %s",
                (str(outcome), charged, row_id),
            )
        pending.finished(self.location, row_id)

    def record(
        self, tool: str, account: str | None, outcome: str, estimated: int, args_digest: str, charged: int = 0
    ) -> None:
        """One finished row: a call refused before the gate, or a read that needed no gate."""
        row = call_row(self.now(), tool, account, outcome, estimated, charged, args_digest)
        with self._connection() as conn:
            self._add(conn, row)

    # -- reading ------------------------------------------------------------------------

    def spent_today(self) -> int:
        now = self.now()
        with self._connection() as conn:
            return _Reads(conn, self.schema).spent_on(utc_day(now), now)

    def rows(self) -> list[dict[str, Any]]:
        with self._connection() as conn:
            cur = conn.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM {self.schema}.calls ORDER BY ts, id")
            names = [d.name for d in cur.description or []]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def spend_report(self, days: int = 30) -> list[tuple[str, str, str, int, int, int]]:
        """(day, tool, account, calls, estimated, charged) for the last `days` days, newest first."""
        since = utc_day(self.now() - days * 86400)
        with self._connection() as conn:
            return conn.execute(
                "SELECT day, tool, COALESCE(account, '-'), COUNT(*)::bigint, SUM(estimated)::bigint,"
                f" SUM(charged)::bigint FROM {self.schema}.calls WHERE day >= %s GROUP BY day, tool, account"
                " ORDER BY day DESC, SUM(charged) DESC, tool",
                (since,),
            ).fetchall()

    # -- the paid-read cache, preview tokens, drift ---------------------------------------

    def cache_get(self, key: str) -> tuple[str, float] | None:
        with self._connection() as conn:
            row = conn.execute(f"SELECT data, ts FROM {self.schema}.read_cache WHERE key = %s", (key,)).fetchone()
        return None if row is None else (row[0], float(row[1]))

    def cache_put(self, key: str, tool: str, account: str | None, subject: str | None, data: str) -> None:
        self.cache_put_many([(key, tool, account, subject, data)])

    def cache_put_many(self, rows: list[tuple[str, str, str | None, str | None, str]]) -> None:
        now = self.now()
        with self._connection() as conn, conn.cursor() as cur:  # one round trip for a page of people
            cur.executemany(
                f"INSERT INTO {self.schema}.read_cache (key, tool, account, subject, ts, data)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET tool = EXCLUDED.tool,"
                " account = EXCLUDED.account, subject = EXCLUDED.subject, ts = EXCLUDED.ts, data = EXCLUDED.data",
                [(key, tool, account, subject, now, data) for key, tool, account, subject, data in rows],
            )

    def cache_drop(self, tools: list[str], account: str | None, subject: str | None) -> int:
        """Drop cached results of `tools` for this account about `subject` (and those with none);
        every one of them when `subject` is None."""
        if not tools:
            return 0
        sql = f"DELETE FROM {self.schema}.read_cache WHERE tool = ANY(%s) AND account IS NOT DISTINCT FROM %s"
        params: list[Any] = [tools, account]
        if subject is not None:
            sql += " AND (subject = %s OR subject IS NULL)"
            params.append(subject)
        with self._connection() as conn:
            return conn.execute(sql, params).rowcount

    def token_put(self, token: str, bound: str, expires: float) -> None:
        with self._connection() as conn:
            conn.execute(f"DELETE FROM {self.schema}.preview_tokens WHERE expires < %s", (self.now(),))
            conn.execute(
                f"INSERT INTO {self.schema}.preview_tokens (token, bound, expires) VALUES (%s, %s, %s)",
                (token, bound, expires),
            )

    def token_take(self, token: str) -> tuple[str, float] | None:
        with self._connection() as conn:
            row = conn.execute(
                f"DELETE FROM {self.schema}.preview_tokens WHERE token = %s RETURNING bound, expires", (token,)
            ).fetchone()
        return None if row is None else (row[0], float(row[1]))

    def drift_add(self, tool: str, account: str | None, differences: str) -> None:
        now = self.now()
        with self._connection() as conn:
            conn.execute(
                f"INSERT INTO {self.schema}.drift (ts, day, tool, account, differences) VALUES (%s, %s, %s, %s, %s)",
                (now, utc_day(now), tool, account, differences),
            )

    def drift_recent(self, since_day: str, limit: int) -> list[tuple[float, str, str | None, str]]:
        with self._connection() as conn:
            return conn.execute(
                f"SELECT ts, tool, account, differences FROM {self.schema}.drift WHERE day >= %s"
                " ORDER BY ts DESC, id DESC LIMIT %s",
                (since_day, limit),
            ).fetchall()

    # -- the API rate window shared by every process --------------------------------------

    def rate_limiter(self, api_key: str, limit: int, period: float = 60.0) -> SharedWindow:
        return SharedWindow(self, digest(["rate", api_key]), limit, period)

    def rate_take(self, key_hash: str, limit: int, period: float) -> float:
        """Record a request now if fewer than `limit` were made in the last `period` seconds
        (0.0), else the seconds until the oldest leaves the window. Times are the database's."""
        s = self.schema
        with self._connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0)), extract(epoch FROM clock_timestamp())::float8",
                (lock_key(s, "rate", key_hash),),
            ).fetchone()
            now = float(row[1]) if row else time.time()
            found = conn.execute(
                f"WITH gone AS (DELETE FROM {s}.api_requests WHERE key_hash = %s AND ts <= %s)"
                f" SELECT COUNT(*), MIN(ts) FROM {s}.api_requests WHERE key_hash = %s AND ts > %s",
                (key_hash, now - period, key_hash, now - period),
            ).fetchone()
            used, oldest = (int(found[0]), found[1]) if found else (0, None)
            if used < limit or oldest is None:
                conn.execute(f"INSERT INTO {s}.api_requests (key_hash, ts) VALUES (%s, %s)", (key_hash, now))
                return 0.0
            return max(0.001, float(oldest) + period - now)

    def outreach_today(self, account: str | None) -> dict[str, int]:
        """Outreach of `account` counted by pacing today (UTC), per kind: the rows the gate counts."""
        with self._connection() as conn:
            return _Reads(conn, self.schema).kinds_on(account, utc_day(self.now()))


class SharedWindow:
    """At most `limit` API requests per `period` for one key, across every process on the ledger's
    database. This process's callers queue in arrival order and one of them asks at a time."""

    def __init__(self, ledger: PostgresLedger, key_hash: str, limit: int, period: float):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._ledger, self._key, self.limit, self.period = ledger, key_hash, limit, period
        self._lock = anyio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                wait = await anyio.to_thread.run_sync(self._ledger.rate_take, self._key, self.limit, self.period)
                if wait <= 0:
                    return
                await anyio.sleep(wait)


class _Reads:
    """The gate's reads (records.GateReads) on one PostgreSQL connection."""

    def __init__(self, conn: psycopg.Connection[Any], schema: str):
        self.conn, self.schema = conn, schema

    def prior(self, dedup_key: str, since: float) -> tuple[Any, ...] | None:
        row = self.conn.execute(
            f"SELECT ts, outcome, tool, args_digest FROM {self.schema}.calls WHERE dedup_key = %s AND ts >= %s"
            " AND outcome = ANY(%s) ORDER BY ts DESC LIMIT 1",
            (dedup_key, since, list(COUNTED)),
        ).fetchone()
        return None if row is None else tuple(row)

    def kinds_on(self, account: str | None, day: str) -> dict[str, int]:
        rows = self.conn.execute(
            f"SELECT kind, COUNT(*)::bigint FROM {self.schema}.calls WHERE account IS NOT DISTINCT FROM %s"
            " AND day = %s AND kind IS NOT NULL AND outcome = ANY(%s) GROUP BY kind",
            (account, day, list(COUNTED)),
        ).fetchall()
        return {str(kind): int(n) for kind, n in rows}

    def spent_on(self, day: str, now: float) -> int:
        row = self.conn.execute(
            "SELECT (COALESCE(SUM(charged), 0) + COALESCE(SUM(CASE WHEN outcome = %s AND ts >= %s THEN estimated END), 0))"
            f"::bigint FROM {self.schema}.calls WHERE day = %s",
            (str(PENDING), now - STALE_PENDING_S, day),
        ).fetchone()
        return int(row[0]) if row else 0
