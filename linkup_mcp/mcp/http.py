"""`linkup-mcp --transport http`: the SDK's streamable HTTP app, served by uvicorn.

- Binds 127.0.0.1 by default. Any other address needs a bearer token (LINKUP_MCP_TOKEN): without
  one the server refuses to start (exit status 2). With a token set, every request must carry
  `Authorization: Bearer <token>` (401 otherwise).
- DNS-rebinding protection (the SDK's TransportSecuritySettings): the Host header must name the
  bind address (any port; for loopback binds 127.0.0.1, localhost or [::1]) or one of
  LINKUP_ALLOWED_HOSTS (421 otherwise); an Origin header, when sent, the same names (403 otherwise).
- LINKUP_CLIENT_KEYS: a request may bring its own LinkupAPI key in `X-Linkup-Api-Key`. Each distinct
  key gets its own runtime (API client, credit meter, ledger file or PostgreSQL schema), opened on
  first use, at most LINKUP_CLIENT_KEY_RUNTIMES at once, closed when idle (mcp/client_keys.py); a
  request without the header uses the server's own key (or answers NOT_CONFIGURED).
- Every JSON POST body is checked before the SDK reads it (mcp/frames.py): each legal JSON-RPC
  message gets exactly one answer, bodies over 16 MB get 413.
- `GET /healthz`: 200 while the ledger is usable, 503 otherwise; no token needed (load balancers).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager, suppress

import anyio
import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from linkup_mcp.call.runtime import Runtime, open_runtime
from linkup_mcp.config import Settings, scoped_ledger
from linkup_mcp.mcp.client_keys import ClientKeys
from linkup_mcp.mcp.frames import CheckedBody
from linkup_mcp.mcp.server import create_server
from linkup_mcp.mcp.subscriptions import Subscriptions
from linkup_mcp.redact import log_redactor

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_security(host: str, allowed_hosts: list[str] | None = None) -> TransportSecuritySettings:
    """Host/Origin rules: the bind address (all loopback names for a loopback bind) plus extra names."""
    names = ["127.0.0.1", "localhost", "[::1]"] if is_loopback(host) else [host]
    names = [f"[{n}]" if ":" in n and not n.startswith("[") else n for n in [*names, *(allowed_hosts or [])]]
    hosts = [h for n in names for h in (n, f"{n}:*")]  # without a port (80/443 behind a proxy), or any port
    origins = [f"{scheme}://{h}" for scheme in ("http", "https") for h in hosts]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


class BearerAuth:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), self._token):
                response = PlainTextResponse(
                    "Unauthorized: send 'Authorization: Bearer <token>' (the server's LINKUP_MCP_TOKEN)",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="linkup-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def key_settings(settings: Settings, key: str, digest: str) -> Settings:
    """The server's settings with the client's key, and a ledger of its own — a file beside the
    server's, or a schema of its own in PostgreSQL (daily budget, duplicate sends, pacing and the
    paid-read cache are never shared between keys)."""
    ledger = scoped_ledger(settings.ledger_path(), digest[:16])
    return settings.model_copy(update={"api_key": SecretStr(key), "ledger": ledger})


class Health:
    """ASGI middleware: `GET /healthz` answers 200 `ok` while the ledger answers a query (503 and
    the reason otherwise), without a token: for load balancers and container health checks. It
    says nothing about keys, calls or settings."""

    PATH = "/healthz"

    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.PATH:
            await self.app(scope, receive, send)
            return
        try:
            with anyio.fail_after(5):
                await anyio.to_thread.run_sync(self.runtime.ledger.check, abandon_on_cancel=True)
            response = PlainTextResponse("ok")
        except Exception as exc:
            log.warning("health check: the ledger is not usable: %s", exc)
            response = PlainTextResponse("ledger unavailable", status_code=503)
        await response(scope, receive, send)


def mask_in_logs(secret: str | None) -> None:
    """Add a secret (in every form) to the stderr log's redactor installed by `setup_logging`."""
    redactor = log_redactor()
    if redactor is not None:
        redactor.add(secret)


