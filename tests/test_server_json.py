"""server.json (MCP registry entry) agrees with the package: version, settings, README marker."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp import __version__
from linkup_mcp.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> dict[str, Any]:
    data = json.loads((ROOT / "server.json").read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def package(server: dict[str, Any]) -> dict[str, Any]:
    (pypi,) = [p for p in server["packages"] if p["registryType"] == "pypi"]
    return pypi


def test_registry_format(server: dict[str, Any], package: dict[str, Any]) -> None:
    """The constraints of the registry's server.schema.json (2025-12-11) that this file touches."""
    assert server["$schema"] == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    assert re.fullmatch(r"io\.github\.[A-Za-z0-9-]+/linkup-mcp", server["name"])
    assert 1 <= len(server["description"]) <= 100
    assert package["identifier"] == "linkup-mcp"
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}
    allowed = {"name", "description", "isRequired", "isSecret", "format", "default", "choices", "placeholder"}
    for var in package["environmentVariables"]:
        assert set(var) <= allowed, var
        assert var.get("format", "string") in {"string", "number", "boolean", "filepath"}


def test_versions_match_the_package(server: dict[str, Any], package: dict[str, Any]) -> None:
    assert server["version"] == package["version"] == __version__


def test_every_variable_is_a_setting(package: dict[str, Any]) -> None:
    names = [v["name"] for v in package["environmentVariables"]]
    assert len(names) == len(set(names))
    fields = {ENV_PREFIX + f.upper(): f for f in Settings.model_fields}
    assert set(names) <= set(fields), set(names) - set(fields)
    for var in package["environmentVariables"]:
        field = Settings.model_fields[fields[var["name"]]]
        if "choices" in var:
            assert var["choices"] == list(typing.get_args(field.annotation))
        if "default" in var:
            expected = str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
            assert var["default"] == expected, var["name"]


def test_only_the_key_is_secret_and_required(package: dict[str, Any]) -> None:
    secret = [v["name"] for v in package["environmentVariables"] if v.get("isSecret")]
    required = [v["name"] for v in package["environmentVariables"] if v.get("isRequired")]
    assert secret == required == ["LINKUP_API_KEY"]


def test_readme_carries_the_pypi_ownership_marker(server: dict[str, Any]) -> None:
    """The registry verifies a PyPI package by finding `mcp-name: <name>` in its README."""
    assert f"mcp-name: {server['name']}" in (ROOT / "README.md").read_text()
