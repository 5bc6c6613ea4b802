"""`linkup-mcp doctor`: check the set-up end to end, one line per check, each failure with its fix.

The API checks go through the same runtime as a tool call (`open_runtime` → pipeline →
client), so they exercise the real wire code: `credits_get` proves the base URL answers and
accepts the key, `accounts_get` that the default account exists and is active.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from linkup_mcp.cli.settings import InvalidSettings
from linkup_mcp.config import Settings
from linkup_mcp.errors import Code
from linkup_mcp.redact import Redactor

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime

NEEDS_KEY = "not checked (needs an API key)"
# Where the balance may sit in /v2/credits' data (the sandbox answers credits_remaining).
BALANCE_FIELDS = ("credits_remaining", "remaining_credits", "credits", "balance")


class Check(NamedTuple):
    ok: bool
    name: str
    detail: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


def mask(secret: str) -> str:
    """`****` and the last 4 characters, only when that shows at most half of the secret."""
    return "****" + secret[-4:] if len(secret) >= 8 else "****"


def run_doctor(load: Callable[[], Settings]) -> int:
    checks: list[Check] = []
    secrets: list[str | None] = []  # the key, once loaded: an API message might echo it

    def report(check: Check) -> None:
        checks.append(check)
        print(Redactor(secrets).text(check.line()), flush=True)

    try:
        settings = load()
    except InvalidSettings as exc:
        for problem in exc.problems:
            report(Check(False, "configuration", f"{problem.line()}; fix or unset it"))
        print("(the other checks need a valid configuration)")
        return 1
    secrets.append(settings.api_key_value())
    report(Check(True, "configuration", "valid"))

    import anyio

    from linkup_mcp.redact import setup_logging

    setup_logging(settings.log_level, [settings.api_key_value()])
    for check in anyio.run(_api_checks, settings):
        report(check)
    report(_ledger_check(settings.ledger_path()))
    report(_specs_check(settings))
    return 0 if all(c.ok for c in checks) else 1


async def _api_checks(settings: Settings) -> list[Check]:
    key = settings.api_key_value()
    where = "built-in sandbox" if settings.sandbox else settings.base_url
    if settings.sandbox:
        key_check = Check(True, "API key", "not needed (--sandbox uses the sandbox's own key)")
    elif key:
        key_check = Check(True, "API key", f"set ({mask(key)})")
    else:
        fix = "not set; export LINKUP_API_KEY=... (your key from app.linkupapi.com), or try --sandbox"
        return [
            Check(False, "API key", fix),
            Check(False, "base URL", f"{where} {NEEDS_KEY}"),
            Check(False, "account", NEEDS_KEY),
            Check(False, "credits", NEEDS_KEY),
        ]

    from linkup_mcp.call.runtime import open_runtime

    # A quick, side-effect-free look: nothing recorded in the user's ledger, at most one retry,
    # and every tool reachable whatever the exposure settings hide.
    probe = settings.model_copy(
        update={
            "ledger": ":memory:",
            "cache_ttl": "0",
            "max_retries": min(settings.max_retries, 1),
            "retry_deadline": min(settings.retry_deadline, 10.0),
            "toolsets": None,
            "tools": None,
            "exclude_tools": None,
            "read_only": False,
            "tool_mode": "full",
        }
    )
    async with open_runtime(probe) as runtime:
        credits = await runtime.run("credits_get", {})
        if not credits["ok"]:
            error = credits["error"]
            if error["code"] == "INVALID_API_KEY":
                url_check = Check(False, "base URL", f"{where}: key rejected: {error['message']}")
            elif error["code"] in ("NETWORK_ERROR", "TIMEOUT"):
                url_check = Check(
                    False, "base URL", f"{where} unreachable: {error['message']} Check LINKUP_BASE_URL and the network."
                )
            else:
                url_check = Check(False, "base URL", f"{where}: {error['code']}: {error['message']}")
            skipped = "not checked (fix the base URL / key first)"
            return [key_check, url_check, Check(False, "account", skipped), Check(False, "credits", skipped)]
        url_check = Check(True, "base URL", f"{where} reachable, key accepted")
        account_check = await _account_check(runtime, settings)
    return [key_check, url_check, account_check, _credits_check(credits["data"])]


async def _account_check(runtime: Runtime, settings: Settings) -> Check:
    if not settings.account_id and not settings.sandbox:
        listed = await runtime.run("accounts_list", {})
        accounts = (listed["data"] or {}).get("accounts", []) if listed["ok"] else []
        active = [a["account_id"] for a in accounts if isinstance(a, dict) and a.get("is_active")]
        choice = f" (active accounts: {', '.join(active)})" if active else " (accounts_list shows your accounts)"
        return Check(False, "account", f"LINKUP_ACCOUNT_ID not set; set it to one of your account ids{choice}")
    answer = await runtime.run("accounts_get", {})
    account = answer["account_id"]
    if not answer["ok"]:
        return Check(False, "account", f"{account}: {answer['error']['code']}: {answer['error']['message']}")
    data = answer["data"] if isinstance(answer["data"], dict) else {}
    label = f"{account} ({data['name']})" if data.get("name") else str(account)
    if data.get("is_active", data.get("status") in ("connected", "active")):
        return Check(True, "account", f"{label} active")
    reason = f": {data['status_reason']}" if data.get("status_reason") else ""
    return Check(False, "account", f"{label} is {data.get('status', 'inactive')}{reason}. {Code.ACCOUNT_INACTIVE.hint}")


def _credits_check(data: Any) -> Check:
    balance = next(
        (data[f] for f in BALANCE_FIELDS if isinstance(data, dict) and isinstance(data.get(f), (int, float))), None
    )
    if balance is None:
        return Check(True, "credits", "the API answered without a balance figure")
    if balance <= 0:
        return Check(False, "credits", f"{balance} remaining. {Code.INSUFFICIENT_CREDITS.hint}")
    return Check(True, "credits", f"{balance} remaining")


def _ledger_check(path: str) -> Check:
    if path == ":memory:":
        return Check(True, "ledger", ":memory: (nothing is kept between runs)")
    from linkup_mcp.store.ledger import Ledger, is_postgres_url, open_ledger

    if is_postgres_url(path):
        try:
            ledger = open_ledger(path)  # connects, creates or migrates its schema
        except OSError as exc:
            return Check(False, "ledger", f"{exc}; check LINKUP_LEDGER, the server and its access rules")
        try:
            ledger.check()
        finally:
            ledger.close()
        return Check(True, "ledger", f"{ledger.location} reachable, schema current (PostgreSQL, shared)")
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        for target in (Path(path), Path(path).parent):
            if target.exists() and not os.access(target, os.W_OK):
                raise PermissionError(f"{target} is read-only")
        Ledger(path).close()
    except (OSError, sqlite3.Error) as exc:
        return Check(False, "ledger", f"{path} not writable ({exc}); set LINKUP_LEDGER to a writable file")
    return Check(True, "ledger", f"{path} writable")


def _specs_check(settings: Settings) -> Check:
    from linkup_mcp.call.runtime import build_catalog
    from linkup_mcp.spec.loader import SpecError, default_specs_dir, load_specs

    try:
        actions = load_specs()
        exposed = len(build_catalog(settings).definitions())
    except SpecError as exc:
        more = f" (+{len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return Check(False, "tool specs", f"invalid: {'; '.join(exc.problems[:3])}{more}")
    except FileNotFoundError as exc:
        return Check(False, "tool specs", f"{exc}; reinstall linkup-mcp")
    return Check(True, "tool specs", f"{len(actions)} actions from {default_specs_dir()}, {exposed} tools exposed")
