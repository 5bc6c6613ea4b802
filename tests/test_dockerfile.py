"""The Dockerfile, read as instructions: base, lockfile install, non-root user, stdio entrypoint.

Building the image needs a Docker daemon and the network to Docker Hub; that test runs only
with LINKUP_TEST_DOCKER=1 and a reachable daemon.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    return [(first.upper(), rest.strip()) for first, _, rest in (entry.partition(" ") for entry in logical)]


def stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for step in steps:
        if step[0] == "FROM":
            out.append([])
        out[-1].append(step)
    return out


STEPS = instructions((ROOT / "Dockerfile").read_text())


def test_base_and_lockfile_install() -> None:
    build, final = stages(STEPS)
    assert build[0] == ("FROM", "python:3.12-slim AS build")
    assert final[0] == ("FROM", "python:3.12-slim")
    runs = [args for op, args in build if op == "RUN"]
    assert any("uv sync --locked --no-dev --no-editable" in r for r in runs), runs
    assert not any(op == "RUN" and "uv " in args for op, args in final), "uv stays in the build stage"


def test_runs_as_a_non_root_user_with_a_stdio_entrypoint() -> None:
    final = stages(STEPS)[-1]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    entrypoints = [args for op, args in final if op == "ENTRYPOINT"]
    assert [json.loads(e) for e in entrypoints] == [["linkup-mcp"]]  # exec form: signals reach the server
    assert not [args for op, args in final if op in {"CMD", "EXPOSE"}], "stdio by default: no arguments, no port"
    envs = " ".join(args for op, args in final if op == "ENV")
    assert "/app/.venv/bin" in envs and "LINKUP_API_KEY" not in envs, "no key baked into the image"


def test_copied_files_exist_and_are_not_ignored() -> None:
    ignored = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and p[0] != "#"]
    sources = [args.split()[:-1] for op, args in STEPS if op == "COPY" and "--from=" not in args]
    for source in (s for group in sources for s in group):
        assert (ROOT / source).exists(), source
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
    assert {"pyproject.toml", "uv.lock", "README.md", "linkup_mcp", "tool_specs"} <= {s for g in sources for s in g}


def _docker_ready() -> bool:
    if os.environ.get("LINKUP_TEST_DOCKER") != "1" or shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _docker_ready(), reason="image build needs LINKUP_TEST_DOCKER=1 and a running Docker daemon")
def test_image_builds_and_runs() -> None:  # pragma: no cover - not run in CI here
    subprocess.run(["docker", "build", "-t", "linkup-mcp:test", str(ROOT)], check=True, timeout=900)
    whoami = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", "linkup-mcp:test", "-u"], capture_output=True, text=True
    )
    assert whoami.stdout.strip() not in {"", "0"}
    doctor = subprocess.run(["docker", "run", "--rm", "linkup-mcp:test", "--sandbox", "doctor"], capture_output=True)
    assert doctor.returncode == 0, doctor.stdout
