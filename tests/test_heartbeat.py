"""The progress heartbeat: beats while a slow block runs, stops with it, and lets the block's
exception out as itself."""

from __future__ import annotations

import anyio
import pytest

from linkup_mcp.call import heartbeat

pytestmark = pytest.mark.anyio


class Refused(Exception):
    pass


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heartbeat, "HEARTBEAT_S", 0.05)


async def test_a_slow_block_reports_progress_until_it_ends() -> None:
    seen: list[str] = []

    async def progress(done: float, total: float | None, message: str) -> None:
        seen.append(message)

    async with heartbeat.heartbeat(progress, "profiles_get"):
        await anyio.sleep(0.18)
    count = len(seen)
    assert count >= 2 and all(m.startswith("profiles_get: still working after") for m in seen)
    await anyio.sleep(0.15)
    assert len(seen) == count  # stopped with the block


async def test_a_quick_block_reports_nothing() -> None:
    seen: list[float] = []

    async def progress(done: float, total: float | None, message: str) -> None:
        seen.append(done)

    async with heartbeat.heartbeat(progress, "profiles_get"):
        pass
    await anyio.sleep(0.1)
    assert seen == []


async def test_the_blocks_exception_comes_out_as_itself() -> None:
    async def progress(done: float, total: float | None, message: str) -> None:
        raise ConnectionError("client gone")  # a failing notification never fails the call

    with pytest.raises(Refused):
        async with heartbeat.heartbeat(progress, "messages_send"):
            await anyio.sleep(0.12)
            raise Refused()
    with pytest.raises(Refused):
        async with heartbeat.heartbeat(None, "messages_send"):
            raise Refused()
