"""Sandbox use keeps its own books: real spend, budgets, pacing and the duplicate guard never see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from linkup_mcp.store.ledger import Ledger
from tests.e2e.conftest import ROOT

PROFILE = '{"profile_url": "https://www.linkedin.com/in/victor-johnson"}'


def cli(ledger: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    return subprocess.run(
        [sys.executable, "-m", "linkup_mcp", *args],
        capture_output=True,
        text=True,
        env={**base, "LINKUP_LEDGER": str(ledger), **env},
        cwd=ROOT,
        timeout=60,
    )


def test_sandbox_calls_go_to_the_sandbox_ledger_only(tmp_path: Path) -> None:
    real = tmp_path / "ledger.sqlite3"
    sandboxed = tmp_path / "ledger.sandbox.sqlite3"
    charged = []
    for _ in range(2):
        done = cli(real, "call", "profiles_get", "--args", PROFILE, "--sandbox")
        assert done.returncode == 0, done.stderr
        charged.append(json.loads(done.stdout)["credits"]["charged"])
    assert charged == [1, 0]  # the second is answered from the sandbox ledger's read cache
    done = cli(real, "call", "profiles_search_people", "--args", '{"keyword": "cto"}', LINKUP_SANDBOX="1")
    assert done.returncode == 0, done.stderr

    assert not real.exists()
    assert [(r["tool"], r["outcome"]) for r in Ledger(str(sandboxed)).rows()] == [
        ("profiles_get", "OK"),
        ("profiles_get", "CACHE_HIT"),
        ("profiles_search_people", "OK"),
    ]
    report = cli(real, "ledger")
    assert report.stdout == f"no ledger at {real} yet (it is created by the first tool call)\n"
    report = cli(real, "--sandbox", "ledger")
    assert report.stdout.splitlines()[0] == f"ledger: {sandboxed} (last 30 days, UTC)"
    assert report.stdout.splitlines()[-1] == "total charged: 2 credits"