class _Uvicorn(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Signals are handled in `_serve` instead: uvicorn would re-raise SIGTERM after stopping,
        # killing the process before the runtimes close (ledger rows flushed, HTTP pools shut).
        yield


async def _stop_on_signals(server: uvicorn.Server) -> None:
    """SIGTERM/SIGINT: stop serving (calls in flight get a few seconds), then close the runtimes;
    a second signal stops at once."""
    try:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                log.info("received %s: shutting down", signal.Signals(signum).name)
                server.force_exit = server.should_exit
                server.should_exit = True
    except NotImplementedError:  # Windows event loops have no signal receivers (Ctrl-C still stops)
        return


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything starts (a busy port is one clear line, exit 1).
    IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets (see sandbox/server.py)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def served_url(sock: socket.socket) -> str:
    """The URL clients connect to (the bound port, so `--port 0` shows the one chosen)."""
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/mcp"


async def _serve(settings: Settings, token: str | None, sock: socket.socket) -> None:
    async with AsyncExitStack() as stack:
        runtime = await stack.enter_async_context(open_runtime(settings))
        subscriptions = await stack.enter_async_context(Subscriptions.running())
        keys = None
        if settings.client_keys:
            keys = ClientKeys(
                runtime,
                lambda key, digest: key_settings(settings, key, digest),
                max_open=settings.client_key_runtimes,
                idle_s=settings.client_key_idle,
                busy=lambda rt: bool(subscriptions.active(rt)),  # a webhook followed for it
            )
            stack.push_async_callback(keys.aclose)  # per-key runtimes close before `subscriptions`
        app: ASGIApp = create_server(runtime, keys, subscriptions).streamable_http_app(
            host=settings.host, transport_security=transport_security(settings.host, settings.allowed_hosts)
        )
        app = CheckedBody(app)  # every legal JSON-RPC body answered exactly once (mcp/frames.py)
        if token:
            app = BearerAuth(app, token)
        app = Health(app, runtime)  # before the token: load balancers have none
        config = uvicorn.Config(
            app,
            log_config=None,  # the root logger set up by `setup_logging`: stderr, secrets masked
            log_level=logging.getLogger().getEffectiveLevel(),
            timeout_graceful_shutdown=3,  # an open SSE stream must not hold the shutdown up
        )
        server = _Uvicorn(config)
        print(f"linkup-mcp: serving MCP (streamable HTTP) at {served_url(sock)}", file=sys.stderr, flush=True)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_stop_on_signals, server)
            if keys is not None:
                tasks.start_soon(keys.reap_forever)  # idle per-key runtimes closed
            await server.serve(sockets=[sock])
            tasks.cancel_scope.cancel()
        subscriptions.stop()  # followers first: per-key runtimes close before `subscriptions` in the stack


def serve_http(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT (exit status 0); 2 when the configuration is unsafe."""
    token = (settings.mcp_token.get_secret_value() if settings.mcp_token else "") or None
    if token is None and not is_loopback(settings.host):
        print(
            f"linkup-mcp: refusing to serve HTTP on {settings.host}, which is not a loopback address, "
            "without a bearer token: set LINKUP_MCP_TOKEN (clients then send 'Authorization: Bearer <token>'), "
            "or bind 127.0.0.1.",
            file=sys.stderr,
        )
        return 2
    if settings.client_keys and settings.sandbox:
        print("linkup-mcp: LINKUP_CLIENT_KEYS needs the real API (or LINKUP_BASE_URL), not --sandbox.", file=sys.stderr)
        return 2
    mask_in_logs(token)
    if not is_loopback(settings.host) and not settings.allowed_hosts:
        log.warning(
            "only Host: %s is accepted; set LINKUP_ALLOWED_HOSTS to the names clients use to reach this server",
            settings.host,
        )
    try:
        sock = _listen(settings.host, settings.port)
    except OSError as exc:
        print(f"linkup-mcp: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    with sock, suppress(KeyboardInterrupt):
        anyio.run(_serve, settings, token, sock)
    return 0
