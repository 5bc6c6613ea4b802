"""An agent over stdio, as Claude or Cursor drive the server, whose every call is checked against
what the sandbox (running in the test process, standing in for LinkupAPI) received and debited:
each envelope's `credits.charged` equals the sandbox's `credits_consumed` for that call's requests,
and `actions` lists every API action sent, in order."""

from __future__ import annotations

from typing import Any

from mcp.client import Client

from linkup_mcp.sandbox import SandboxServer


class Agent:
    def __init__(self, client: Client, sandbox: SandboxServer):
        self.client, self.sandbox = client, sandbox
        self.charged = 0
        self.start = len(sandbox.state.requests)  # requests before this session are not its own

    async def ok(self, tool: str, args: dict[str, Any]) -> Any:
        envelope = await self.call(tool, args)
        assert envelope["ok"] is True, envelope["error"]
        return envelope["data"]

    async def call(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        before = len(self.sandbox.state.requests)
        result = await self.client.call_tool(tool, args)
        envelope = result.structured_content
        assert isinstance(envelope, dict)
        assert result.is_error is (not envelope["ok"])
        sent = self.sandbox.state.requests[before:]
        debited = sum(r.credits_consumed for r in sent)
        assert envelope["credits"]["charged"] == debited, (tool, envelope["credits"], sent)
        self.charged += debited
        assert envelope["credits"]["session_spent"] == self.charged
        return envelope

    @property
    def actions(self) -> list[str | None]:
        """Every API action this session sent, in order (a path for the REST routes)."""
        return [r.action or r.path for r in self.sandbox.state.requests[self.start :]]

    def balance_matches(self) -> None:
        assert self.sandbox.state.balance == self.sandbox.config.initial_credits - self.charged
