"""`linkup-mcp doctor` in-process against a sandbox API on loopback: the exact report lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkup_mcp.__main__ import main
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog, Exposure
from linkup_mcp.spec.loader import default_specs_dir, load_specs


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in [n for n in os.environ if n.startswith("LINKUP_")]:
        monkeypatch.delenv(name)
    path = str(tmp_path / "ledger.sqlite3")
    monkeypatch.setenv("LINKUP_LEDGER", path)
    return path


def env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, **values: str) -> None:
    monkeypatch.setenv("LINKUP_BASE_URL", sandbox.base_url)
    for name, value in values.items():
        monkeypatch.setenv("LINKUP_" + name.upper(), value)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = main([*args, "doctor"])
    return status, capsys.readouterr().out.splitlines()


def specs_line() -> str:
    exposed = len(Catalog.build(exposure=Exposure()).definitions())  # the default exposure, local tools too
    return f"✓ tool specs: {len(load_specs())} actions from {default_specs_dir()}, {exposed} tools exposed"


def test_all_good(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, api_key="sandboxkey", account_id="acc_sandbox")
    assert doctor(capsys) == (
        0,
        [
            "✓ configuration: valid",
            "✓ API key: set (****xkey)",
            f"✓ base URL: {sandbox.base_url} reachable, key accepted",
            "✓ account: acc_sandbox (Alex Morgan) active",
            f"✓ credits: {sandbox.state.balance} remaining",
            f"✓ ledger: {ledger} writable",
            specs_line(),
        ],
    )


def test_wrong_key(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, api_key="not-the-key-abcd", account_id="acc_sandbox")
    status, lines = doctor(capsys)
    assert status == 1
    assert lines == [
        "✓ configuration: valid",
        "✓ API key: set (****abcd)",
        f"✗ base URL: {sandbox.base_url}: key rejected: Invalid or missing API key: send it in the x-api-key header. "
        "Check LINKUP_API_KEY (app.linkupapi.com).",
        "✗ account: not checked (fix the base URL / key first)",
        "✗ credits: not checked (fix the base URL / key first)",
        f"✓ ledger: {ledger} writable",
        specs_line(),
    ]
    assert "not-the-key" not in "\n".join(lines)


def test_inactive_account(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, api_key="sandboxkey", account_id="acc_inactive")
    status, lines = doctor(capsys)
    assert status == 1
    assert lines[3] == (
        "✗ account: acc_inactive (Jordan Lee) is disconnected: LinkedIn session expired; re-login via POST /v2/login. "
        "Reconnecting it is the user's step (app.linkupapi.com or linkup-mcp login); accounts_get shows when the "
        "account is connected again."
    )
    assert [line[0] for line in lines] == ["✓", "✓", "✓", "✗", "✓", "✓", "✓"]


def test_unknown_and_missing_account(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, api_key="sandboxkey", account_id="acc_nope")
    assert doctor(capsys)[1][3] == (
        "✗ account: acc_nope: INVALID_ACCOUNT: Account not found: acc_nope. List valid account ids with accounts_list."
    )
    monkeypatch.delenv("LINKUP_ACCOUNT_ID")
    assert doctor(capsys)[1][3] == (
        "✗ account: LINKUP_ACCOUNT_ID not set; set it to one of your account ids (active accounts: acc_sandbox)"
    )


def test_no_key(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, account_id="acc_sandbox")
    assert doctor(capsys) == (
        1,
        [
            "✓ configuration: valid",
            "✗ API key: not set; export LINKUP_API_KEY=... (your key from app.linkupapi.com), or try --sandbox",
            f"✗ base URL: {sandbox.base_url} not checked (needs an API key)",
            "✗ account: not checked (needs an API key)",
            "✗ credits: not checked (needs an API key)",
            f"✓ ledger: {ledger} writable",
            specs_line(),
        ],
    )


def test_sandbox_flag_all_good(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = doctor(capsys, "--sandbox")
    assert status == 0
    assert lines[1:5] == [
        "✓ API key: not needed (--sandbox uses the sandbox's own key)",
        "✓ base URL: built-in sandbox reachable, key accepted",
        "✓ account: acc_sandbox (Alex Morgan) active",
        "✓ credits: 1000 remaining",
    ]


def test_invalid_configuration_and_unwritable_ledger(
    ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LINKUP_TIMEOUT", "-1")
    assert doctor(capsys) == (
        1,
        [
            "✗ configuration: LINKUP_TIMEOUT: Input should be greater than 0 (got '-1'); fix or unset it",
            "(the other checks need a valid configuration)",
        ],
    )
    monkeypatch.delenv("LINKUP_TIMEOUT")
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("LINKUP_LEDGER", str(tmp_path / "file" / "ledger.sqlite3"))
    status, lines = doctor(capsys, "--sandbox")
    assert status == 1
    assert lines[5].startswith(f"✗ ledger: {tmp_path}/file/ledger.sandbox.sqlite3 not writable (")
    assert lines[5].endswith("); set LINKUP_LEDGER to a writable file")


def test_no_credits_left(
    sandbox: SandboxServer, ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env(monkeypatch, sandbox, api_key="sandboxkey", account_id="acc_sandbox")
    before = sandbox.state.balance
    sandbox.state.set_balance(0)
    try:
        status, lines = doctor(capsys)
    finally:
        sandbox.state.set_balance(before)
    assert status == 1
    assert lines[4] == "✗ credits: 0 remaining. Top up at app.linkupapi.com. Check the balance with credits_get."


def test_a_misspelled_toolset_fails_the_configuration_check(
    ledger: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKUP_TOOLSETS", "profiles,mesages")
    status, lines = doctor(capsys, "--sandbox")
    assert status == 1
    assert lines[0].startswith("✗ configuration: LINKUP_TOOLSETS: unknown toolset 'mesages' (did you mean messages?)")
    assert lines[1:] == ["(the other checks need a valid configuration)"]
