"""A slow call reports MCP progress to a client that asked for it."""

from __future__ import annotations

import pytest

from linkup_mcp.sandbox import SandboxServer
from tests.e2e.conftest import ERAS, mcp_session

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("era", ERAS)
async def test_slow_call_sends_progress_notifications(era: str) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    with SandboxServer() as sandbox:
        sandbox.state.add_fault("slow:2.6", action="get_cv")
        env = {
            "LINKUP_API_KEY": sandbox.config.api_key,
            "LINKUP_BASE_URL": sandbox.base_url,
            "LINKUP_ACCOUNT_ID": sandbox.config.account_id,
        }
        async with mcp_session(env, mode=era) as client:
            candidates = await client.call_tool("recruiter_get_candidates", {"job_id": "4165984609", "count": 1})
            application = candidates.structured_content["data"]["candidates"][0]["application_id"]
            slow = await client.call_tool(
                "recruiter_get_cv", {"application_id": application}, progress_callback=on_progress
            )
            fast = await client.call_tool("profiles_get_me", {}, progress_callback=on_progress)
    assert slow.structured_content["ok"] is True and fast.structured_content["ok"] is True
    assert [p for p, _, _ in seen] == [1.0, 2.0]  # one per second while waiting; none for the fast call
    assert seen[0][2] == "recruiter_get_cv: still working after 1 s"
