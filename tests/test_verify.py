"""`linkup-mcp verify` and drift on contact with the API: against the sandbox as documented
(everything ok), and against a sandbox made to drift (a renamed field, an extra credit) through
its fault injection — the report, the exit status, the envelope's `drift` and the ledger."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp.cli.commands import print_ledger
from linkup_mcp.cli.verify import DEFAULT_MAX_CREDITS, PLAN, run_verify
from linkup_mcp.config import Settings, load_settings
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.store.drift_log import DriftLog
from linkup_mcp.store.ledger import Ledger

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


def settings_for(sandbox: SandboxServer, tmp_path: Path, **more: Any) -> Settings:
    return load_settings(
        api_key=sandbox.config.api_key,
        base_url=sandbox.base_url,
        account_id=sandbox.config.account_id,
        ledger=str(tmp_path / "ledger.sqlite3"),
        **more,
    )


async def verify(settings: Settings, max_credits: int | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = await run_verify(settings, max_credits)
    return status, out.getvalue().splitlines()


async def test_the_sandbox_answers_as_documented(sandbox: SandboxServer, tmp_path: Path) -> None:
    status, lines = await verify(settings_for(sandbox, tmp_path))
    assert status == 0, lines
    assert lines[0] == f"linkup-mcp verify: {sandbox.base_url}, up to {DEFAULT_MAX_CREDITS} credits"
    checked = [line for line in lines if line.startswith("✓ ")]
    # the free ones first, then paid ones while they fit in 5 credits
    assert [line.split(":")[0][2:] for line in checked] == [tool for tool, _ in PLAN][:9]
    assert lines[-1] == "9 ok, 0 drifted, 0 errors, 3 skipped; 5 credit(s) spent"
    spent = sandbox.config.initial_credits - sandbox.state.balance
    assert spent == 5 and all(r.action != "validate_email" for r in sandbox.state.requests)  # the cap held


async def test_a_drifting_api_is_reported_and_recorded(sandbox: SandboxServer, tmp_path: Path) -> None:
    sandbox.state.add_fault("rename-field:public_id", "get_me")
    sandbox.state.add_fault("extra-credit", "list_connections")
    settings = settings_for(sandbox, tmp_path)
    status, lines = await verify(settings)
    assert status == 1, lines
    assert "✗ profiles_get_me: drift (1 credit) — renamed data.public_id -> data.public_id_renamed" in lines
    assert "✗ network_list_connections: drift (2 credits) — credits: charged 2, the rule gives 1" in lines
    assert lines[-1].startswith("6 ok, 2 drifted, 0 errors, 4 skipped; 5 credit(s) spent.")  # the extra credit counts
    recorded = DriftLog(Ledger(settings.ledger_path())).recent()
    assert {(r["tool"], tuple(r["differences"])) for r in recorded} == {
        ("profiles_get_me", ("renamed data.public_id -> data.public_id_renamed",)),
        ("network_list_connections", ("credits: charged 2, the rule gives 1",)),
    }
    report = io.StringIO()
    with redirect_stdout(report):
        print_ledger(settings.ledger_path(), 30)
    assert "answers that differed from LinkupAPI's docs (2, newest first; please report them):" in report.getvalue()
    assert "network_list_connections: credits: charged 2, the rule gives 1" in report.getvalue()


async def test_the_cap_keeps_verify_to_the_free_calls(sandbox: SandboxServer, tmp_path: Path) -> None:
    status, lines = await verify(settings_for(sandbox, tmp_path), max_credits=0)
    assert status == 0 and sandbox.state.balance == sandbox.config.initial_credits
    assert lines[-1] == "4 ok, 0 drifted, 0 errors, 8 skipped; 0 credit(s) spent"


async def test_without_a_key_nothing_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKUP_API_KEY", raising=False)
    status, _ = await verify(load_settings(ledger=str(tmp_path / "l.sqlite3")))
    assert status == 2


async def test_in_normal_use_the_envelope_says_so(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Drift in an ordinary tool call: one short `drift` member, the data left as the API sent it."""
    from linkup_mcp.call.runtime import open_runtime

    sandbox.state.add_fault("rename-field:results", "search_people")
    async with open_runtime(settings_for(sandbox, tmp_path)) as runtime:
        drifted = await runtime.call("profiles_search_people", {"keyword": "cto", "total_results": 3})
        clean = await runtime.call("profiles_search_people", {"keyword": "cto", "total_results": 3})
    assert drifted["ok"] is True and "results_renamed" in drifted["data"]
    assert drifted["drift"] == ["renamed data.results -> data.results_renamed"]
    assert "drift" not in clean
