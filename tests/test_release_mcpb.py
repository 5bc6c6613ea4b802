"""The Claude Desktop bundle (MCPB): manifest, build, official validation, and a start as Claude runs it.

scripts/build_mcpb.py makes dist/linkup-mcp-<version>.mcpb from packaging/mcpb/manifest.json plus
the tool list of `linkup-mcp tools --json`. The slow test packs it with the official CLI
(@anthropic-ai/mcpb, installed from npm at the version packaging/mcpb/package-lock.json pins, once,
into a cache directory), validates it, unpacks it, and starts the server with the manifest's
`mcp_config` after the substitutions Claude Desktop makes (`${__dirname}`, `${user_config.*}` with
the defaults of settings the user left empty) — then completes an MCP handshake with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp.config import ENV_PREFIX, Settings
from linkup_mcp.spec.catalog import Catalog
from scripts.build_mcpb import TEMPLATE, build, manifest
from scripts.release_files import ROOT, load_release
from tests.test_readme_snippets import Launch, check_handshake, exchange

NPM = shutil.which("npm")
USER_CONFIG = re.compile(r"\$\{user_config\.([A-Za-z0-9_]+)\}")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_uv_server_launched_like_the_readme(template: dict[str, Any]) -> None:
    assert template["manifest_version"] == "0.4"  # the first with the `uv` server type
    server = template["server"]
    assert server["type"] == "uv" and (ROOT / server["entry_point"]).is_file()
    config = server["mcp_config"]
    assert config["command"] == "uv"
    assert config["args"] == ["--directory", "${__dirname}", "run", "--frozen", "--no-dev", "linkup-mcp"]
    assert template["compatibility"]["runtimes"]["python"] == ">=3.10"


def test_user_config_maps_to_settings(template: dict[str, Any]) -> None:
    user_config = template["user_config"]
    env = template["server"]["mcp_config"]["env"]
    used = {name: USER_CONFIG.fullmatch(value)[1] for name, value in env.items()}  # type: ignore[index]
    assert sorted(used.values()) == sorted(user_config), "every user setting is passed, and only those"
    fields = {ENV_PREFIX + f.upper(): f for f in Settings.model_fields}
    for variable, key in used.items():
        option = user_config[key]
        field = Settings.model_fields[fields[variable]]
        if "default" in option:  # a default keeps an unset option from reaching the server as "${user_config...}"
            default = field.default if field.default is not None else ""
            assert option["default"] == default, key
        if option["type"] == "boolean":
            assert field.annotation is bool, key

    key = user_config[used["LINKUP_API_KEY"]]
    assert key["sensitive"] is True and key["required"] is True
    account = user_config[used["LINKUP_ACCOUNT_ID"]]
    assert account["required"] is False and not account.get("sensitive")
    assert [k for k, o in user_config.items() if o.get("sensitive")] == [used["LINKUP_API_KEY"]]


def test_metadata_agrees_with_server_json(template: dict[str, Any]) -> None:
    server = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    assert template["name"] == "linkup-mcp" and template["display_name"] == server["title"]
    assert template["description"] == server["description"]
    assert template["version"] == load_release().version
    assert "tools" not in template, "the tool list is generated at build time"


def test_built_manifest_lists_the_default_tools() -> None:
    tools = manifest()["tools"]
    names = [t["name"] for t in tools]
    assert sorted(names) == sorted(Catalog.build().names())  # the default exposure
    assert {"profiles_get_me", "messages_send", "accounts_list"} <= set(names)
    assert all(t["description"] and "\n" not in t["description"] for t in tools)


def test_zip_bundle_holds_the_project_and_nothing_else(tmp_path: Path) -> None:
    archive = build(tmp_path, mcpb=None)
    assert archive.name == f"linkup-mcp-{load_release().version}.mcpb"
    names = set(zipfile.ZipFile(archive).namelist())
    assert {"manifest.json", "pyproject.toml", "uv.lock", "README.md", "LICENSE", "linkup_mcp/__main__.py"} <= names
    specs = {n.split("/", 1)[1] for n in names if n.startswith("tool_specs/")}
    assert specs == {p.name for p in (ROOT / "tool_specs").iterdir() if p.is_file()}
    assert not any(n.startswith(("tests/", ".venv/", "dist/", ".git/")) or "__pycache__" in n for n in names)
    assert json.loads(zipfile.ZipFile(archive).read("manifest.json")) == json.loads(
        (tmp_path / "mcpb" / "linkup-mcp" / "manifest.json").read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module")
def mcpb_cli() -> Path:
    """The official CLI, `npm ci` from packaging/mcpb's lockfile into a cache directory (~5 s once)."""
    if NPM is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed: cannot run the official mcpb CLI")
    lock = (ROOT / "packaging/mcpb/package-lock.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "linkup-mcp-tests" / f"mcpb-{hashlib.sha256(lock).hexdigest()[:16]}"
    binary = prefix / "node_modules" / ".bin" / "mcpb"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(ROOT / "packaging/mcpb" / name, prefix / name)
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=prefix, check=True, capture_output=True, timeout=300)
    return binary


def substitute(value: Any, variables: dict[str, str]) -> Any:
    """What Claude Desktop does to mcp_config (@anthropic-ai/mcpb's replaceVariables)."""
    if isinstance(value, str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: variables.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return {k: substitute(v, variables) for k, v in value.items()}


@pytest.mark.slow
def test_official_cli_packs_validates_and_the_bundle_runs(mcpb_cli: Path, tmp_path: Path) -> None:
    archive = build(tmp_path / "dist", mcpb=str(mcpb_cli))
    staged = tmp_path / "dist" / "mcpb" / "linkup-mcp"
    validated = subprocess.run(
        [str(mcpb_cli), "validate", str(staged / "manifest.json")], capture_output=True, text=True, timeout=60
    )
    assert validated.returncode == 0 and "validation passes" in validated.stdout, validated.stdout + validated.stderr

    installed = tmp_path / "installed"  # where Claude Desktop unpacks an extension
    unpacked = subprocess.run(
        [str(mcpb_cli), "unpack", str(archive), str(installed)], capture_output=True, text=True, timeout=60
    )
    assert unpacked.returncode == 0, unpacked.stdout + unpacked.stderr
    data = json.loads((installed / "manifest.json").read_text(encoding="utf-8"))
    assert [t["name"] for t in data["tools"]] == [t["name"] for t in manifest()["tools"]]

    # The user gives only the required key; the optional settings keep their defaults.
    given = {"api_key": "sandboxkey"}
    values = {k: o["default"] for k, o in data["user_config"].items() if "default" in o} | given
    variables = {"__dirname": str(installed)} | {
        f"user_config.{k}": str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()
    }
    config = substitute(data["server"]["mcp_config"], variables)
    assert "${" not in json.dumps(config), config
    check_handshake(exchange(Launch(config["command"], config["args"], config["env"]), tmp_path))

    # A host that runs the uv type's entry_point itself (`uv run <entry_point>`) gets the same server.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINKUP_", "VIRTUAL_ENV"))}
    version = subprocess.run(
        [
            config["command"],
            "--directory",
            str(installed),
            "run",
            "--frozen",
            "--no-dev",
            data["server"]["entry_point"],
            "--version",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert version.stdout.strip() == f"linkup-mcp {data['version']}", version.stdout + version.stderr
