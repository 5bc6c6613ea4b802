"""`linkup-mcp login`: connect a LinkedIn account — `POST /v2/login`, then `POST /v2/checkpoint`
when LinkedIn asks for a verification — and say which `account_id` to use.

The login token is a LinkedIn credential. From a terminal it is read with `getpass` (no echo);
when stdin is not a terminal, as its first line, so scripts can pipe it (a verification code,
when asked for, is the next line). It is never printed, logged or stored: the calls go through
the runtime like a tool call (same client, retries, key handling, ledger), and the ledger
keeps only a digest of the arguments with the token masked (`writeOnly` in tool_specs/auth.yaml).

Prompts and progress go to stderr, the result to stdout (as `call` and `doctor` print theirs).
Exit status: 0 connected, 1 the API refused, 2 missing input or configuration, 130 interrupted.
"""

from __future__ import annotations

import getpass
import re
import sqlite3
import sys
from typing import Any

from linkup_mcp.config import Settings

AUTH_SETTINGS: dict[str, Any] = {
    # Whatever the exposure and confirmation settings of the MCP server: the person at the
    # terminal asked for exactly these two calls.
    "toolsets": ["auth"],
    "tools": None,
    "exclude_tools": None,
    "read_only": False,
    "tool_mode": "full",
    "confirm": "off",
}
COUNTRY = re.compile(r"[A-Z]{2}")
RETRY_HINT = "Run `linkup-mcp login` again with the same token (free) to retry the verification."


class LoginError(Exception):
    """Ends the command: the message (with its fix) goes to stderr, `status` is the exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def run_login(settings: Settings, *, country: str | None, platform: str) -> int:
    import anyio

    try:
        return anyio.run(_login, settings, country, platform)
    except LoginError as exc:
        print(f"linkup-mcp login: {exc}", file=sys.stderr)
        return exc.status
    except (OSError, sqlite3.Error) as exc:  # the ledger cannot be opened or written
        print(f"linkup-mcp login: {exc} (ledger: {settings.ledger_path()}; set LINKUP_LEDGER)", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\nlinkup-mcp login: cancelled", file=sys.stderr)
        return 130


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ask(prompt: str) -> str:
    """One line from stdin after a prompt on stderr; "" at the end of the input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not sys.stdin.isatty():  # nobody typed the line: end the prompt's line ourselves
        _say("")
    return line.strip()


def _country(given: str | None, interactive: bool) -> str:
    if given is None and interactive:
        given = _ask("Country of the LinkedIn account (two letters, e.g. FR): ")
    if not given:
        raise LoginError("--country is required: the account's two-letter country code, e.g. --country FR", 2)
    country = given.strip().upper()
    if not COUNTRY.fullmatch(country):
        raise LoginError(f"--country must be a two-letter country code such as FR, not {given!r}", 2)
    return country


def _token(interactive: bool) -> str:
    # getpass: prompt and input on the terminal itself, with echo off
    token = getpass.getpass("LinkedIn login token (input hidden): ") if interactive else sys.stdin.readline()
    if not token.strip():
        raise LoginError(
            "no login token given: type it at the prompt, or pipe it on stdin "
            "(e.g. `linkup-mcp login --country FR < token.txt`)",
            2,
        )
    return token.strip()


async def _login(settings: Settings, country: str | None, platform: str) -> int:
    if not settings.sandbox and not settings.api_key_value():
        raise LoginError(
            "LINKUP_API_KEY is not set; export LINKUP_API_KEY=... (your key from app.linkupapi.com), "
            "or try it with --sandbox",
            2,
        )
    interactive = sys.stdin.isatty()
    country = _country(country, interactive)
    token = _token(interactive)
    from linkup_mcp.call.runtime import open_runtime

    async with open_runtime(settings.model_copy(update=AUTH_SETTINGS)) as runtime:

        async def call(tool: str, args: dict[str, Any]) -> dict[str, Any]:
            envelope = await runtime.run(tool, args)
            if not envelope["ok"]:
                error = envelope["error"]
                more = f" {RETRY_HINT}" if tool == "auth_checkpoint" else ""
                raise LoginError(runtime.redactor.text(f"{error['code']}: {error['message']}{more}"))
            return envelope

        login = await call("auth_login", {"platform": platform, "login_token": token, "country": country})
        data, charged = _data(login), login["credits"]["charged"]
        account = data.get("account_id")
        if data.get("status") == "checkpoint_required" and isinstance(account, str):
            checked = await call("auth_checkpoint", _checkpoint_args(account, data.get("challenge_type")))
            data, charged = _data(checked), charged + checked["credits"]["charged"]
    if data.get("status") != "connected" or not isinstance(account, str):
        raise LoginError(f"unexpected answer from LinkupAPI: {data!r}; check the account with accounts_get")
    cost = "free" if charged == 0 else f"{charged} credit{'s' if charged > 1 else ''}"
    print(f"✓ LinkedIn account connected: {account} ({cost})")
    print(f"Use it: export LINKUP_ACCOUNT_ID={account}  (or pass account_id to each tool)")
    if settings.sandbox:
        _say("(sandbox: the account exists only in this process's simulated API)")
    return 0


def _data(envelope: dict[str, Any]) -> dict[str, Any]:
    data = envelope["data"]
    return data if isinstance(data, dict) else {}


def _checkpoint_args(account: str, challenge: Any) -> dict[str, Any]:
    """Ask the person for what LinkedIn's challenge needs; the auth_checkpoint arguments."""
    if challenge == "code_challenge":
        _say("LinkedIn sent a verification code (by email, SMS or authenticator app).")
        code = _ask("Verification code: ")
        if not code:
            raise LoginError(f"no verification code given. {RETRY_HINT}", 2)
        return {"account_id": account, "code": code}
    if challenge == "app_challenge":
        _ask("LinkedIn asks you to approve this sign-in in the LinkedIn app. Approve it, then press Enter: ")
        return {"account_id": account}
    raise LoginError(f"LinkedIn asks for a verification this version cannot handle ({challenge!r}) on {account}")
