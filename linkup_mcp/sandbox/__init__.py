"""A simulated LinkupAPI V2 on loopback: seeded data, state, credits, checks and faults."""

from linkup_mcp.sandbox.config import SandboxConfig
from linkup_mcp.sandbox.server import SandboxServer, serve_forever

__all__ = ["SandboxConfig", "SandboxServer", "serve_forever"]
