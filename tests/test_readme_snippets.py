"""Every client set-up snippet in README.md starts a server that completes an MCP handshake.

"## Client set-up" has one "### <client>" part per client, each with a published form (`uvx
linkup-mcp`) and a from-clone form (`uv --directory /path/to/linkup-mcp run linkup-mcp`). Their
JSON snippets (`mcpServers` / VS Code `servers`), `claude mcp add` commands (what follows `--`)
and the LangChain connection dict are each launched as written, with LINKUP_SANDBOX=1 added, from
a directory outside the checkout; the test sends `initialize` and `tools/list` over stdio.

From-clone forms run with `/path/to/linkup-mcp` replaced by this checkout. Published forms cannot
reach the real package here, so `uvx linkup-mcp` runs with UV_INDEX naming a local index that holds
a wheel built from this checkout (uv asks that index first, so it is the one used): the snippet
itself is unchanged. That build makes those tests slow.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import threading
from pathlib import Path
from typing import IO, Any, NamedTuple

import pytest

from linkup_mcp.spec.catalog import Catalog
from tests.e2e.raw import INITIALIZE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDER = "/path/to/linkup-mcp"
CLIENTS = ("Claude Desktop", "Claude Code", "Cursor", "VS Code", "Windsurf")
CONFIG_FILES = {
    "Claude Desktop": "claude_desktop_config.json",
    "Cursor": "~/.cursor/mcp.json",
    "VS Code": ".vscode/mcp.json",
    "Windsurf": "~/.codeium/windsurf/mcp_config.json",
}
PUBLISHED, CLONE = "published", "from a clone"


class Launch(NamedTuple):
    command: str
    args: list[str]
    env: dict[str, str]


def section(text: str, heading: str, level: str = "##") -> str:
    """The body of `heading` up to the next heading of the same or a higher level."""
    match = re.search(rf"^{level} {re.escape(heading)}\n(.*?)(?=^#{{1,{len(level)}}} |\Z)", text, re.M | re.S)
    assert match, f"README has no '{level} {heading}'"
    return match[1]


SETUP = section(README, "Client set-up")


def blocks(language: str, text: str = README) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w+)\n(.*?)^```", text, re.M | re.S) if lang == language]


def json_launches(text: str) -> list[Launch]:
    found = []
    for body in blocks("json", text):
        data = json.loads(body)  # every JSON block must parse
        for key in ("mcpServers", "servers"):
            for config in data.get(key, {}).values():
                if "url" in config:  # HTTP transport: tests/e2e/test_http_transport.py connects to it
                    continue
                found.append(Launch(config["command"], config["args"], config.get("env", {})))
    return found


def claude_code_launches(text: str) -> list[Launch]:
    found = []
    for line in (line for b in blocks("bash", text) for line in b.replace("\\\n", " ").splitlines()):
        if not line.startswith("claude mcp add"):
            continue
        tokens = shlex.split(line)
        split = tokens.index("--")
        options = tokens[:split]
        env = dict(options[i + 1].split("=", 1) for i, token in enumerate(options) if token in ("-e", "--env"))
        found.append(Launch(tokens[split + 1], tokens[split + 2 :], env))
    return found


def form(launch: Launch) -> str:
    """Which of the two documented forms a launch is (anything else fails)."""
    if launch.command == "uvx" and launch.args[:1] == ["linkup-mcp"]:
        return PUBLISHED
    if launch.command == "uv" and launch.args[:4] == ["--directory", PLACEHOLDER, "run", "linkup-mcp"]:
        return CLONE
    raise AssertionError(f"neither `uvx linkup-mcp` nor `uv --directory {PLACEHOLDER} run linkup-mcp`: {launch}")


def client_launches() -> dict[str, Launch]:
    found = {}
    for client in CLIENTS:
        text = section(SETUP, client, "###")
        for launch in json_launches(text) + claude_code_launches(text):
            name = f"{client}: {form(launch)}"
            assert name not in found, f"two {form(launch)} snippets for {client}"
            found[name] = launch
    return found


def langchain_source() -> str:
    (source,) = [b for b in blocks("python") if "MultiServerMCPClient" in b]
    return source


def langchain_launch() -> Launch:
    """The connection dict literal given to MultiServerMCPClient (langchain itself is not needed)."""
    call = next(
        node
        for node in ast.walk(ast.parse(langchain_source()))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "MultiServerMCPClient"
    )
    config = ast.literal_eval(call.args[0])["linkup"]
    assert config["transport"] == "stdio"
    return Launch(config["command"], config["args"], config.get("env", {}))


LAUNCHES = {**client_launches(), "LangChain": langchain_launch()}


def test_every_client_has_both_forms_labelled() -> None:
    for client in CLIENTS:
        assert {f"{client}: {PUBLISHED}", f"{client}: {CLONE}"} <= set(LAUNCHES), client
        text = section(SETUP, client, "###")
        assert "Published:" in text and "From a clone:" in text, client
        if client in CONFIG_FILES:
            assert f"`{CONFIG_FILES[client]}`" in text, client


def test_config_shapes_per_client() -> None:
    """VS Code reads `servers` with a `type`; the others read `mcpServers`."""
    for client in ("Claude Desktop", "Cursor", "Windsurf"):
        for body in blocks("json", section(SETUP, client, "###")):
            assert list(json.loads(body)) == ["mcpServers"], client
    for body in blocks("json", section(SETUP, "VS Code", "###")):
        config = json.loads(body)
        assert config["servers"]["linkup"]["type"] == "stdio"
        (prompt,) = config["inputs"]
        assert (
            prompt["password"] is True and config["servers"]["linkup"]["env"]["LINKUP_API_KEY"] == "${input:linkup-key}"
        )


def test_no_stdio_snippet_escapes_the_tests() -> None:
    """Every stdio launch in the README is one of LAUNCHES (a snippet outside a client's part would not be run)."""
    everywhere = json_launches(README) + claude_code_launches(README)
    assert len(everywhere) == len(LAUNCHES) - 1  # LangChain is the Python block


def test_langchain_snippet_is_valid_python() -> None:
    compile(langchain_source(), "README.md (LangChain snippet)", "exec")


def exchange(launch: Launch, cwd: Path, extra_env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    command = shutil.which(launch.command)
    assert command, f"{launch.command} is not on PATH"
    args = [a.replace(PLACEHOLDER, str(ROOT)) for a in launch.args]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LINKUP_", "VIRTUAL_ENV"))}
    env = {**base, **launch.env, **(extra_env or {}), "LINKUP_SANDBOX": "1", "LINKUP_LEDGER": ":memory:"}
    proc = subprocess.Popen(
        [command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env
    )
    assert proc.stdin and proc.stdout
    lines: queue.Queue[bytes] = queue.Queue()

    def read(stdout: IO[bytes]) -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read, args=(proc.stdout,), daemon=True).start()
    messages = [
        INITIALIZE,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    ]
    try:
        proc.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        proc.stdin.flush()
        answers = [json.loads(lines.get(timeout=90)) for _ in range(2)]
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return answers


def check_handshake(answers: list[dict[str, Any]]) -> None:
    initialized, listed = answers
    assert initialized["id"] == 0 and initialized["result"]["serverInfo"]["name"] == "linkup-mcp"
    assert listed["id"] == 1 and len(listed["result"]["tools"]) == len(Catalog.build().names())


@pytest.mark.parametrize("name", sorted(n for n, launch in LAUNCHES.items() if form(launch) == CLONE))
def test_snippet_starts_a_working_server(name: str, tmp_path: Path) -> None:
    check_handshake(exchange(LAUNCHES[name], tmp_path))


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A package index (PEP 503 simple layout, file:// URL) holding only a wheel of this checkout."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: cannot build the wheel")
    out = tmp_path_factory.mktemp("index")
    project = out / "simple" / "linkup-mcp"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINKUP_", "VIRTUAL_ENV", "UV_PROJECT"))}
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(project)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = project.glob("linkup_mcp-*.whl")
    (project / "index.html").write_text(
        f'<!DOCTYPE html><html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n'
    )
    return (out / "simple").as_uri()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n, launch in LAUNCHES.items() if form(launch) == PUBLISHED))
def test_published_snippet_starts_a_working_server(name: str, local_index: str, tmp_path: Path) -> None:
    """`uvx linkup-mcp` exactly as written; UV_INDEX puts the local wheel ahead of PyPI."""
    check_handshake(exchange(LAUNCHES[name], tmp_path, {"UV_INDEX": f"local={local_index}"}))
