"""Every client set-up snippet in README.md starts a server that completes an MCP handshake.

JSON snippets (Claude Desktop / Cursor `mcpServers`, VS Code `servers`), the `claude mcp add`
command (what follows `--`) and the LangChain connection dict are each launched as written,
with `/path/to/linkup-mcp` replaced by this checkout and LINKUP_SANDBOX=1 added, from a
directory outside it; the test sends `initialize` and `tools/list` over stdio.
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

from tests.e2e.raw import INITIALIZE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDER = "/path/to/linkup-mcp"


class Launch(NamedTuple):
    command: str
    args: list[str]
    env: dict[str, str]


def blocks(language: str) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w+)\n(.*?)^```", README, re.M | re.S) if lang == language]


def json_launches() -> dict[str, Launch]:
    found = {}
    for number, body in enumerate(blocks("json")):
        data = json.loads(body)  # every JSON block in the README must parse
        for key in ("mcpServers", "servers"):
            for name, config in data.get(key, {}).items():
                if "url" in config:  # HTTP transport: tests/e2e/test_http_transport.py connects to it
                    continue
                found[f"json{number}-{key}.{name}"] = Launch(config["command"], config["args"], config.get("env", {}))
    return found


def claude_code_launch() -> Launch:
    (line,) = [
        line
        for b in blocks("bash")
        for line in b.replace("\\\n", " ").splitlines()
        if line.startswith("claude mcp add")
    ]
    tokens = shlex.split(line)
    split = tokens.index("--")
    options = tokens[:split]
    env = dict(options[i + 1].split("=", 1) for i, token in enumerate(options) if token in ("-e", "--env"))
    return Launch(tokens[split + 1], tokens[split + 2 :], env)


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


LAUNCHES = {**json_launches(), "claude-mcp-add": claude_code_launch(), "langchain": langchain_launch()}


def test_every_client_has_a_snippet() -> None:
    assert {"json0-mcpServers.linkup", "claude-mcp-add", "langchain"} <= set(LAUNCHES)
    assert any(name.endswith("servers.linkup") for name in LAUNCHES), "VS Code snippet"
    assert "**Cursor**" in README


def test_langchain_snippet_is_valid_python() -> None:
    compile(langchain_source(), "README.md (LangChain snippet)", "exec")


def exchange(launch: Launch, cwd: Path) -> list[dict[str, Any]]:
    command = shutil.which(launch.command)
    assert command, f"{launch.command} is not on PATH"
    args = [a.replace(PLACEHOLDER, str(ROOT)) for a in launch.args]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LINKUP_", "VIRTUAL_ENV"))}
    env = {**base, **launch.env, "LINKUP_SANDBOX": "1", "LINKUP_LEDGER": ":memory:"}
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
        answers = [json.loads(lines.get(timeout=60)) for _ in range(2)]
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return answers


@pytest.mark.parametrize("name", sorted(LAUNCHES))
def test_snippet_starts_a_working_server(name: str, tmp_path: Path) -> None:
    initialized, listed = exchange(LAUNCHES[name], tmp_path)
    assert initialized["id"] == 0 and initialized["result"]["serverInfo"]["name"] == "linkup-mcp"
    assert listed["id"] == 1 and len(listed["result"]["tools"]) == 44
