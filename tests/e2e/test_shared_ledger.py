"""Several real server processes on one PostgreSQL ledger, calling at the same moment: the daily
budget, the duplicate guard, pacing caps and preview tokens hold across processes, as they do
for replicas behind a load balancer. The API is a loopback fake that counts what reached it."""

from __future__ import annotations

from collections import Counter
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client import Client

from linkup_mcp.store.ledger import open_ledger
from tests.e2e.conftest import mcp_session
from tests.fakeapi import FakeApi
from tests.pg import PostgresServer, postgres  # noqa: F401  (the session's PostgreSQL fixture)

pytestmark = pytest.mark.anyio

PROCESSES = 3


def _env(api: FakeApi, ledger: str, **extra: str) -> dict[str, str]:
    return {
        "LINKUP_API_KEY": "k-0123456789",
        "LINKUP_BASE_URL": api.base_url,
        "LINKUP_ACCOUNT_ID": "acc_1",
        "LINKUP_LEDGER": ledger,
        "LINKUP_CACHE_TTL": "0",
        **extra,
    }


async def _servers(stack: AsyncExitStack, env: dict[str, str], n: int = PROCESSES) -> list[Client]:
    """`n` server processes on the same settings (and so the same ledger)."""
    return [await stack.enter_async_context(mcp_session(env)) for _ in range(n)]


async def _all_at_once(calls: list[tuple[Client, str, dict[str, Any]]]) -> list[str]:
    """Every call started at the same moment; each one's outcome code ("OK" or the error code)."""
    codes: list[str] = []

    async def one(client: Client, tool: str, args: dict[str, Any]) -> None:
        result = await client.call_tool(tool, args)
        content = result.structured_content or {}
        codes.append("OK" if content.get("ok") else content["error"]["code"])

    async with anyio.create_task_group() as tasks:
        for call in calls:
            tasks.start_soon(one, *call)
    return codes


def _person(i: int) -> str:
    return f"https://www.linkedin.com/in/person-{i}"


def _actions(api: FakeApi) -> Counter[str]:
    return Counter(r.body.get("action") for r in api.requests if isinstance(r.body, dict))


async def test_a_daily_budget_of_n_credits_lets_exactly_n_through(postgres: PostgresServer) -> None:  # noqa: F811
    budget, per_process = 7, 6
    with FakeApi() as api:
        async with AsyncExitStack() as stack:
            clients = await _servers(stack, _env(api, postgres.target(), LINKUP_DAILY_CREDITS=str(budget)))
            codes = await _all_at_once(
                [
                    (c, "profiles_get", {"profile_url": _person(i * 100 + j)})
                    for i, c in enumerate(clients)
                    for j in range(per_process)
                ]
            )
        assert Counter(codes) == {"OK": budget, "BUDGET_EXCEEDED": PROCESSES * per_process - budget}
        assert _actions(api)["get"] == budget  # exactly N requests reached the API


async def test_one_message_sent_by_every_process_at_once_is_sent_once(postgres: PostgresServer) -> None:  # noqa: F811
    message = {"profile_url": _person(1), "message_text": "Hello from three replicas"}
    with FakeApi() as api:
        async with AsyncExitStack() as stack:
            clients = await _servers(stack, _env(api, postgres.target()))
            codes = await _all_at_once([(c, "messages_send", message) for c in clients for _ in range(3)])
        assert Counter(codes) == {"OK": 1, "DUPLICATE_SUPPRESSED": 3 * PROCESSES - 1}
        assert _actions(api) == {"send": 1}


async def test_pacing_caps_hold_across_processes(postgres: PostgresServer) -> None:  # noqa: F811
    cap, per_process = 4, 5
    target = postgres.target()
    with FakeApi() as api:
        async with AsyncExitStack() as stack:
            clients = await _servers(stack, _env(api, target, LINKUP_PACING=f"invitation={cap}"))
            codes = await _all_at_once(
                [
                    (c, "network_invite", {"profile_url": _person(i * 100 + j)})
                    for i, c in enumerate(clients)
                    for j in range(per_process)
                ]
            )
        assert Counter(codes) == {"OK": cap, "PACING_LIMIT": PROCESSES * per_process - cap}
        assert len(api.requests) == cap
    ledger = open_ledger(target.replace(postgres.url, postgres.tcp_url))  # the same books, over TCP
    assert sum(r["outcome"] == "OK" for r in ledger.rows()) == cap
    assert len({r["pid"] for r in ledger.rows()}) == PROCESSES
    ledger.close()


async def test_a_preview_token_from_one_process_sends_once_from_another(postgres: PostgresServer) -> None:  # noqa: F811
    message = {"profile_url": _person(2), "message_text": "Previewed on one replica, sent from another"}
    with FakeApi() as api:
        async with AsyncExitStack() as stack:
            first, second, third = await _servers(stack, _env(api, postgres.target(), LINKUP_CONFIRM="preview"))
            preview = await first.call_tool("messages_send", message)
            token = (preview.structured_content or {})["data"]["confirm_token"]
            assert api.requests == []
            codes = await _all_at_once(
                [(c, "messages_send", {**message, "confirm_token": token}) for c in (second, third)]
            )
        assert sorted(codes) == ["CONFIRM_TOKEN_INVALID", "OK"]
        assert len(api.requests) == 1


async def test_http_replicas_share_each_keys_books_and_answer_health_checks(postgres: PostgresServer) -> None:  # noqa: F811
    """Two HTTP replicas on one database, per-request keys: a key's daily budget holds whichever
    replica its calls reach, another key's books are its own, and /healthz needs no token."""
    from tests.e2e.test_http_transport import ALICE, BOB, TOKEN, http_server, mcp_client

    env = {"LINKUP_MCP_TOKEN": TOKEN, "LINKUP_CLIENT_KEYS": "1", "LINKUP_DAILY_CREDITS": "2", "LINKUP_CACHE_TTL": "0"}
    env["LINKUP_ACCOUNT_ID"] = "acc_1"
    with FakeApi() as api:
        env |= {"LINKUP_BASE_URL": api.base_url, "LINKUP_LEDGER": postgres.target()}
        with http_server(env) as (url1, _), http_server(env) as (url2, _):
            async with httpx2.AsyncClient() as http:
                health = [await http.get(u.replace("/mcp", "/healthz")) for u in (url1, url2)]
                unauthorised = await http.post(url1, json={})
            auth = {"Authorization": f"Bearer {TOKEN}"}
            codes = []
            async with (
                mcp_client(url1, {**auth, "X-Linkup-Api-Key": ALICE}) as alice1,
                mcp_client(url2, {**auth, "X-Linkup-Api-Key": ALICE}) as alice2,
                mcp_client(url2, {**auth, "X-Linkup-Api-Key": BOB}) as bob2,
            ):
                for client in (alice1, alice2, alice1, bob2):
                    result = await client.call_tool("profiles_get", {"profile_url": _person(len(codes))})
                    content = result.structured_content or {}
                    codes.append("OK" if content.get("ok") else content["error"]["code"])
    assert [(r.status_code, r.text) for r in health] == [(200, "ok"), (200, "ok")]
    assert unauthorised.status_code == 401
    assert codes == ["OK", "OK", "BUDGET_EXCEEDED", "OK"]
    assert [r.headers["x-api-key"] for r in api.requests] == [ALICE, ALICE, BOB]
