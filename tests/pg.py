"""A real, throwaway PostgreSQL server for the tests (and benchmarks/shared_ledger.py).

`PostgresServer` runs the distribution's server binaries (`initdb`, `postgres`: Debian's
`postgresql` package, which .ci/run installs; Homebrew's; GitHub's Ubuntu runners have them) in a
temporary folder, listening on a Unix socket there and on a free 127.0.0.1 port, with durability
off (fsync) since nothing outlives the session. As root (CI here), it runs as the `postgres`
system user, as PostgreSQL requires. `TEST_POSTGRES_URL` uses a server of yours instead.

The `postgres` fixture yields it for the session; each test takes a schema of its own
(`postgres.target()`), so tests never see each other's rows. Where no server can start the
tests skip saying why — except under CI (the `CI` variable set), where they fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROLE = "linkup"


def server_bin_dir() -> Path | None:
    """Where `initdb` and `postgres` are: PATH, else the newest Debian/Ubuntu install."""
    found = shutil.which("initdb")
    if found and shutil.which("postgres"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, url: str | None = None, *, durable: bool = False):
        self.url, self.tcp_url = url or "", url or ""
        self.durable = durable  # fsync and synchronous commits, as a real deployment has them (benchmarks)
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._args: list[str] = []
        self._user: str | None = None
        self._schemas: list[str] = []

    def start(self) -> PostgresServer:
        if self.url:
            return self
        bindir = server_bin_dir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql")
        user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            user = "postgres"
            import pwd

            try:
                pwd.getpwnam(user)
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run the server as") from None
        self._dir = Path(tempfile.mkdtemp(prefix="linkup-pg-"))
        if user:
            shutil.chown(self._dir, user, user)
        data, port = self._dir / "data", _free_port()
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", ROLE, "--auth=trust", "-E", "UTF8", "--no-sync"]
        subprocess.run(initdb, check=True, capture_output=True, user=user, timeout=120)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(self._dir),
            "max_connections": "300",
        }
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        self._args = [str(bindir / "postgres"), "-D", str(data), *[f"-c{k}={v}" for k, v in settings.items()]]
        self._user = user
        self._launch()
        self.url = f"postgresql://{ROLE}@/postgres?host={self._dir}&port={port}"  # the Unix socket
        self.tcp_url = f"postgresql://{ROLE}@127.0.0.1:{port}/postgres"
        self._wait_ready()
        return self

    def _launch(self) -> None:
        assert self._dir is not None
        log = open(self._dir / "server.log", "ab")  # noqa: SIM115 (the server writes it while running)
        self._proc = subprocess.Popen(self._args, stdout=log, stderr=log, user=self._user, start_new_session=True)

    def restart(self) -> None:
        """Stop the server (every connection drops) and start it again on the same data and port."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGINT)  # "fast" shutdown: connected sessions are cut
        self._proc.wait(20)
        self._launch()
        self._wait_ready()

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if (self._proc is not None and self._proc.poll() is not None) or time.monotonic() > deadline:
                    log = (self._dir / "server.log").read_text(errors="replace") if self._dir else ""
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start: {log[-2000:]}") from None
                time.sleep(0.1)

    def target(self, *, tcp: bool = False) -> str:
        """A ledger target of its own: this server's URL and a new schema."""
        schema = f"t_{uuid.uuid4().hex[:12]}"
        self._schemas.append(schema)
        return f"{self.tcp_url if tcp else self.url}#{schema}"

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGINT)  # "fast" shutdown: connected sessions are cut
            try:
                self._proc.wait(20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
            self._proc = None
        elif self.url and self._schemas:  # a server of yours: leave it as it was
            import psycopg

            with contextlib.suppress(psycopg.Error), psycopg.connect(self.url, autocommit=True) as conn:
                for schema in self._schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema}, {schema}_sandbox CASCADE")
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def unavailable(reason: str) -> None:
    """Skip where PostgreSQL cannot run — but fail in CI, which must run these tests."""
    message = f"PostgreSQL could not start, so the shared-ledger tests cannot run: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run them: .ci/run installs Debian's postgresql package)", pytrace=False)
    pytest.skip(message + " — install PostgreSQL (Debian: apt-get install postgresql) or set TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        import psycopg  # noqa: F401  (the postgres extra, in the dev group)
    except ImportError as exc:
        unavailable(f"psycopg is not installed ({exc}); uv sync installs it")
    server = PostgresServer(os.environ.get("TEST_POSTGRES_URL") or None)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()
