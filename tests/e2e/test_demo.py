"""`linkup-mcp demo`, the Quickstart's first command: every step answers as the demo expects."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.e2e.conftest import ROOT


def test_the_demo_runs_to_the_end() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    done = subprocess.run(
        [sys.executable, "-m", "linkup_mcp", "demo"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.rstrip().endswith(
        "Everything above ran through the real MCP server against the built-in sandbox."
    )
    outcomes = re.findall(r"^  → (.+)$", done.stdout, re.M)
    # Every step succeeds but the two the demo shows being refused on purpose: the second invitation
    # (the cached check already shows it pending: free) and arguments of the wrong type.
    refused = [o.split(":")[0] for o in outcomes if o != "ok"]
    assert len(outcomes) == 12 and refused == ["ALREADY_PENDING", "VALIDATION_ERROR"], outcomes
