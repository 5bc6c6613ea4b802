"""The SQLite ledger: rows, duplicate window, pacing caps, daily budget, two processes on one file."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest

from linkup_mcp.store.ledger import OUTCOME_UNKNOWN, Admission, Ledger, Refusal

DAY0 = 1_795_000_000.0  # 2026-11-18T11:06:40Z


class Clock:
    def __init__(self, t: float = DAY0):
        self.t = t

    def __call__(self) -> float:
        return self.t


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


def test_rows_record_outcomes_and_never_arguments(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db", clock=Clock())
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


def test_duplicate_suppressed_within_window_then_allowed() -> None:
    clock = Clock()
    ledger = Ledger(":memory:", clock=clock)
    first = ledger.admit(send())
    assert isinstance(first, int)
    in_flight = ledger.admit(send())
    assert isinstance(in_flight, Refusal) and "still in flight" in in_flight.message
    ledger.finish(first, "OK", 1)
    clock.t += 3600
    dup = ledger.admit(send())
    assert isinstance(dup, Refusal) and dup.code == "DUPLICATE_SUPPRESSED"
    assert "2026-11-18T11:06:40Z" in dup.message and "allow_duplicate" in dup.message
    assert isinstance(ledger.admit(send("other-text")), int)  # a different text is not a duplicate
    clock.t += 24 * 3600
    assert isinstance(ledger.admit(send()), int)  # outside the 24 h window


def test_failed_send_is_not_a_duplicate_but_unknown_outcome_is() -> None:
    ledger = Ledger(":memory:", clock=Clock())
    failed = ledger.admit(send("a"))
    assert isinstance(failed, int)
    ledger.finish(failed, "INVALID_PARAMS", 0)
    assert isinstance(ledger.admit(send("a")), int)
    unknown = ledger.admit(send("b"))
    assert isinstance(unknown, int)
    ledger.finish(unknown, OUTCOME_UNKNOWN, 0)
    again = ledger.admit(send("b"))
    assert isinstance(again, Refusal) and "unknown outcome" in again.message


def test_pacing_cap_per_account_and_kind_resets_at_utc_midnight() -> None:
    clock = Clock()
    ledger = Ledger(":memory:", clock=clock)
    for i in range(3):
        row = ledger.admit(send(f"k{i}", kind_cap=3))
        assert isinstance(row, int)
        ledger.finish(row, "OK", 1)
    capped = ledger.admit(send("k9", kind_cap=3))
    assert isinstance(capped, Refusal) and capped.code == "PACING_LIMIT"
    assert "3 of 3" in capped.message and "2026-11-19T00:00:00Z" in capped.message
    assert isinstance(ledger.admit(send("k8", account="acc_2", kind_cap=3)), int)  # other account
    clock.t = 1_795_046_400.0  # 2026-11-19T00:00:00Z
    assert isinstance(ledger.admit(send("k9", kind_cap=3)), int)


def test_daily_budget_counts_charges_and_pending_estimates() -> None:
    ledger = Ledger(":memory:", clock=Clock())
    a = ledger.admit(Admission("profiles_search_people", "acc_1", 6, "d", daily_budget=10))
    assert isinstance(a, int)  # pending: its 6 are counted
    b = ledger.admit(Admission("profiles_search_people", "acc_1", 5, "d", daily_budget=10))
    assert isinstance(b, Refusal) and b.code == "BUDGET_EXCEEDED" and "only 4" in b.message
    ledger.finish(a, "OK", 2)
    assert ledger.spent_today() == 2
    assert isinstance(ledger.admit(Admission("profiles_search_people", "acc_1", 5, "d", daily_budget=10)), int)


def _worker(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ledger = Ledger(path)
    admitted = 0
    for i in range(n):
        result = ledger.admit(send(f"w{i}", kind_cap=15))
        if isinstance(result, int):
            admitted += 1
            ledger.finish(result, "OK", 1)
    out.put(admitted)


def test_two_processes_share_one_ledger_without_exceeding_a_cap(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    Ledger(path).close()
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=_worker, args=(path, 20, out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    admitted = out.get(timeout=5) + out.get(timeout=5)
    # both processes tried the same 20 keys: duplicates and the cap of 15 hold across processes
    assert admitted == 15
    rows = Ledger(path).rows()
    assert sum(r["outcome"] == "OK" for r in rows) == 15
    assert len(rows) == 40


def test_threads_share_one_ledger(tmp_path: Path) -> None:
    """The call pipeline runs ledger work in worker threads: concurrent gates, rows and reads from
    many threads neither fail nor let a cap or a duplicate through."""
    ledger = Ledger(tmp_path / "ledger.sqlite3")

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
    assert len(Ledger(tmp_path / "ledger.sqlite3").rows()) == 80  # every row was committed


@pytest.mark.anyio
async def test_ledger_work_runs_off_the_event_loop(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    async with anyio.create_task_group() as tasks:
        for i in range(20):
            tasks.start_soon(anyio.to_thread.run_sync, ledger.record, "profiles_get", "acc_1", "OK", 1, f"d{i}", 1)
    assert await anyio.to_thread.run_sync(ledger.spent_today) == 20
