"""Interop with a client that is not ours: the MCP Inspector CLI (TypeScript SDK) drives
`python -m linkup_mcp --sandbox` over stdio.

The Inspector is installed once from npm into a cache directory (~15 s the first time, then
reused). Pinned to the last release that runs on Node 20 (later ones need Node >= 22);
override with LINKUP_TEST_INSPECTOR=<npm spec>.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.envelope import text_form
from tests.e2e.conftest import ROOT

INSPECTOR = os.environ.get("LINKUP_TEST_INSPECTOR", "@modelcontextprotocol/inspector@0.15.0")
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NPM is None or shutil.which("node") is None, reason="npm/node not installed: cannot run the MCP Inspector"
    ),
]


@pytest.fixture(scope="module")
def inspector() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "linkup-mcp-tests" / re.sub(r"[^A-Za-z0-9.]+", "_", INSPECTOR)
    binary = prefix / "node_modules" / ".bin" / "mcp-inspector"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [NPM or "npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", INSPECTOR],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return binary


def run_inspector(binary: Path, *method: str) -> dict[str, Any]:
    command = [str(binary), "--cli", "-e", "LINKUP_LEDGER=:memory:", sys.executable, "-m", "linkup_mcp", "--sandbox"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    proc = subprocess.run(
        [*command, "--method", *method], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert isinstance(answer, dict)
    return answer


def test_tools_list(inspector: Path) -> None:
    tools = run_inspector(inspector, "tools/list")["tools"]
    assert len(tools) == len(Catalog.build().names())  # the default exposure
    assert all(t["inputSchema"]["type"] == "object" and "outputSchema" not in t for t in tools)


def test_tools_call(inspector: Path) -> None:
    result = run_inspector(inspector, "tools/call", "--tool-name", "profiles_get_me")
    envelope = result["structuredContent"]
    assert result["isError"] is False
    assert envelope["ok"] is True and envelope["tool"] == "profiles_get_me" and envelope["sandbox"] is True
    assert envelope["account_id"] == "acc_sandbox" and envelope["data"]["first_name"] == "Alex"
    assert json.loads(result["content"][0]["text"]) == text_form(envelope)
