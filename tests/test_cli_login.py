"""`linkup-mcp login` as a subprocess against a sandbox API on loopback: the token piped on
stdin (and typed on a pseudo-terminal, where getpass keeps it from being echoed), the exact
output, the exit status, and the token absent from stdout, stderr and the ledger."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkup_mcp.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
RETRY = "Run `linkup-mcp login` again with the same token (free) to retry the verification."


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def env(sandbox: SandboxServer, tmp_path: Path) -> dict[str, str]:
    sandbox.state.reset()
    base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    return {
        **base,
        "LINKUP_BASE_URL": sandbox.base_url,
        "LINKUP_API_KEY": sandbox.config.api_key,
        "LINKUP_LEDGER": str(tmp_path / "ledger" / "ledger.sqlite3"),
    }


def login(env: dict[str, str], stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "linkup_mcp", "login", *args]
    return subprocess.run(command, input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def ledger_rows(env: dict[str, str]) -> list[tuple[str, str | None, str, int]]:
    with sqlite3.connect(env["LINKUP_LEDGER"]) as db:
        rows = db.execute("SELECT tool, account, outcome, charged FROM calls ORDER BY id").fetchall()
    return [tuple(r) for r in rows]


def assert_token_nowhere(token: str, env: dict[str, str], *outputs: str) -> None:
    for output in outputs:
        assert token not in output
    for file in Path(env["LINKUP_LEDGER"]).parent.iterdir():  # the database, its WAL and shm
        assert token.encode() not in file.read_bytes(), file


def connected(account: str, cost: str) -> str:
    return (
        f"✓ LinkedIn account connected: {account} ({cost})\n"
        f"Use it: export LINKUP_ACCOUNT_ID={account}  (or pass account_id to each tool)\n"
    )


CODE_PROMPT = "LinkedIn sent a verification code (by email, SMS or authenticator app).\nVerification code: \n"
APP_PROMPT = "LinkedIn asks you to approve this sign-in in the LinkedIn app. Approve it, then press Enter: \n"


@pytest.mark.parametrize(
    ("token", "more", "account", "cost", "stderr", "rows"),
    [
        ("sandbox-login-connect", "", "acc_riley", "free", "", [("auth_login", None, "OK", 0)]),
        (
            "sandbox-login-code",
            "123456\n",
            "acc_sam",
            "1 credit",
            CODE_PROMPT,
            [("auth_login", None, "OK", 0), ("auth_checkpoint", "acc_sam", "OK", 1)],
        ),
        (
            "sandbox-login-app",
            "\n",
            "acc_noor",
            "1 credit",
            APP_PROMPT,
            [("auth_login", None, "OK", 0), ("auth_checkpoint", "acc_noor", "OK", 1)],
        ),
    ],
    ids=["connect", "code_challenge", "app_challenge"],
)
def test_piped_token_connects(
    sandbox: SandboxServer,
    env: dict[str, str],
    token: str,
    more: str,
    account: str,
    cost: str,
    stderr: str,
    rows: list[tuple[str, str | None, str, int]],
) -> None:
    done = login(env, f"{token}\n{more}", "--country", "fr")
    assert (done.returncode, done.stdout, done.stderr) == (0, connected(account, cost), stderr)
    assert sandbox.state.accounts[account].is_active
    assert ledger_rows(env) == rows
    assert_token_nowhere(token, env, done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("stdin", "status", "stderr"),
    [
        (
            "sandbox-login-expired\n",
            1,
            "linkup-mcp login: INVALID_PARAMS: Invalid parameter: login_token has expired; "
            "sign in to LinkedIn again to get a fresh one.\n",
        ),
        (
            "sandbox-login-code\n000000\n",
            1,
            CODE_PROMPT + "linkup-mcp login: INVALID_PARAMS: Invalid parameter: code is incorrect; "
            f"check the latest code and retry. {RETRY}\n",
        ),
        ("sandbox-login-code\n", 2, CODE_PROMPT + f"linkup-mcp login: no verification code given. {RETRY}\n"),
        (
            "",
            2,
            "linkup-mcp login: no login token given: type it at the prompt, or pipe it on stdin "
            "(e.g. `linkup-mcp login --country FR < token.txt`)\n",
        ),
    ],
    ids=["expired", "wrong_code", "no_code", "no_token"],
)
def test_failures_say_what_to_do(env: dict[str, str], stdin: str, status: int, stderr: str) -> None:
    done = login(env, stdin, "--country", "FR")
    assert (done.returncode, done.stdout, done.stderr) == (status, "", stderr)
    for token in stdin.split("\n")[:1]:
        if token:
            assert_token_nowhere(token, env, done.stdout, done.stderr)


def test_nothing_is_asked_or_sent_without_key_or_country(sandbox: SandboxServer, env: dict[str, str]) -> None:
    no_country = login(env, "sandbox-login-connect\n")
    assert (no_country.returncode, no_country.stderr) == (
        2,
        "linkup-mcp login: --country is required: the account's two-letter country code, e.g. --country FR\n",
    )
    del env["LINKUP_API_KEY"]
    no_key = login(env, "sandbox-login-connect\n", "--country", "FR")
    assert (no_key.returncode, no_key.stdout, no_key.stderr) == (
        2,
        "",
        "linkup-mcp login: LINKUP_API_KEY is not set; export LINKUP_API_KEY=... (your key from app.linkupapi.com), "
        "or try it with --sandbox\n",
    )
    assert sandbox.state.request_log() == []


def test_sandbox_flag(env: dict[str, str]) -> None:
    del env["LINKUP_API_KEY"], env["LINKUP_BASE_URL"]
    done = login(env, "sandbox-login-connect\n", "--sandbox", "--country", "FR")
    assert (done.returncode, done.stdout) == (0, connected("acc_riley", "free"))
    assert done.stderr == "(sandbox: the account exists only in this process's simulated API)\n"


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"no {wanted!r} in {bytes(seen)!r}"
        try:
            seen += os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break


def test_typed_token_is_not_echoed(sandbox: SandboxServer, env: dict[str, str]) -> None:
    """On a terminal the token is read with getpass: echo off, so the terminal never shows it;
    the verification code is typed visibly (it is asked with a plain prompt)."""
    token = "sandbox-login-code"
    master, slave = pty.openpty()
    # A new session has no controlling terminal: getpass falls back to stdin (the pty), never
    # the terminal running the tests.
    child = subprocess.Popen(
        [sys.executable, "-m", "linkup_mcp", "login", "--country", "FR"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"LinkedIn login token (input hidden): ", seen)
        os.write(master, token.encode() + b"\n")
        _read_until(master, b"Verification code: ", seen)
        os.write(master, b"123456\n")
        assert child.wait(timeout=30) == 0
        _read_until(master, b"(or pass account_id to each tool)\r\n", seen)
    finally:
        child.kill()
        os.close(master)
    transcript = seen.decode().replace("\r\n", "\n")
    assert transcript == (
        "LinkedIn login token (input hidden): \n"  # the token typed after it is not shown
        "LinkedIn sent a verification code (by email, SMS or authenticator app).\n"
        "Verification code: 123456\n" + connected("acc_sam", "1 credit")  # the code is, as typed
    )
    assert_token_nowhere(token, env, transcript)
