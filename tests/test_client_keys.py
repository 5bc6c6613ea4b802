"""Per-key runtimes bounded (issue 17, item 4), the bookkeeping alone: at most `max_open` open, an
idle one closed to make room (a key used once before one in use again), a runtime in use never
closed, a new key waiting its turn when all are busy, idle ones released, keys masked in logs
only while open. The real process under a flood: tests/e2e/test_client_keys_load.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from linkup_mcp.config import Settings
from linkup_mcp.mcp import client_keys
from linkup_mcp.mcp.client_keys import ClientKeys
from linkup_mcp.redact import Redactor

pytestmark = pytest.mark.anyio


class Opened:
    def __init__(self) -> None:
        self.open: list[str] = []
        self.closed: list[str] = []


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Opened:
    record = Opened()

    @asynccontextmanager
    async def fake_open_runtime(settings: Settings) -> AsyncIterator[Any]:
        key = settings.api_key_value() or ""
        record.open.append(key)
        await anyio.sleep(0)
        try:
            yield SimpleNamespace(key=key)
        finally:
            record.closed.append(key)

    monkeypatch.setattr(client_keys, "open_runtime", fake_open_runtime)
    return record


def keys(**options: Any) -> ClientKeys:
    settings = Settings()
    return ClientKeys(
        SimpleNamespace(key="default"),  # type: ignore[arg-type]
        lambda key, digest: settings.model_copy(update={"api_key": SecretStr(key)}),
        **options,
    )


def ctx(key: str | None) -> Any:
    return SimpleNamespace(request=SimpleNamespace(headers={"x-linkup-api-key": key} if key else {}))


async def use(pool: ClientKeys, key: str | None) -> str:
    async with pool(ctx(key)) as runtime:
        return str(runtime.key)


async def test_no_header_is_the_servers_runtime_and_a_bad_key_is_invalid_params(opened: Opened) -> None:
    pool = keys()
    assert await use(pool, None) == "default"
    with pytest.raises(MCPError, match="printable ASCII"):
        await use(pool, "short")
    assert opened.open == []


async def test_at_most_max_open_and_a_key_used_once_goes_first(opened: Opened) -> None:
    pool = keys(max_open=3)
    for _ in range(3):
        await use(pool, "real-user-key-1")  # used again and again
    for i in range(10):
        assert await use(pool, f"junk-key-{i:04d}") == f"junk-key-{i:04d}"
        assert pool.open_count <= 3
    assert "real-user-key-1" not in opened.closed  # the flood replaced junk with junk
    assert len(opened.open) == 11 and len(opened.closed) == 8
    await pool.aclose()
    assert sorted(opened.open) == sorted(opened.closed)


async def test_a_runtime_in_use_is_never_closed_and_a_new_key_waits_its_turn(opened: Opened) -> None:
    pool = keys(max_open=1, wait_s=5)
    release = anyio.Event()
    order: list[str] = []

    async def hold(key: str) -> None:
        async with pool(ctx(key)):
            order.append(f"in {key}")
            await release.wait()
        order.append(f"out {key}")

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(hold, "holder-key-1")
        await anyio.sleep(0.05)
        tasks.start_soon(use, pool, "waiting-key-1")
        await anyio.sleep(0.05)
        assert opened.closed == [] and pool.open_count == 1  # the holder's runtime stays open
        release.set()
    assert order == ["in holder-key-1", "out holder-key-1"]
    assert opened.open == ["holder-key-1", "waiting-key-1"] and opened.closed == ["holder-key-1"]


async def test_a_new_key_is_told_to_retry_when_no_room_frees_in_time(opened: Opened) -> None:
    pool = keys(max_open=1, wait_s=0.1)
    release = anyio.Event()

    async def hold() -> None:
        async with pool(ctx("holder-key-1")):
            await release.wait()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(hold)
        await anyio.sleep(0.05)
        with pytest.raises(MCPError, match="retry in a few seconds"):
            await use(pool, "late-key-0001")
        assert await use(pool, "holder-key-1") == "holder-key-1"  # the key already open is served
        release.set()


async def test_idle_runtimes_are_released(opened: Opened) -> None:
    pool = keys(idle_s=0.05)
    for key in ("a-key-000001", "b-key-000002"):
        await use(pool, key)
    assert await pool.reap() == 0
    await anyio.sleep(0.1)
    assert await pool.reap() == 2 and pool.open_count == 0
    assert await use(pool, "a-key-000001") == "a-key-000001"  # opened again on its next request
    assert opened.open.count("a-key-000001") == 2


async def test_a_runtime_following_a_webhook_is_not_idle(opened: Opened) -> None:
    pool = keys(max_open=1, idle_s=0.0, wait_s=0.05, busy=lambda runtime: runtime.key == "follower-key")
    await use(pool, "follower-key")
    assert await pool.reap() == 0
    with pytest.raises(MCPError):
        await use(pool, "another-key-1")


async def test_a_client_key_is_masked_in_logs_while_its_runtime_is_open(
    opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    redactor = Redactor()
    monkeypatch.setattr(client_keys, "log_redactor", lambda: redactor)
    pool = keys(idle_s=0.0)
    await use(pool, "client-key-0123456789")
    assert redactor.text("client-key-0123456789") == "***"
    await pool.reap()
    assert redactor.secrets == []  # the log's redactor holds only the keys open


async def test_a_runtime_that_fails_to_open_frees_its_room(opened: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    @asynccontextmanager
    async def broken(settings: Settings) -> AsyncIterator[Any]:
        raise OSError("disk full")
        yield

    monkeypatch.setattr(client_keys, "open_runtime", broken)
    pool = keys(max_open=1)
    with pytest.raises(MCPError, match="Could not open"):
        await use(pool, "broken-key-0001")
    assert pool.open_count == 0
