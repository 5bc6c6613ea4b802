"""Settings: the one place configuration is read (environment `LINKUP_*`, CLI flags override)."""

from __future__ import annotations

import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

DEFAULT_BASE_URL = "https://api.linkupapi.com"


ENV_PREFIX = "LINKUP_"

# Daily outreach caps per account, chosen conservatively: LinkedIn restricts accounts that send
# too much and does not publish its limits; these stay well inside the figures commonly observed.
# invitation 20: about 100 a week is allowed for most accounts; 20 on each of 5 working days
# stays inside it without spikes. message 50: bursts of new messages trigger spam checks; 50 is a
# moderate day for an established account. engagement 40 (posts, comments, reactions, reposts):
# public activity at a human pace.
DEFAULT_PACING: dict[str, int] = {"invitation": 20, "message": 50, "engagement": 40}


def parse_pacing(text: str | None) -> dict[str, int]:
    """`invitation=10,message=30` over the defaults; `kind=0` blocks a kind; raises ValueError."""
    caps = dict(DEFAULT_PACING)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        kind, sep, value = part.partition("=")
        kind = kind.strip()
        if not sep or kind not in DEFAULT_PACING or not value.strip().isdigit():
            raise ValueError(
                f"LINKUP_PACING entry {part.strip()!r} is not KIND=NUMBER with KIND one of {sorted(DEFAULT_PACING)}"
            )
        caps[kind] = int(value)
    return caps


def parse_ttls(raw: str | None) -> tuple[int | None, dict[str, int]]:
    """LINKUP_CACHE_TTL: `N` (seconds for every cached tool; 0 disables) and/or `tool=N` pairs."""
    every: int | None = None
    per_tool: dict[str, int] = {}
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.rpartition("=")
        if not value.strip().isdigit():
            raise ValueError(f"LINKUP_CACHE_TTL entry {part!r} is not SECONDS or TOOL=SECONDS")
        if sep:
            per_tool[name.strip()] = int(value)
        else:
            every = int(value)
    return every, per_tool


