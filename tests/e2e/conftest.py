"""Start the real `linkup-mcp` process and talk to it over stdio with the mcp client."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from linkup_mcp.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def env_for(sandbox: SandboxServer, **more: str) -> dict[str, str]:
    """The server's environment to use a sandbox running in the test process (as the real API)."""
    return {
        "LINKUP_API_KEY": sandbox.config.api_key,
        "LINKUP_BASE_URL": sandbox.base_url,
        "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
        **more,
    }


def server_params(env: dict[str, str], *args: str) -> StdioServerParameters:
    """`python -m linkup_mcp` from this checkout with only the LINKUP_* variables given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    base.update(env)
    return StdioServerParameters(command=sys.executable, args=["-m", "linkup_mcp", *args], env=base, cwd=str(ROOT))


# The two protocol eras a client may speak: the `initialize` handshake most clients use today,
# and 2026-07-28 (no handshake; no server-to-client requests; change notifications on listen streams).
ERAS = ["legacy", "2026-07-28"]


@asynccontextmanager
async def mcp_session(
    env: dict[str, str], *args: str, errlog: TextIO = sys.stderr, mode: str = "legacy", **client_options: Any
) -> AsyncIterator[Client]:
    """A connected MCP client, by default with the legacy `initialize` handshake."""
    env = {"LINKUP_LEDGER": ":memory:", **env}
    transport: Any = stdio_client(server_params(env, *args), errlog=errlog)
    async with Client(transport, mode=mode, **client_options) as client:  # type: ignore[arg-type]
        yield client
