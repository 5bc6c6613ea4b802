"""The wheel, installed into a fresh venv outside the checkout, runs with the tool specs it ships.

Builds with `uv build` (hatchling from uv's cache or PyPI), installs with `uv pip`, and runs the
installed console script from a temporary directory, so nothing can come from the repository.
About 5 s with a warm uv cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkup_mcp import __version__
from linkup_mcp.spec.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(UV is None, reason="uv is not on PATH")]


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINKUP_", "VIRTUAL_ENV", "UV_PROJECT"))}
    env["LINKUP_LEDGER"] = ":memory:"
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(UV or "uv", "build", "--wheel", "--out-dir", out, cwd=ROOT)
    (built,) = out.glob("linkup_mcp-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(bin directory of a fresh venv with the wheel installed, a working directory outside the repo)"""
    base = tmp_path_factory.mktemp("install")
    venv = base / "venv"
    run(UV or "uv", "venv", "--quiet", "--python", sys.executable, venv, cwd=base)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run(UV or "uv", "pip", "install", "--quiet", "--python", python, wheel, cwd=base)
    cwd = base / "elsewhere"
    cwd.mkdir()
    yield python.parent, cwd


def test_wheel_contains_the_specs(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("linkup_mcp/tool_specs/")}
    assert shipped == {p.name for p in (ROOT / "tool_specs").iterdir() if p.is_file()}
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_installed_wheel_lists_every_tool(installed: tuple[Path, Path]) -> None:
    bin_dir, cwd = installed
    tools = json.loads(run(bin_dir / "linkup-mcp", "tools", "--json", cwd=cwd).stdout)
    assert sorted(t["name"] for t in tools) == sorted(Catalog.build().names())  # the default exposure
    assert {"profiles_get_me", "credits_get", "accounts_get"} <= {t["name"] for t in tools}


def test_installed_wheel_doctor_in_sandbox(installed: tuple[Path, Path]) -> None:
    bin_dir, cwd = installed
    lines = run(bin_dir / "linkup-mcp", "--sandbox", "doctor", cwd=cwd).stdout.splitlines()
    assert all(line.startswith("✓") for line in lines), lines
    specs = lines[-1]  # read from inside the installed package, not from this checkout
    assert "site-packages" in specs and os.path.join("linkup_mcp", "tool_specs") in specs and str(ROOT) not in specs


def test_uv_tool_run_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    """What `uvx --from <wheel> linkup-mcp` does for a user."""
    out = run(UV or "uv", "tool", "run", "--from", wheel, "linkup-mcp", "--version", cwd=tmp_path)
    assert out.stdout.strip() == f"linkup-mcp {__version__}"