class Settings(BaseModel):
    """Every setting, typed and defaulted. Field `x` is env `LINKUP_X` and flag `--x`.

    A plain pydantic model read by `load_settings` rather than pydantic-settings: the same
    typing and errors, without ~50 ms of imports on every server start (measured).
    """

    model_config = ConfigDict(extra="ignore")

    api_key: SecretStr | None = Field(None, description="API key, sent as x-api-key; never echoed")
    account_id: str | None = Field(None, description="default account_id for every call")
    base_url: str = Field(DEFAULT_BASE_URL, description="API base URL")
    timeout: float = Field(60.0, gt=0, description="per-request timeout, seconds")
    max_credits: int | None = Field(None, ge=0, description="credit budget for this server process")
    toolsets: list[str] | None = Field(
        None, description="comma list of toolsets to expose (default: all but the opt-in auth and webhooks)"
    )
    read_only: bool = Field(False, description="expose only read-only tools")
    sandbox: bool = Field(False, description="serve from the built-in sandbox instead of the real API")
    max_recipients: int | None = Field(
        None, ge=1, description="distinct recipients per outreach kind per server process; more are refused"
    )
    cache_ttl: str | None = Field(
        None, description="paid-read cache TTLs: SECONDS for all cached tools (0 = off) and/or TOOL=SECONDS"
    )
    upload_dir: str | None = Field(
        None, description="folder whose files the agent may attach by path (e.g. media_local_path); unset = none"
    )
    max_upload_bytes: int = Field(10_000_000, ge=1, description="largest local file the agent may attach")
    tool_mode: Literal["full", "compact"] = Field(
        "full", description="full: one tool per action; compact: four meta-tools (search, describe, read, run)"
    )
    max_result_bytes: int = Field(
        50_000, ge=1_000, description="cut larger results (lists first, then long strings) and say so"
    )
    rate_limit: int = Field(
        300, ge=1, description="requests per minute to LinkupAPI: per process, or per key across a PostgreSQL ledger"
    )
    max_credits_per_call: int = Field(50, ge=0, description="refuse any single call estimated above this")
    daily_credits: int | None = Field(None, ge=0, description="credit budget per UTC day across processes (ledger)")
    ledger: str | None = Field(
        None,
        description="SQLite ledger path (':memory:' keeps nothing; the sandbox uses NAME.sandbox.EXT beside it), "
        "or a postgresql:// URL shared by replicas (needs linkup-mcp[postgres])",
    )
    pacing: str | None = Field(None, description="daily outreach caps, e.g. 'invitation=20,message=50'")
    tools: list[str] | None = Field(None, description="comma list: expose only these tools")
    exclude_tools: list[str] | None = Field(None, description="comma list: hide these tools")
    confirm: Literal["off", "outreach", "all", "preview"] = Field(
        "off",
        description="outreach: ask the human (MCP elicitation) before outreach; all: before every side effect; "
        "preview: outreach returns a preview and a confirm_token first (any client)",
    )
    max_retries: int = Field(3, ge=0, le=10, description="retries of a retryable failure")
    retry_deadline: float = Field(45.0, gt=0, description="total seconds a call may spend retrying")
    log_level: str = Field("WARNING", description="stderr log level")
    transport: Literal["stdio", "http"] = Field("stdio", description="stdio, or http (streamable HTTP on host:port)")
    host: str = Field("127.0.0.1", description="HTTP transport: address to bind (non-loopback needs LINKUP_MCP_TOKEN)")
    port: int = Field(
        8000, ge=0, le=65535, description="HTTP transport: port to bind (0: any free port, printed at start)"
    )
    mcp_token: SecretStr | None = Field(
        None, description="HTTP transport: bearer token every request must carry; never echoed"
    )
    allowed_hosts: list[str] | None = Field(
        None, description="HTTP transport: comma list of extra Host names clients may use (e.g. behind a proxy)"
    )
    client_keys: bool = Field(
        False, description="HTTP transport: a request may bring its own LinkupAPI key in X-Linkup-Api-Key"
    )
    client_key_runtimes: int = Field(
        100,
        ge=1,
        description="HTTP with client keys: per-key runtimes open at once (a new key takes an idle one's room)",
    )
    client_key_idle: float = Field(
        300.0, gt=0, description="HTTP with client keys: seconds after which an idle per-key runtime is closed"
    )

    @field_validator("toolsets", "tools", "exclude_tools", "allowed_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            return parts or None
        return value

    @field_validator("cache_ttl")
    @classmethod
    def _valid_cache_ttl(cls, value: str | None) -> str | None:
        parse_ttls(value)
        return value

    @field_validator("ledger")
    @classmethod
    def _check_ledger(cls, value: str | None) -> str | None:
        problem = ledger_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("pacing")
    @classmethod
    def _check_pacing(cls, value: str | None) -> str | None:
        parse_pacing(value)  # raises ValueError with the fix in the message
        return value

    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None

    def ledger_path(self) -> str:
        """The ledger: a file, or a PostgreSQL URL. The sandbox keeps its own books next to the real
        ones (`ledger.sqlite3` -> `ledger.sandbox.sqlite3`; in PostgreSQL, schema `linkup_sandbox`):
        simulated spend, sends and pacing must never count against the real daily budget, duplicate
        guard or caps, nor show in `linkup-mcp ledger`."""
        path = self.ledger
        if not path:
            from platformdirs import user_state_path

            path = str(user_state_path("linkup-mcp") / "ledger.sqlite3")
        return scoped_ledger(path, "sandbox") if self.sandbox else path


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: `C:\...` is a path
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


def ledger_problem(value: str) -> str | None:
    """Why LINKUP_LEDGER cannot be used (None when it is a file path, :memory: or a postgresql:// URL)."""
    fix = (
        "give a SQLite file path (e.g. /data/ledger.sqlite3), :memory:, or a PostgreSQL URL "
        "(postgresql://user@host:5432/dbname, or postgresql:///dbname?host=/run/postgresql for a Unix socket)"
    )
    if value.startswith(POSTGRES_SCHEMES):
        schema = value.partition("#")[2]
        if schema and not _SCHEMA_NAME.fullmatch(schema):
            return f"the schema after '#' must be lowercase letters, digits and _ (at most 41): {fix}"
        return None
    scheme = _SCHEME.match(value)
    if scheme and (value[scheme.end() :].startswith("//") or scheme.group(1).lower().startswith("postgres")):
        return f"{scheme.group(1)}: is not a supported ledger; {fix}"
    return None


def scoped_ledger(target: str, name: str) -> str:
    """A ledger of its own beside `target`, for `name` (the sandbox, one API key): the file
    `STEM.name.EXT` beside it, or the schema `<schema>_name` in the same database."""
    if target == ":memory:":
        return target
    if target.startswith(POSTGRES_SCHEMES):
        url, _, schema = target.partition("#")
        return f"{url}#{schema or 'linkup'}_{name}"
    from pathlib import Path

    path = Path(target)
    return str(path.with_name(f"{path.stem}.{name}{path.suffix}"))


def from_environment(environ: Any = None) -> dict[str, str]:
    """The LINKUP_* variables that name a setting and have a value (others are ignored)."""
    environ = os.environ if environ is None else environ
    found = {name: environ.get(ENV_PREFIX + name.upper()) for name in Settings.model_fields}
    # An empty value is unset: a client config (or an MCPB bundle's optional setting left blank)
    # passes `LINKUP_ACCOUNT_ID=""`, which must mean "no default account", not the account "".
    return {name: value for name, value in found.items() if value is not None and value.strip()}


def load_settings(**overrides: Any) -> Settings:
    """Environment first, then explicit overrides (CLI flags) for the fields given."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**{**from_environment(), **clean})
