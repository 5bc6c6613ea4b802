"""Paid-read cache against the sandbox: a hit sends nothing and costs nothing; TTL, bypass and
invalidation by writes; settings parsing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.config import parse_ttls
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.store.ledger import Ledger
from linkup_mcp.store.read_cache import ReadCache, subject_of

pytestmark = pytest.mark.anyio

FRIEND = "https://www.linkedin.com/in/victor-johnson"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class World:
    def __init__(self, runtime: Runtime, sandbox: SandboxServer, clock: Clock):
        self.d, self.sandbox, self.clock = runtime, sandbox, clock

    def sent(self) -> int:
        return len(self.sandbox.state.requests)

    async def call(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        return await self.d.call(tool, args)


@pytest.fixture
async def world(catalog: Catalog) -> AsyncIterator[World]:
    clock = Clock()
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        d = Runtime(
            catalog,
            client=client,
            meter=CreditMeter(),
            ledger=Ledger(":memory:", clock=clock),
            default_account=sandbox.config.account_id,
        )
        yield World(d, sandbox, clock)
        await client.aclose()


async def test_hit_is_free_and_sends_nothing(world: World) -> None:
    first = await world.call("profiles_get", {"profile_url": FRIEND})
    assert first["cache"] == {"hit": False, "age_s": 0} and first["credits"]["charged"] == 1
    world.clock.now += 120
    again = await world.call("profiles_get", {"profile_url": FRIEND})
    assert world.sent() == 1
    assert again["cache"] == {"hit": True, "age_s": 120}
    assert again["data"] == first["data"]
    assert again["credits"] == {"charged": 0, "estimated": 0, "session_spent": 1, "budget_remaining": None}
    assert [r["outcome"] for r in world.d.ledger.rows()] == ["OK", "CACHE_HIT"]
    other = await world.call("profiles_get", {"profile_url": FRIEND, "account_id": "acc_inactive"})
    assert other["error"]["code"] == "ACCOUNT_INACTIVE" and world.sent() == 2  # per account


async def test_ttl_expiry_and_fresh_bypass(world: World) -> None:
    await world.call("profiles_get", {"profile_url": FRIEND})
    world.clock.now += 86_400 + 1  # profiles_get keeps results a day
    expired = await world.call("profiles_get", {"profile_url": FRIEND})
    assert expired["cache"]["hit"] is False and world.sent() == 2
    fresh = await world.call("profiles_get", {"profile_url": FRIEND, "fresh": True})
    assert fresh["cache"]["hit"] is False and world.sent() == 3
    assert "fresh" not in world.sandbox.state.requests[-1].params  # a control argument, not a param


async def test_invite_and_withdraw_invalidate_check_invitation(world: World) -> None:
    found = await world.call("profiles_search_people", {"network": ["S"], "fetch_invitation_state": True})
    lead = next(p for p in found["data"]["results"] if p["invitation_state"] == "CAN_INVITE")["linkedin_url"]
    before = await world.call("network_check_invitation", {"profile_url": lead})
    assert before["data"]["invitation_state"] == "NO_INVITATION"
    assert (await world.call("network_check_invitation", {"profile_url": lead}))["cache"]["hit"] is True
    await world.call("network_invite", {"profile_url": lead})
    after = await world.call("network_check_invitation", {"profile_url": lead})
    assert after["cache"]["hit"] is False and after["data"]["invitation_state"] == "PENDING"
    await world.call("network_withdraw", {"invitation_id": after["data"]["invitation_id"]})
    final = await world.call("network_check_invitation", {"profile_url": lead})
    assert final["cache"]["hit"] is False and final["data"]["invitation_state"] == "NO_INVITATION"


async def test_lists_and_writes_are_never_cached(world: World) -> None:
    for _ in range(2):
        listed = await world.call("network_list_connections", {"count": 5})
        assert "cache" not in listed
    assert world.sent() == 2


def test_ttl_settings() -> None:
    assert parse_ttls(None) == (None, {})
    assert parse_ttls("0") == (0, {})
    assert parse_ttls("600, profiles_get=60") == (600, {"profiles_get": 60})
    with pytest.raises(ValueError, match="not SECONDS or TOOL=SECONDS"):
        parse_ttls("profiles_get=soon")


def test_the_subject_params_come_from_the_spec() -> None:
    """A cached read is kept under its spec's `subject`; a write drops only that subject's answers
    (every answer of the tool when the write names no subject)."""
    cache = ReadCache(Ledger(":memory:"))
    acme, other = {"company_id": "acme"}, {"company_id": "globex"}
    for args in (acme, other):
        cache.put(cache.key("x_get", "acc", args), "x_get", "acc", args, {"n": 1}, subject=["company_id"])
    assert cache.invalidate(["x_get"], "acc", {"company_id": "ACME/"}, subject=["company_id"]) == 1
    assert cache.get(cache.key("x_get", "acc", other), 60) is not None
    assert cache.invalidate(["x_get"], "acc", {"company_id": "globex"}, subject=[]) == 1  # no subject: all
    assert subject_of({"a": "", "b": "B"}, ["a", "b"]) == subject_of({"b": "b"}, ["b"])
    assert subject_of({"company_id": "acme"}, []) is None
