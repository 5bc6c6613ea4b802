"""LinkupAPI HTTP client: one pooled AsyncClient, the wire format, retries and pacing.

The client speaks HTTP and knows nothing about tools or envelopes: it sends one request as
a spec route describes it and returns the decoded reply, or raises `TransportFailure` when
no reply came. Tests inject an `httpx2.MockTransport` through `transport=`.

We use `httpx2`, the maintained continuation of httpx that the `mcp` SDK already imports:
same API, no second HTTP stack to load at start-up.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import anyio
import httpx2

from linkup_mcp import __version__
from linkup_mcp.api.rate_window import Limiter, SlidingWindowLimiter, release
from linkup_mcp.api.retry import RetryPolicy, backoff_delay, parse_retry_after, should_retry
from linkup_mcp.spec.models import ID_PATTERN, Route

log = logging.getLogger(__name__)

# API rate limit per key (V1 docs: 300 requests/minute; V2 assumed the same).
REQUESTS_PER_MINUTE = 300

_PATH_VALUE = re.compile(ID_PATTERN)
_STREAM_ROUTE = Route(method="GET", path="/v2/webhooks/{webhook_id}/stream", body="query", account="none")


class PathValueError(ValueError):
    """A value that cannot be placed in a URL path safely."""


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None  # the decoded JSON object; None when the body is not one
    excerpt: str  # start of a body that did not decode, for the error message
    attempts: int
    retry_after: float | None = None


@dataclass
class TransportFailure(Exception):
    kind: Literal["timeout", "network"]
    maybe_sent: bool  # the request may have reached the API (read timeout, broken connection)
    detail: str
    attempts: int

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


class StreamRefused(Exception):
    """The API answered an event stream request with an error (e.g. 404 unknown webhook)."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after

    @property
    def transient(self) -> bool:
        """Rate limited or a server error: worth another try later (the rest will not change)."""
        return self.status == 429 or self.status >= 500


def fill_path(route: Route, values: dict[str, Any]) -> str:
    """Route path with `{name}` placeholders filled, validated and percent-encoded."""

    def sub(match: re.Match[str]) -> str:
        value = str(values.get(match.group(1), ""))
        if not _PATH_VALUE.fullmatch(value) or value in (".", ".."):
            raise PathValueError(f"{match.group(1)}: {value!r} is not a valid identifier for a URL path")
        return quote(value, safe="")

    return re.sub(r"{([a-z_]+)}", sub, route.path)


def build_request(
    route: Route, *, account_id: str | None, action: str, params: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    """(method, path, httpx request kwargs) for one call, exactly as the API expects it."""
    path_names = route.path_params()
    path = fill_path(route, {**params, "account_id": account_id})
    params = {k: v for k, v in params.items() if k not in path_names}
    kwargs: dict[str, Any] = {}
    if route.body == "action":
        body: dict[str, Any] = {}
        if account_id is not None and route.account in ("required", "optional"):
            body["account_id"] = account_id
        body["action"] = action
        body["params"] = params
        kwargs["json"] = body
    elif route.body == "json":
        if account_id is not None and route.account in ("required", "optional"):
            params = {"account_id": account_id, **params}
        kwargs["json"] = params
    elif params:
        kwargs["params"] = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}
    return route.method, path, kwargs


def decode(response: httpx2.Response) -> tuple[dict[str, Any] | None, str]:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None, response.text[:200]
    if not isinstance(body, dict):
        return None, response.text[:200]
    return body, ""


class LinkupClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 60.0,
        policy: RetryPolicy | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        limiter: Limiter | None = None,  # another window (one shared by replicas); default: this process's
    ):
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._limiter: Limiter = limiter or SlidingWindowLimiter(requests_per_minute, 60.0)
        self._base = base_url.rstrip("/")
        self._options: dict[str, Any] = {
            "headers": {"x-api-key": api_key, "user-agent": f"linkup-mcp/{__version__}"},
            "timeout": httpx2.Timeout(timeout, connect=min(10.0, timeout)),
            "limits": httpx2.Limits(max_connections=100, max_keepalive_connections=20),
            "transport": transport,
        }
        self._client: httpx2.AsyncClient | None = None

    @property
    def _http(self) -> httpx2.AsyncClient:
        """Created on the first request, so that starting the server (and every session that never
        calls the API) does not wait for the TLS context to be built."""
        if self._client is None:
            self._client = httpx2.AsyncClient(**self._options)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def send(
        self, route: Route, *, account_id: str | None, action: str, params: dict[str, Any], read_only: bool
    ) -> Reply:
        """Send one call, retrying per the policy; a Reply, or TransportFailure if none came."""
        method, path, kwargs = build_request(route, account_id=account_id, action=action, params=params)
        deadline: float | None = None  # from the first request out: a wait for the rate limit is no retry
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            reply: Reply | None = None
            failure: TransportFailure | None = None
            await self._limiter.acquire()
            if deadline is None:
                deadline = time.monotonic() + self.policy.deadline_s
            try:
                response = await self._http.request(method, self._base + path, **kwargs)
            except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout) as exc:
                kind: Literal["timeout", "network"] = "network" if isinstance(exc, httpx2.ConnectError) else "timeout"
                failure = TransportFailure(kind, False, type(exc).__name__, attempt)
            except httpx2.TimeoutException as exc:
                failure = TransportFailure("timeout", True, type(exc).__name__, attempt)
            except httpx2.TransportError as exc:
                failure = TransportFailure("network", True, type(exc).__name__, attempt)
            else:
                status = response.status_code
                body, excerpt = decode(response)
                reply = Reply(status, body, excerpt, attempt, parse_retry_after(response.headers.get("retry-after")))
            finally:
                release(self._limiter)  # answered (or failed): its slot counts from now
            log.debug("%s %s action=%s attempt=%d -> %s", method, path, action, attempt, status or failure)

            sent = failure.maybe_sent if failure else True
            if status is not None and status < 500 and status != 429:
                assert reply is not None
                return reply
            if attempt > self.policy.max_retries or not should_retry(status=status, sent=sent, read_only=read_only):
                return self._give_up(reply, failure)
            delay = (reply.retry_after if reply and reply.retry_after is not None else None) or backoff_delay(attempt)
            if time.monotonic() + delay > deadline:
                return self._give_up(reply, failure)
            await self._sleep(delay)

    @staticmethod
    def _give_up(reply: Reply | None, failure: TransportFailure | None) -> Reply:
        if reply is not None:
            return reply
        assert failure is not None
        raise failure

    @asynccontextmanager
    async def event_stream(
        self, webhook_id: str, *, last_event_id: str | None = None, read_timeout: float = 90.0
    ) -> AsyncIterator[AsyncIterator[httpx2.ServerSentEvent]]:
        """A hosted webhook's SSE stream (`GET /v2/webhooks/{id}/stream`), resumed after
        `last_event_id`. SSE cannot carry headers from a browser, so the API takes the key as the
        `api_key` query parameter; it never reaches a log (the root logger masks secrets).
        `read_timeout` exceeds the API's 30 s keepalive, so only a dead connection trips it.
        Raises StreamRefused on an API error, httpx2 errors when no stream came."""
        path = fill_path(_STREAM_ROUTE, {"webhook_id": webhook_id})
        headers = {"accept": "text/event-stream", "cache-control": "no-cache"}
        if last_event_id:
            headers["last-event-id"] = last_event_id
        api_key = self._options["headers"]["x-api-key"]
        timeout = httpx2.Timeout(read_timeout, connect=min(10.0, read_timeout))
        await self._limiter.acquire()
        request = self._http.stream(
            "GET", self._base + path, params={"api_key": api_key}, headers=headers, timeout=timeout
        )
        async with request as response:
            release(self._limiter)  # the stream's answer began: the API has counted the request
            if response.status_code != 200:
                await response.aread()
                body, excerpt = decode(response)
                error = (body or {}).get("error")
                error = error if isinstance(error, dict) else {"message": error} if isinstance(error, str) else {}
                raise StreamRefused(
                    response.status_code,
                    str(error.get("code") or f"HTTP_{response.status_code}"),
                    str(error.get("message") or excerpt or response.reason_phrase),
                    parse_retry_after(response.headers.get("retry-after")),
                )
            yield httpx2.EventSource(response).__aiter__()
