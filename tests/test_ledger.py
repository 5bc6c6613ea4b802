"""The ledger, on both backends (SQLite file, PostgreSQL schema): rows, duplicate window, pacing
caps, daily budget, the read cache's table, preview tokens, drift, migrations, and two processes
or many threads on one ledger."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import pytest

from linkup_mcp.store.ledger import OUTCOME_UNKNOWN, Admission, Ledger, Refusal, Store, open_ledger
from linkup_mcp.store.migrations import SQLITE
from tests.pg import PostgresServer, postgres  # noqa: F401  (the session's PostgreSQL fixture)

DAY0 = 1_795_000_000.0  # 2026-11-18T11:06:40Z

Open = Callable[..., Store]


class Clock:
    def __init__(self, t: float = DAY0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty ledger of each backend: a file, or a schema of its own."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.target()


@pytest.fixture
def open_store(target: str) -> Open:
    opened: list[Store] = []

    def make(clock: Any = None) -> Store:
        store = open_ledger(target, clock=clock or Clock())
        opened.append(store)
        return store

    yield make  # type: ignore[misc]
    for store in opened:
        store.close()


def send(key: str = "k1", **kw: object) -> Admission:
    base: dict[str, object] = {
        "tool": "messages_send",
        "account": "acc_1",
        "estimated": 1,
        "args_digest": "d",
        "dedup_key": key,
        "kind": "message",
    }
    base.update(kw)
    return Admission(**base)  # type: ignore[arg-type]


def test_rows_record_outcomes_and_never_arguments(open_store: Open) -> None:
    ledger = open_store()
    row = ledger.admit(send())
    assert isinstance(row, int)
    ledger.finish(row, "OK", 2)
    ledger.record("profiles_get", "acc_1", "VALIDATION_ERROR", 0, "abc")
    rows = ledger.rows()
    assert [(r["tool"], r["outcome"], r["estimated"], r["charged"]) for r in rows] == [
        ("messages_send", "OK", 1, 2),
        ("profiles_get", "VALIDATION_ERROR", 0, 0),
    ]
    assert set(rows[0]) == {
        "id",
        "ts",
        "day",
        "tool",
        "account",
        "outcome",
        "estimated",
        "charged",
        "args_digest",
        "dedup_key",
        "kind",
        "pid",
    }
    assert ledger.spend_report() == [
        ("2026-11-18", "messages_send", "acc_1", 1, 1, 2),
        ("2026-11-18", "profiles_get", "acc_1", 1, 0, 0),
    ]


def test_duplicate_suppressed_within_window_then_allowed(open_store: Open) -> None:
    clock = Clock()
    ledger = open_store(clock)
    first = ledger.admit(send())
    assert isinstance(first, int)
    in_flight = ledger.admit(send())
    assert isinstance(in_flight, Refusal) and "still in flight" in in_flight.message
    ledger.finish(first, "OK", 1)
    clock.t += 3600
    dup = ledger.admit(send())
    assert isinstance(dup, Refusal) and dup.code == "DUPLICATE_SUPPRESSED"
    assert "2026-11-18T11:06:40Z" in dup.message and "allow_duplicate" in dup.message
    assert ledger.peek(send()) == dup  # what admit would say, recording nothing
    assert isinstance(ledger.admit(send("other-text")), int)  # a different text is not a duplicate
    assert isinstance(ledger.admit(send(allow_duplicate=True)), int)  # allowed, and recorded under its key
    clock.t += 24 * 3600
    assert isinstance(ledger.admit(send("k-new")), int)
    assert isinstance(ledger.admit(send("other-text")), Refusal)  # still within 24 h of its own send


def test_one_invitation_per_person_until_an_answer_shows_none(open_store: Open) -> None:
    """`per_person`: any note; the refusal says the note differed; `dedup_after` reopens the guard."""
    clock = Clock()
    ledger = open_store(clock)
    invite = {"tool": "network_invite", "kind": "invitation", "per_person": True, "dedup_window_s": 90 * 86400}
    first = ledger.admit(send("jane", **invite, args_digest="note-1"))
    assert isinstance(first, int)
    ledger.finish(first, "OK", 1)
    clock.t += 30 * 86400
    again = ledger.admit(send("jane", **invite, args_digest="note-2"))
    assert isinstance(again, Refusal) and again.code == "DUPLICATE_SUPPRESSED"
    assert again.message.startswith(
        "This account already sent network_invite to this person at 2026-11-18T11:06:40Z, with other arguments"
    )
    same = ledger.peek(send("jane", **invite, args_digest="note-1"))
    assert same is not None and "with the same arguments" in same.message
    reopened = ledger.admit(send("jane", **invite, args_digest="note-2", dedup_after=clock.t - 60))
    assert isinstance(reopened, int)  # an answer a minute ago showed no invitation


def test_cache_put_many_is_one_write(open_store: Open) -> None:
    ledger = open_store()
    ledger.cache_put_many([("a", "relation", "acc_1", "p1", '"x"'), ("b", "relation", "acc_1", "p2", '"y"')])
    ledger.cache_put_many([("a", "relation", "acc_1", "p1", '"z"')])
    assert ledger.cache_get("a") == ('"z"', DAY0) and ledger.cache_get("b") == ('"y"', DAY0)


def test_failed_send_is_not_a_duplicate_but_unknown_outcome_is(open_store: Open) -> None:
    ledger = open_store()
    failed = ledger.admit(send("a"))
    assert isinstance(failed, int)
    ledger.finish(failed, "INVALID_PARAMS", 0)
    assert isinstance(ledger.admit(send("a")), int)
    unknown = ledger.admit(send("b"))
    assert isinstance(unknown, int)
    ledger.finish(unknown, OUTCOME_UNKNOWN, 0)
    again = ledger.admit(send("b"))
    assert isinstance(again, Refusal) and "unknown outcome" in again.message


def test_pacing_cap_per_account_and_kind_resets_at_utc_midnight(open_store: Open) -> None:
    clock = Clock()
    ledger = open_store(clock)
    for i in range(3):
        row = ledger.admit(send(f"k{i}", kind_cap=3))
        assert isinstance(row, int)
        ledger.finish(row, "OK", 1)
    capped = ledger.admit(send("k9", kind_cap=3))
    assert isinstance(capped, Refusal) and capped.code == "PACING_LIMIT"
    assert "3 of 3" in capped.message and "2026-11-19T00:00:00Z" in capped.message
    assert isinstance(ledger.admit(send("k8", account="acc_2", kind_cap=3)), int)  # other account
    assert isinstance(ledger.admit(send("k7", account=None, kind_cap=1)), int)  # no account is one too
    assert isinstance(ledger.admit(send("k6", account=None, kind_cap=1)), Refusal)
    clock.t = 1_795_046_400.0  # 2026-11-19T00:00:00Z
    assert isinstance(ledger.admit(send("k9", kind_cap=3)), int)


def test_daily_budget_counts_charges_and_pending_estimates(open_store: Open) -> None:
    clock = Clock()
    ledger = open_store(clock)
    a = ledger.admit(Admission("profiles_search_people", "acc_1", 6, "d", daily_budget=10))
    assert isinstance(a, int)  # pending: its 6 are counted
    b = ledger.admit(Admission("profiles_search_people", "acc_1", 5, "d", daily_budget=10))
    assert isinstance(b, Refusal) and b.code == "BUDGET_EXCEEDED" and "only 4" in b.message
    ledger.finish(a, "OK", 2)
    assert ledger.spent_today() == 2
    assert isinstance(ledger.admit(Admission("profiles_search_people", "acc_1", 5, "d", daily_budget=10)), int)
    assert ledger.spent_today() == 7
    clock.t += 16 * 60  # a pending row this old belongs to a process that died: its estimate stops counting
    assert ledger.spent_today() == 2
    huge = ledger.admit(Admission("profiles_search_people", "acc_1", 2**70, "d", daily_budget=10))
    assert isinstance(huge, Refusal) and ledger.rows()[-1]["estimated"] == 2**53  # stored bounded


def test_read_cache_table(open_store: Open) -> None:
    ledger = open_store()
    assert ledger.cache_get("k") is None
    ledger.cache_put("k", "profiles_get", "acc_1", "s1", json.dumps({"a": 1}))
    ledger.cache_put("k", "profiles_get", "acc_1", "s1", json.dumps({"a": 2}))  # replaces
    assert ledger.cache_get("k") == ('{"a": 2}', DAY0)
    ledger.cache_put("k2", "profiles_get", "acc_1", "s2", "2")
    ledger.cache_put("k3", "profiles_get", "acc_1", None, "3")
    ledger.cache_put("k4", "profiles_get", None, "s1", "4")
    assert ledger.cache_drop([], "acc_1", "s1") == 0
    assert ledger.cache_drop(["profiles_get"], "acc_1", "s1") == 2  # its subject, and the one with none
    assert ledger.cache_get("k2") is not None and ledger.cache_get("k4") is not None
    assert ledger.cache_drop(["profiles_get", "other"], None, None) == 1  # no account is an account too
    assert ledger.cache_drop(["profiles_get"], "acc_1", None) == 1  # no subject: every one


def test_preview_tokens_are_taken_once(open_store: Open) -> None:
    clock = Clock()
    ledger = open_store(clock)
    ledger.token_put("t1", "bound", DAY0 + 600)
    assert ledger.token_take("t1") == ("bound", DAY0 + 600)
    assert ledger.token_take("t1") is None
    ledger.token_put("t2", "b", DAY0 + 10)
    clock.t += 20
    ledger.token_put("t3", "b", clock.t + 600)  # an issue sweeps the expired ones
    assert ledger.token_take("t2") is None and ledger.token_take("t3") is not None


def test_drift_rows(open_store: Open) -> None:
    ledger = open_store()
    ledger.drift_add("profiles_get", "acc_1", '["x"]')
    ledger.drift_add("profiles_get", None, '["y"]')
    assert [r[1:] for r in ledger.drift_recent("2026-11-01", 10)] == [
        ("profiles_get", None, '["y"]'),
        ("profiles_get", "acc_1", '["x"]'),
    ]
    assert ledger.drift_recent("2026-11-19", 10) == []


def test_schema_is_migrated_once_and_kept(target: str) -> None:
    first = open_ledger(target, clock=Clock())
    first.record("profiles_get", "acc_1", "OK", 1, "d", 1)
    first.check()
    first.close()
    again = open_ledger(target, clock=Clock())  # nothing left to migrate; the rows are kept
    assert len(again.rows()) == 1
    again.close()


def test_a_sqlite_file_from_before_versioning_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SQLITE[0])  # the tables as they were, user_version 0
    db.execute(
        "INSERT INTO calls (ts, day, tool, account, outcome, estimated, charged, args_digest, pid)"
        " VALUES (1, '2026-11-18', 'profiles_get', 'acc_1', 'OK', 1, 1, 'd', 1)"
    )
    db.commit()
    db.close()
    ledger = Ledger(path)
    assert len(ledger.rows()) == 1
    ledger.token_put("t", "b", 1e12)  # a table of a later migration
    with ledger.connection() as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(SQLITE),)
    ledger.close()


def test_postgres_ledgers_opened_at_once_migrate_once(postgres: PostgresServer) -> None:  # noqa: F811
    target = postgres.target()
    with ThreadPoolExecutor(max_workers=6) as pool:
        stores = list(pool.map(lambda _: open_ledger(target), range(6)))
    for store in stores:
        store.record("profiles_get", None, "OK", 1, "d", 1)
    assert len(stores[0].rows()) == 6
    for store in stores:
        store.close()


def _worker(target: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ledger = open_ledger(target)
    admitted = 0
    for i in range(n):
        result = ledger.admit(send(f"w{i}", kind_cap=15))
        if isinstance(result, int):
            admitted += 1
            ledger.finish(result, "OK", 1)
    ledger.close()
    out.put(admitted)


def test_two_processes_share_one_ledger_without_exceeding_a_cap(target: str) -> None:
    open_ledger(target).close()
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=_worker, args=(target, 20, out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    admitted = out.get(timeout=5) + out.get(timeout=5)
    # both processes tried the same 20 keys: duplicates and the cap of 15 hold across processes
    assert admitted == 15
    ledger = open_ledger(target)
    rows = ledger.rows()
    ledger.close()
    assert sum(r["outcome"] == "OK" for r in rows) == 15
    assert len(rows) == 40


def test_threads_share_one_ledger(target: str) -> None:
    """The call pipeline runs ledger work in worker threads: concurrent gates, rows and reads from
    many threads neither fail nor let a cap or a duplicate through."""
    ledger = open_ledger(target)

    def one(i: int) -> bool:
        ledger.record("profiles_get", "acc_1", "OK", 1, f"r{i}", 1)
        gate = ledger.admit(send(f"k{i % 20}", kind_cap=15))  # each key twice: once a duplicate
        if isinstance(gate, int):
            ledger.finish(gate, "OK", 1)
        ledger.spent_today()
        ledger.rows()
        return isinstance(gate, int)

    with ThreadPoolExecutor(max_workers=8) as pool:
        admitted = sum(pool.map(one, range(40)))
    assert admitted == 15
    rows = ledger.rows()
    assert len(rows) == 80
    assert sum(r["outcome"] == "OK" for r in rows) == 40 + 15
    assert ledger.spent_today() == 55
    ledger.close()
    reopened = open_ledger(target)
    assert len(reopened.rows()) == 80  # every row was committed
    reopened.close()


@pytest.mark.anyio
async def test_ledger_work_runs_off_the_event_loop(target: str) -> None:
    ledger = open_ledger(target)
    async with anyio.create_task_group() as tasks:
        for i in range(20):
            tasks.start_soon(anyio.to_thread.run_sync, ledger.record, "profiles_get", "acc_1", "OK", 1, f"d{i}", 1)
    assert await anyio.to_thread.run_sync(ledger.spent_today) == 20
    ledger.close()


def _admit_and_die(target: str) -> None:
    """A process that passes the gate and dies before its call ends (as under kill -9)."""
    ledger = open_ledger(target)
    assert isinstance(ledger.admit(send("dying", estimated=3)), int)
    os._exit(0)


def test_a_pending_row_of_a_dead_process_is_settled_as_an_unknown_outcome(target: str) -> None:
    open_ledger(target).close()
    child = multiprocessing.Process(target=_admit_and_die, args=(target,))
    child.start()
    child.join(30)
    ledger = open_ledger(target)  # settles at open and in every admit
    again = ledger.admit(send("dying"))
    assert isinstance(again, Refusal) and "unknown outcome" in again.message
    [row] = [r for r in ledger.rows() if r["pid"] == child.pid]
    assert (row["outcome"], row["charged"]) == (OUTCOME_UNKNOWN, 3)  # counted at its estimate
    mine = ledger.admit(send("alive"))
    assert isinstance(mine, int)
    assert isinstance(ledger.admit(send("other")), int)  # this process's own row stays in flight
    assert [r["outcome"] for r in ledger.rows() if r["id"] == mine] == ["PENDING"]
    ledger.close()


def test_another_hosts_pending_rows_are_settled_by_age_alone(postgres: PostgresServer) -> None:  # noqa: F811
    """Over PostgreSQL a pid says nothing about a row another machine wrote: it stays in flight
    for STALE_PENDING_S, then settles."""
    import psycopg

    target = postgres.target()
    clock = Clock()
    ledger = open_ledger(target, clock=clock)
    url, _, schema = target.partition("#")
    with psycopg.connect(url, autocommit=True) as conn:
        for key, age in (("old", 16 * 60), ("young", 60)):
            conn.execute(
                f"INSERT INTO {schema}.calls (ts, day, tool, account, outcome, estimated, charged, args_digest,"
                " dedup_key, kind, pid, host) VALUES (%s, '2026-11-18', 'messages_send', 'acc_1', 'PENDING', 1, 0,"
                " 'd', %s, 'message', 1, 'another-machine')",
                (DAY0 - age, key),
            )
    assert isinstance(ledger.admit(send("x")), int)
    outcomes = {r["dedup_key"]: r["outcome"] for r in ledger.rows()}
    assert outcomes == {"old": OUTCOME_UNKNOWN, "young": "PENDING", "x": "PENDING"}
    ledger.close()


def test_outreach_today_counts_what_pacing_counts(open_store: Open) -> None:
    clock = Clock()  # 2026-11-18T11:06:40Z
    store = open_store(clock)

    def admit(key: str, kind: str | None, account: str = "acc_1", outcome: str = "OK") -> None:
        a = Admission(tool="t", account=account, estimated=1, args_digest="d", dedup_key=key, kind=kind, kind_cap=9)
        row = store.admit(a)
        assert isinstance(row, int)
        store.finish(row, outcome, 1)

    admit("m1", "message")
    admit("m2", "message")
    admit("m3", "message", outcome="OUTCOME_UNKNOWN")  # may have been sent: counted, as pacing does
    admit("m4", "message", outcome="INVALID_PARAMS")  # refused by the API: not counted
    admit("i1", "invitation")
    admit("i2", "invitation", account="acc_2")
    admit("p1", None)  # outreach without a pacing kind (a job published)
    store.record("messages_send", "acc_1", "PACING_LIMIT", 1, "d")
    assert store.outreach_today("acc_1") == {"message": 3, "invitation": 1}
    assert store.outreach_today("acc_2") == {"invitation": 1}
    assert store.outreach_today(None) == {}
    clock.t += 86_400  # the next UTC day
    assert store.outreach_today("acc_1") == {}
