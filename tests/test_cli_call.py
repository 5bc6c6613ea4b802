"""`linkup-mcp call`: one tool call from the command line, its envelope on stdout, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")} | {"LINKUP_LEDGER": ":memory:"}
    return subprocess.run(
        [sys.executable, "-m", "linkup_mcp", "call", *args, "--sandbox"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_call_prints_the_envelope() -> None:
    done = run("profiles_get", "--args", '{"profile_url": "https://www.linkedin.com/in/victor-johnson"}')
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    assert envelope["ok"] is True and envelope["tool"] == "profiles_get" and envelope["sandbox"] is True
    assert envelope["data"]["public_id"] == "victor-johnson"
    assert envelope["credits"]["charged"] == envelope["credits"]["session_spent"] == 1


def test_args_from_stdin() -> None:
    done = run("profiles_get", "--args", "-", stdin='{"profile_url": "https://www.linkedin.com/in/victor-johnson"}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"]["public_id"] == "victor-johnson"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["profiles_get", "--args", "{nope"], 2, "--args is not valid JSON"),
        (["profiles_get", "--args", "[1]"], 2, "--args must be a JSON object"),
        (["profiles_nope"], 2, "unknown tool 'profiles_nope'; run `linkup-mcp tools` to list them"),
    ],
)
def test_bad_input_exits_2_with_the_fix(args: list[str], code: int, says: str) -> None:
    done = run(*args)
    assert (done.returncode, done.stdout) == (code, "")
    assert says in done.stderr and "Traceback" not in done.stderr


def test_an_error_envelope_exits_1() -> None:
    done = run("profiles_get", "--args", "{}")
    assert done.returncode == 1
    envelope = json.loads(done.stdout)
    assert envelope["error"]["code"] == "VALIDATION_ERROR"
    assert envelope["error"]["fields"][0]["field"] == "profile_url"
