"""Serving the sandbox: in a background thread (`SandboxServer`, for `--sandbox` and tests) or
in the foreground (`serve_forever`, for `linkup-mcp sandbox`). Loopback only by default."""

from __future__ import annotations

import logging
import socket
import sys
import threading
from types import TracebackType

import uvicorn

from linkup_mcp.sandbox.app import SandboxApp
from linkup_mcp.sandbox.config import SandboxConfig
from linkup_mcp.sandbox.state import SandboxState

log = logging.getLogger("linkup_mcp.sandbox")


def _uvicorn_config(app: SandboxApp) -> uvicorn.Config:
    # log_config=None: keep uvicorn off stdout (stdout is the MCP channel in --sandbox mode);
    # a bounded graceful shutdown, so an open webhook stream cannot hold the server up
    return uvicorn.Config(
        app, lifespan="off", log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=2
    )


class SandboxServer:
    """The sandbox on 127.0.0.1 and a free port, in a daemon thread, for a `with` block."""

    def __init__(self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.config = config or SandboxConfig()
        self.state = SandboxState(self.config)
        self.app = SandboxApp(self.state)
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on proto-TCP sockets, and without it
        # every small answer waits ~40 ms for a delayed ACK (headers and body are separate writes)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(_uvicorn_config(self.app))
        self._thread = threading.Thread(target=self._run, name="linkup-sandbox", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> SandboxServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start (see the log on stderr)")
            self._thread.join(0.01)
        log.info("sandbox serving LinkupAPI V2 at %s", self.base_url)
        return self

    def stop(self) -> None:
        self.state.close()  # ends the scheduler and the open webhook streams
        self._server.should_exit = True
        self._thread.join(5)
        self._socket.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(host: str = "127.0.0.1", port: int = 8765, config: SandboxConfig | None = None) -> None:
    """`linkup-mcp sandbox`: serve until interrupted; prints where and with which key."""
    config = config or SandboxConfig()
    app = SandboxApp(SandboxState(config))
    # stderr like every other message of this package: stdout is reserved for the MCP protocol
    print(
        f"LinkupAPI V2 sandbox on http://{host}:{port}  (x-api-key: {config.api_key}, account_id: {config.account_id})",
        file=sys.stderr,
    )
    print(f"Admin: http://{host}:{port}/_sandbox/state  ·  Ctrl-C to stop", file=sys.stderr, flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, lifespan="off", log_level="warning", timeout_graceful_shutdown=2)
    )
    server.run()
