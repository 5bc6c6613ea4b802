"""Shared fixtures: the compiled catalog, and a runtime whose HTTP goes to a MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.api.retry import RetryPolicy
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.spec.catalog import Catalog, Exposure
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.spec.loader import load_specs

API_KEY = "test-key-0123456789"
BASE_URL = "https://api.linkupapi.test"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.build(load_specs(), Exposure.everything())


def v2_success(data: Any, credits: int = 1, action: str = "x") -> dict[str, Any]:
    return {
        "success": True,
        "data": data,
        "metadata": {
            "action": action,
            "account_id": "acc_1",
            "credits_consumed": credits,
            "timestamp": "2026-11-25T12:00:00Z",
        },
    }


def v2_error(code: str, message: str = "failed") -> dict[str, Any]:
    return {
        "success": False,
        "error": {"code": code, "message": message},
        "metadata": {"action": "x", "credits_consumed": 0, "timestamp": "2026-11-25T12:00:00Z"},
    }


Responder = Callable[[httpx2.Request], httpx2.Response]


@dataclass
class Harness:
    """A runtime plus the requests its client sent and the sleeps its retries asked for."""

    runtime: Runtime
    requests: list[httpx2.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]

    async def call(self, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.runtime.call(tool, args or {})


@pytest.fixture
def harness(catalog: Catalog) -> Callable[..., Harness]:
    def make(
        responder: Responder | list[httpx2.Response] | None = None,
        *,
        max_credits: int | None = None,
        account: str | None = "acc_1",
        max_retries: int = 3,
    ) -> Harness:
        h = Harness(runtime=None)  # type: ignore[arg-type]
        queue = list(responder) if isinstance(responder, list) else None

        def handler(request: httpx2.Request) -> httpx2.Response:
            h.requests.append(request)
            if queue is not None:
                return queue.pop(0)
            if responder is not None:
                return responder(request)  # type: ignore[operator]
            return httpx2.Response(200, json=v2_success({"ok": 1}))

        async def fake_sleep(seconds: float) -> None:
            h.sleeps.append(seconds)

        client = LinkupClient(
            base_url=BASE_URL,
            api_key=API_KEY,
            policy=RetryPolicy(max_retries=max_retries, deadline_s=120),
            transport=httpx2.MockTransport(handler),
            sleep=fake_sleep,
        )
        h.runtime = Runtime(catalog, client=client, meter=CreditMeter(max_credits), default_account=account)
        return h

    return make


async def _no_sleep(seconds: float) -> None:
    """Nothing is waited for: a retry shows in the request count, a Retry-After is not honoured here."""


def runtime_on_sandbox(catalog: Catalog, base_url: str, api_key: str, account_id: str) -> Runtime:
    """A runtime against a sandbox (no retries, no cache): each call is one request the sandbox logs."""
    client = LinkupClient(
        base_url=base_url, api_key=api_key, policy=RetryPolicy(max_retries=0, deadline_s=5), sleep=_no_sleep
    )
    return Runtime(catalog, client=client, meter=CreditMeter(), default_account=account_id, cache_ttl="0")
