"""The hosted deployment's files, read statically (no Docker engine is needed): compose.yaml
against the Compose specification, its settings against ours, and nginx's configuration checked
by nginx itself where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from linkup_mcp.config import ENV_PREFIX, Settings, ledger_problem
from tests.pg import PostgresServer, postgres  # noqa: F401  (the session's PostgreSQL fixture)

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="check-jsonschema is a dev dependency from Python 3.11")
def test_compose_file_follows_the_compose_specification() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_two_replicas_share_one_postgresql_ledger_behind_a_proxy() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"db", "mcp", "proxy"}
    assert services["db"]["image"].startswith("postgres:")
    mcp = services["mcp"]
    assert mcp["deploy"]["replicas"] == 2
    assert mcp["command"][:2] == ["--transport", "http"]
    env = mcp["environment"]
    assert ledger_problem(env["LINKUP_LEDGER"]) is None and env["LINKUP_LEDGER"].startswith("postgresql://")
    assert "@db:" in env["LINKUP_LEDGER"] and ":" not in env["LINKUP_LEDGER"].split("//")[1].split("@")[0]
    assert "/healthz" in " ".join(mcp["healthcheck"]["test"])
    unknown = [k for k in env if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :].lower() not in Settings.model_fields]
    assert unknown == []
    assert services["proxy"]["volumes"] == ["./deploy/nginx.conf:/etc/nginx/nginx.conf:ro"]
    # every ${VARIABLE} compose asks for is in the example .env
    example = (ROOT / "deploy" / "env.example").read_text()
    wanted = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "compose.yaml").read_text()))
    assert {v for v in wanted if f"\n{v}=" not in f"\n{example}"} == set()


def test_the_proxy_keeps_sessions_on_one_replica_and_streams_events() -> None:
    assert "ip_hash;" in NGINX and "server mcp:8000" in NGINX
    assert "proxy_buffering off;" in NGINX and "location = /healthz" in NGINX


@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed (Debian: apt-get install nginx-light)"
)
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX.replace("server mcp:8000", "server 127.0.0.1:8000"))  # `mcp` resolves in compose only
    done = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_the_image_carries_the_postgres_driver() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("--extra postgres") == 2


@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed (Debian: apt-get install nginx-light)"
)
@pytest.mark.anyio
async def test_two_replicas_behind_nginx_serve_mcp_and_health(tmp_path: Path, postgres: PostgresServer) -> None:  # noqa: F811
    """deploy/nginx.conf in front of two real HTTP replicas on one PostgreSQL ledger (what
    compose.yaml runs, on loopback): health checks and MCP sessions pass through the proxy."""
    import anyio
    import httpx2

    from tests.e2e.test_http_transport import ALICE, TOKEN, free_port, http_server, mcp_client
    from tests.fakeapi import FakeApi

    env = {"LINKUP_MCP_TOKEN": TOKEN, "LINKUP_CLIENT_KEYS": "1", "LINKUP_ACCOUNT_ID": "acc_1", "LINKUP_CACHE_TTL": "0"}
    port = free_port()
    with FakeApi() as api:
        env |= {"LINKUP_BASE_URL": api.base_url, "LINKUP_LEDGER": postgres.target()}
        with http_server(env) as (url1, _), http_server(env) as (url2, _):
            upstreams = "".join(f"server {u.split('/')[2]};" for u in (url1, url2))
            conf = tmp_path / "nginx.conf"
            conf.write_text(
                NGINX.replace("server mcp:8000 max_fails=2 fail_timeout=10s;", upstreams)
                .replace("listen 80;", f"listen 127.0.0.1:{port};")
                .replace("http {", "http {\n    access_log off;")
            )
            async with httpx2.AsyncClient() as http:  # both replicas serving (not just listening) first
                for url in (url1, url2):
                    for _ in range(200):
                        try:
                            if (await http.get(url.replace("/mcp", "/healthz"))).status_code == 200:
                                break
                        except httpx2.TransportError:
                            pass
                        await anyio.sleep(0.05)
            proxy = subprocess.Popen(
                [
                    "nginx",
                    "-c",
                    str(conf),
                    "-g",
                    f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;",
                ]
            )
            try:
                base = f"http://127.0.0.1:{port}"
                async with httpx2.AsyncClient() as http:
                    for _ in range(100):
                        try:
                            health = await http.get(f"{base}/healthz")
                            break
                        except httpx2.ConnectError:
                            await anyio.sleep(0.05)
                    other = await http.get(f"{base}/")
                auth = {"Authorization": f"Bearer {TOKEN}", "X-Linkup-Api-Key": ALICE}
                async with mcp_client(f"{base}/mcp", auth) as client:
                    tools = await client.list_tools()
                    first = await client.call_tool("profiles_get", {"profile_url": "https://www.linkedin.com/in/a"})
                    again = await client.call_tool(
                        "messages_send", {"profile_url": "https://www.linkedin.com/in/a", "message_text": "Hi"}
                    )
            finally:
                proxy.terminate()
                proxy.wait(10)
    assert (health.status_code, health.text) == (200, "ok") and other.status_code == 404
    assert tools.tools and first.is_error is False and again.is_error is False
    assert [r.headers["x-api-key"] for r in api.requests] == [ALICE, ALICE]
