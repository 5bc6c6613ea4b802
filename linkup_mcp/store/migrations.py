"""The ledger's schema, as numbered migrations for each backend, applied at open.

A ledger records the last migration it has (SQLite: `PRAGMA user_version`; PostgreSQL: the
`schema_version` table of its schema) and gets the later ones, each in one transaction that also
bumps the number, so a half-applied step never stays. Processes that open one ledger at the same
time take turns (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), and the second finds
nothing left to do. Migration N means the same tables on both backends (PostgreSQL's `calls`
also says which host wrote a row).

To change the schema, append a migration to both lists; never edit one that has shipped. The
first uses IF NOT EXISTS so that SQLite files written before versioning are adopted as they are.
"""

from __future__ import annotations

import sqlite3
from typing import Any

SQLITE: list[str] = [
    # 1: calls (the gate and spend reports) and the paid-read cache
    """
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
    CREATE INDEX IF NOT EXISTS read_cache_subject ON read_cache (account, tool, subject)
    """,
    # 2: single-use preview tokens (by digest) and answers that drifted from the docs
    """
    CREATE TABLE IF NOT EXISTS preview_tokens (
        token TEXT PRIMARY KEY,
        bound TEXT NOT NULL,
        expires REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS drift (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        day TEXT NOT NULL,
        tool TEXT NOT NULL,
        account TEXT,
        differences TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS drift_day ON drift (day)
    """,
    # 3: the PENDING rows found at once (every admit settles those of processes that died)
    """
    CREATE INDEX IF NOT EXISTS calls_pending ON calls (outcome) WHERE outcome = 'PENDING'
    """,
]

# `{s}` is the ledger's schema (a checked identifier, see store/postgres.py).
POSTGRES: list[str] = [
    # 1: calls and the paid-read cache
    """
    CREATE TABLE {s}.calls (
        id BIGSERIAL PRIMARY KEY,
        ts DOUBLE PRECISION NOT NULL,
        day TEXT NOT NULL,
        tool TEXT NOT NULL,
        account TEXT,
        outcome TEXT NOT NULL,
        estimated BIGINT NOT NULL DEFAULT 0,
        charged BIGINT NOT NULL DEFAULT 0,
        args_digest TEXT NOT NULL,
        dedup_key TEXT,
        kind TEXT,
        pid INTEGER NOT NULL
    );
    CREATE INDEX calls_dedup ON {s}.calls (dedup_key, ts);
    CREATE INDEX calls_day ON {s}.calls (day);
    CREATE INDEX calls_pacing ON {s}.calls (account, kind, day);
    CREATE TABLE {s}.read_cache (
        key TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        account TEXT,
        subject TEXT,
        ts DOUBLE PRECISION NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX read_cache_subject ON {s}.read_cache (account, tool, subject)
    """,
    # 2: preview tokens, drift, and the API rate window shared by replicas (per key digest)
    """
    CREATE TABLE {s}.preview_tokens (
        token TEXT PRIMARY KEY,
        bound TEXT NOT NULL,
        expires DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE {s}.drift (
        id BIGSERIAL PRIMARY KEY,
        ts DOUBLE PRECISION NOT NULL,
        day TEXT NOT NULL,
        tool TEXT NOT NULL,
        account TEXT,
        differences TEXT NOT NULL
    );
    CREATE INDEX drift_day ON {s}.drift (day);
    CREATE TABLE {s}.api_requests (
        key_hash TEXT NOT NULL,
        ts DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX api_requests_key ON {s}.api_requests (key_hash, ts)
    """,
    # 3: the PENDING rows found at once, and the host that wrote each row (a pid is only
    # meaningful on its own machine: store/postgres.py settles another host's by age alone)
    """
    CREATE INDEX calls_pending ON {s}.calls (outcome) WHERE outcome = 'PENDING';
    ALTER TABLE {s}.calls ADD COLUMN host TEXT
    """,
]


def migrate_sqlite(db: sqlite3.Connection) -> int:
    """Bring an open SQLite ledger (autocommit connection) to the latest migration; its number."""
    for number, script in enumerate(SQLITE, 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            (current,) = db.execute("PRAGMA user_version").fetchone()
            if current < number:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return len(SQLITE)


def migrate_postgres(conn: Any, schema: str, lock_id: int) -> int:
    """Bring schema `schema` to the latest migration, under advisory lock `lock_id` (a psycopg
    connection in autocommit mode); its number."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {schema}.schema_version (version INTEGER NOT NULL)")
        row = conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {schema}.schema_version").fetchone()
        for number, script in enumerate(POSTGRES, 1):
            if row[0] < number:
                conn.execute(script.format(s=schema))
                conn.execute(f"INSERT INTO {schema}.schema_version (version) VALUES (%s)", (number,))
    return len(POSTGRES)
