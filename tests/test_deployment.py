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
