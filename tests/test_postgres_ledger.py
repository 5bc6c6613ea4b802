"""What only the PostgreSQL ledger has, or what choosing it involves: LINKUP_LEDGER values checked
at start, scopes (sandbox, per-request keys) as schemas, the API rate window shared by processes,
an unreachable database, and /healthz."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import httpx2
import pytest
from starlette.responses import PlainTextResponse

from linkup_mcp.call.runtime import Runtime
from linkup_mcp.cli.settings import InvalidSettings, checked
from linkup_mcp.config import Settings, ledger_problem, scoped_ledger
from linkup_mcp.mcp.http import Health, key_settings
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.store.ledger import open_ledger
from linkup_mcp.store.postgres import LedgerUnavailable, PostgresLedger, masked
from tests.e2e.conftest import ROOT
from tests.pg import PostgresServer, postgres  # noqa: F401  (the session's PostgreSQL fixture)


@pytest.mark.parametrize(
    "value",
    [
        "/data/ledger.sqlite3",
        "ledger.sqlite3",
        ":memory:",
        r"C:\Users\me\ledger.sqlite3",
        "postgresql://linkup:secret@db.example.com:5432/linkup",
        "postgres://db/linkup#team_a",
        "postgresql:///linkup?host=/run/postgresql",
    ],
)
def test_paths_and_postgresql_urls_are_ledgers(value: str) -> None:
    assert ledger_problem(value) is None


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("postgresql:", "postgresql: is not a supported ledger"),
        ("postgresql:/db", "postgresql: is not a supported ledger"),
        ("mysql://db/linkup", "mysql: is not a supported ledger"),
        ("sqlite:///tmp/x.db", "sqlite: is not a supported ledger"),
        ("postgresql://db/linkup#Team-A", "the schema after '#'"),
    ],
)
def test_other_values_stop_the_server_with_the_fix(value: str, said: str) -> None:
    problem = ledger_problem(value)
    assert problem is not None and said in problem and "postgresql://" in problem and "file path" in problem
    with pytest.raises(InvalidSettings) as refused:
        checked(lambda: Settings(ledger=value))
    assert refused.value.problems[0].variable == "LINKUP_LEDGER"


def test_the_server_refuses_to_start_and_never_prints_the_password() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    done = subprocess.run(
        [sys.executable, "-m", "linkup_mcp", "tools"],
        env={**env, "LINKUP_LEDGER": "postgresql:user:hunter2@db/linkup"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert "LINKUP_LEDGER: postgresql: is not a supported ledger" in done.stderr
    assert "hunter2" not in done.stderr and not (ROOT / "postgresql:user:hunter2@db").exists()


def test_scopes_are_files_or_schemas() -> None:
    url = "postgresql://db/linkup"
    assert Settings(ledger=url, sandbox=True).ledger_path() == f"{url}#linkup_sandbox"
    assert Settings(ledger=f"{url}#team", sandbox=True).ledger_path() == f"{url}#team_sandbox"
    assert Settings(ledger="/x/ledger.sqlite3", sandbox=True).ledger_path() == "/x/ledger.sandbox.sqlite3"
    assert scoped_ledger(":memory:", "sandbox") == ":memory:"
    per_key = key_settings(Settings(ledger=url), "lk_alice_KEY_0123456789", "ab" * 32)
    assert per_key.ledger == f"{url}#linkup_{'ab' * 8}"
    assert masked("postgresql://u:p%40ss@h/db?password=x&sslmode=require") == (
        "postgresql://u:****@h/db?password=****&sslmode=require"
    )


def test_scopes_in_one_database_keep_separate_books(postgres: PostgresServer) -> None:  # noqa: F811
    target = postgres.target()
    real, sandbox = open_ledger(target), open_ledger(scoped_ledger(target, "sandbox"))
    try:
        sandbox.record("profiles_get", "acc_1", "OK", 1, "d", 1)
        assert real.rows() == [] and len(sandbox.rows()) == 1
        assert isinstance(real, PostgresLedger) and real.location.endswith(target.partition("#")[2])
    finally:
        real.close()
        sandbox.close()


def test_an_unreachable_database_is_one_clear_error(tmp_path: object) -> None:
    with pytest.raises(LedgerUnavailable) as failed:
        open_ledger(f"postgresql://linkup:hunter2@/postgres?host={tmp_path}&port=1&connect_timeout=2")
    assert "cannot use the PostgreSQL ledger" in str(failed.value) and "hunter2" not in str(failed.value)
    assert isinstance(failed.value, OSError)  # what the CLI commands already report


def _take(target: str, n: int, limit: int, period: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import anyio

    ledger = open_ledger(target)
    window = ledger.rate_limiter("lk_shared_KEY_0123456789", limit, period)
    assert window is not None

    async def run() -> list[float]:
        stamps = []
        for _ in range(n):
            await window.acquire()
            stamps.append(time.time())
        return stamps

    out.put(anyio.run(run))
    ledger.close()


def test_the_api_rate_window_is_shared_by_processes(postgres: PostgresServer) -> None:  # noqa: F811
    """Two processes with one key and a window of 5 requests per second: together, never more
    than 5 in any second (each alone would allow 5)."""
    target, limit, period, each = postgres.target(), 5, 1.0, 8
    open_ledger(target).close()
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=_take, args=(target, each, limit, period, out)) for _ in range(2)]
    for p in procs:
        p.start()
    stamps = sorted(out.get(timeout=30) + out.get(timeout=30))
    for p in procs:
        p.join(10)
    assert len(stamps) == 2 * each
    # the (limit+1)-th request after any request comes a full period later (the database's clock
    # and this machine's are one clock here; 20 ms for the time between taking a slot and stamping)
    gaps = [stamps[i + limit] - stamps[i] for i in range(len(stamps) - limit)]
    assert min(gaps) >= period - 0.02, gaps
    assert open_ledger(target).rate_limiter("other", 1) is not None  # per key: another key has its own


def test_sqlite_keeps_the_window_per_process(tmp_path: object) -> None:
    assert open_ledger(":memory:").rate_limiter("k", 300) is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_healthz_answers_while_the_ledger_is_usable(
    backend: str, request: pytest.FixtureRequest, catalog: Catalog, tmp_path: object
) -> None:
    target = request.getfixturevalue("postgres").target() if backend == "postgres" else f"{tmp_path}/ledger.sqlite3"
    ledger = open_ledger(target)
    app = Health(
        PlainTextResponse("the MCP app", status_code=418),
        Runtime(catalog, client=None, meter=CreditMeter(), ledger=ledger),
    )

    async def get(path: str) -> httpx2.Response:
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://replica") as http:
            return await http.get(path)

    import anyio

    ok, other = anyio.run(get, "/healthz"), anyio.run(get, "/mcp")
    ledger.close()
    down = anyio.run(get, "/healthz")
    assert (ok.status_code, ok.text) == (200, "ok")
    assert other.status_code == 418  # everything else goes to the app (and its token check)
    assert (down.status_code, down.text) == (503, "ledger unavailable")


def test_doctor_and_the_ledger_command_use_the_database(postgres: PostgresServer) -> None:  # noqa: F811
    from linkup_mcp.cli.doctor import _ledger_check

    target = postgres.target()
    ledger = open_ledger(target)
    ledger.record("profiles_get", "acc_1", "OK", 1, "d", 1)
    ledger.close()
    check = _ledger_check(target)
    assert check.ok and "reachable" in check.detail
    broken = _ledger_check("postgresql://linkup@/postgres?host=/nonexistent&port=1&connect_timeout=2")
    assert not broken.ok and "LINKUP_LEDGER" in broken.detail
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    done = subprocess.run(
        [sys.executable, "-m", "linkup_mcp", "ledger"],
        env={**env, "LINKUP_LEDGER": target},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "profiles_get" in done.stdout and "total charged: 1 credits" in done.stdout


def test_the_ledger_outlives_a_database_restart() -> None:
    """Pooled connections the server dropped are replaced: the next call works (a server of its
    own: restarting the session's would cut the other tests off)."""
    from tests.pg import server_bin_dir

    if server_bin_dir() is None or os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("needs PostgreSQL binaries to start a server of its own")
    server = PostgresServer().start()
    try:
        ledger = open_ledger(server.target())
        ledger.record("profiles_get", None, "OK", 1, "d", 1)
        server.restart()
        ledger.record("profiles_get", None, "OK", 1, "d", 1)
        assert len(ledger.rows()) == 2
        ledger.close()
    finally:
        server.stop()
