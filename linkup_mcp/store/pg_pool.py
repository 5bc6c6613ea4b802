"""The PostgreSQL ledger's connections: the LINKUP_LEDGER URL split into libpq URL and schema,
passwords out of messages, and one connection pool per URL in a process, shared by the ledgers
(schemas) that use it — per-request keys open a ledger each, and must not open a pool each."""

from __future__ import annotations

import re
import threading
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

DEFAULT_SCHEMA = "linkup"
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
POOL_SIZE = 10  # connections per URL and process, at most (the pipeline's worker threads share them)
CONNECT_TIMEOUT_S = 10


class LedgerUnavailable(OSError):
    """The database cannot be reached or used (an OSError: callers already report those)."""


def split_target(target: str) -> tuple[str, str]:
    """(libpq URL, schema) of `postgresql://…[#schema]`; ValueError for a bad schema name."""
    url, _, schema = target.partition("#")
    schema = schema or DEFAULT_SCHEMA
    if not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"ledger schema {schema!r} (the URL's #fragment): use lowercase letters, digits and _")
    return url, schema


def masked(url: str) -> str:
    """The URL without its password, for messages and logs."""
    url = re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1****@", url)
    return re.sub(r"(?i)(password=)[^&#]*", r"\1****", url)


class _Pools:
    """One connection pool per URL in this process, shared by the ledgers (scopes) using it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[ConnectionPool, int]] = {}

    def acquire(self, url: str) -> ConnectionPool:
        with self._lock:
            pool, users = self._pools.get(url) or (self._open(url), 0)
            self._pools[url] = (pool, users + 1)
            return pool

    def release(self, url: str) -> None:
        with self._lock:
            pool, users = self._pools[url]
            if users > 1:
                self._pools[url] = (pool, users - 1)
                return
            del self._pools[url]
        pool.close()

    @staticmethod
    def _open(url: str) -> ConnectionPool:
        options: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in conninfo_to_dict(url):
            options["connect_timeout"] = CONNECT_TIMEOUT_S
        try:  # one direct connection first: its error says why (refused, authentication, no database)
            psycopg.connect(url, **options).close()
        except psycopg.Error as exc:
            raise LedgerUnavailable(f"cannot use the PostgreSQL ledger {masked(url)}: {exc}".strip()) from None
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs=options,
            open=False,
            name="linkup-ledger",
            check=ConnectionPool.check_connection,  # a connection the server dropped (restart, failover) is replaced
        )
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        return pool


POOLS = _Pools()


def lock_id(conn: psycopg.Connection[Any], key: str) -> int:
    row = conn.execute("SELECT hashtextextended(%s, 0)", (key,)).fetchone()
    return int(row[0]) if row else 0
