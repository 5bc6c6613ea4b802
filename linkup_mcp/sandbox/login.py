"""Connecting a LinkedIn account, simulated: `POST /v2/login` and `POST /v2/checkpoint`.

  POST /v2/login       {platform: "linkedin", login_token | email + password, country?,
                        account_name?, challenge_type?}
                       → {account_id, status: connected | checkpoint_required[, challenge_type]}
  POST /v2/checkpoint  {account_id, code?}  → {account_id, status: "connected"}

Only the seeded tokens in `LOGIN_TOKENS` are known (public test values, listed in the README),
and for a fresh login (the migration guide's option A) the emails in `LOGIN_EMAILS` with the
password `sandbox`; anything else is refused as the API refuses invalid credentials. Re-sending a known token is
idempotent: same account, same answer, free. A fresh login's cost is not documented: the
sandbox charges 0. A checkpoint costs 1 credit when it succeeds (errors are free).

An account waiting for its checkpoint is listed with status `checkpoint_required` (inactive);
once verified it is `connected` and active like `acc_sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linkup_mcp.sandbox.config import INACTIVE_ACCOUNT_ID
from linkup_mcp.sandbox.data import LINKEDIN
from linkup_mcp.sandbox.errors import ApiError
from linkup_mcp.sandbox.handlers.common import Ctx, Outcome, iso
from linkup_mcp.sandbox.params import P, ParamSpec, check, json_object
from linkup_mcp.sandbox.state import Account, SandboxState

ROUTES = {"/v2/login": "login", "/v2/checkpoint": "checkpoint"}
# Credentials: masked in the sandbox's request log (`/_sandbox/requests`) like a real API's logs.
SECRET_PARAMS = frozenset({"login_token", "password", "code"})
ACCEPTED_CODE = "123456"  # the verification code a code_challenge accepts
CHALLENGES = ("code_challenge", "app_challenge")
CHECKPOINT_CREDITS = 1


@dataclass(frozen=True)
class SeedLogin:
    """The account a sandbox token signs in, and the challenge LinkedIn asks for first."""

    account_id: str
    name: str
    challenge: str | None = None


LOGIN_TOKENS = {
    "sandbox-login-connect": SeedLogin("acc_riley", "Riley Chen"),
    "sandbox-login-code": SeedLogin("acc_sam", "Sam Okafor", "code_challenge"),
    "sandbox-login-app": SeedLogin("acc_noor", "Noor Haddad", "app_challenge"),
    "sandbox-login-reconnect": SeedLogin(INACTIVE_ACCOUNT_ID, "Jordan Lee"),  # reconnects acc_inactive
}
EXPIRED_TOKEN = "sandbox-login-expired"
# A fresh login: the email signs in the same seeded account as its token (password "sandbox").
LOGIN_EMAILS = {
    "riley@sandbox.linkup.test": "sandbox-login-connect",
    "sam@sandbox.linkup.test": "sandbox-login-code",
    "noor@sandbox.linkup.test": "sandbox-login-app",
}
SANDBOX_PASSWORD = "sandbox"

_PARAMS = {
    "login": ParamSpec(
        {
            "platform": P("string", required=True, enum=("linkedin",)),
            "login_token": P("string", min_length=1),
            "email": P("string", min_length=1),
            "password": P("string", min_length=1),
            "country": P("string", min_length=1, default="FR"),
            "account_name": P("string"),
            "challenge_type": P("string", enum=CHALLENGES),
        },
        one_of=(("login_token", "email"),),
    ),
    "checkpoint": ParamSpec({"account_id": P("string", required=True), "code": P("string", min_length=1)}),
}


def owns(path: str) -> bool:
    return path.rstrip("/") in ROUTES


def parse(method: str, path: str, body: bytes) -> tuple[str, dict[str, Any]]:
    """(action, body) of a login or checkpoint request; 405/400 when it is not a JSON object
    POSTed (its fields are checked by `perform`, so errors name the action)."""
    if method != "POST":
        raise ApiError("METHOD_NOT_ALLOWED", f"Method {method} not allowed here; use POST")
    action = ROUTES[path.rstrip("/")]
    return action, json_object(body)


def masked(params: dict[str, Any]) -> dict[str, Any]:
    return {k: "***" if k in SECRET_PARAMS else v for k, v in params.items()}


def perform(state: SandboxState, action: str, body: dict[str, Any]) -> Outcome:
    """The answer (checks done, nothing changed yet) and, in `effect`, the change to make once
    the credit check passed. Runs under the state's lock."""
    params = check(body, _PARAMS[action])
    if action == "login":
        if "login_token" not in params:
            params["login_token"] = _credentials(params)
        return _login(state, params)
    return _checkpoint(state, params)


def _credentials(params: dict[str, Any]) -> str:
    """The seeded token an email + password signs in with (a fresh login)."""
    if "password" not in params:
        raise ApiError("INVALID_PARAMS", "Missing required parameter: password (with email)")
    token = LOGIN_EMAILS.get(params["email"].strip().lower())
    if token is None or params["password"] != SANDBOX_PASSWORD:  # never echo the password
        raise ApiError("INVALID_PARAMS", "Invalid parameter: email or password is incorrect")
    return token


def _login(state: SandboxState, params: dict[str, Any]) -> Outcome:
    token = params["login_token"]
    if token == EXPIRED_TOKEN:  # never echo a token back, not even in an error
        raise ApiError(
            "INVALID_PARAMS",
            "Invalid parameter: login_token has expired; sign in to LinkedIn again to get a fresh one",
        )
    seed = LOGIN_TOKENS.get(token)
    if seed is None:
        raise ApiError(
            "INVALID_PARAMS",
            "Invalid parameter: login_token is not valid (sandbox tokens: " + ", ".join(LOGIN_TOKENS) + ")",
        )
    known = state.accounts.get(seed.account_id)
    if known is not None and known.is_active:
        return Outcome({"account_id": known.account_id, "status": "connected"}, credits=0)
    challenge = state.checkpoints.get(seed.account_id, seed.challenge)
    if challenge is not None and "challenge_type" in params:  # the caller's choice of challenge
        challenge = params["challenge_type"]

    def connect() -> dict[str, Any]:
        stamp = iso(Ctx(state.world, None).now())
        account = known or Account(
            seed.account_id,
            seed.name,
            "connected",
            True,
            f"{LINKEDIN}/in/{seed.name.lower().replace(' ', '-')}-sandbox",
            stamp,
            platform=params["platform"],
            country=params["country"],
        )
        state.accounts[seed.account_id] = account
        if challenge is None:
            _activate(account)
            return {"account_id": account.account_id, "status": "connected"}
        account.status, account.is_active = "checkpoint_required", False
        account.status_reason = f"LinkedIn asks for a verification ({challenge}); complete it with POST /v2/checkpoint"
        state.checkpoints[account.account_id] = challenge
        return {"account_id": account.account_id, "status": "checkpoint_required", "challenge_type": challenge}

    return Outcome(credits=0, effect=connect)


def _checkpoint(state: SandboxState, params: dict[str, Any]) -> Outcome:
    account_id = params["account_id"]
    account = state.accounts.get(account_id)
    if account is None:
        raise ApiError("INVALID_ACCOUNT", f"Account not found: {account_id} (list your accounts with GET /v2/accounts)")
    challenge = state.checkpoints.get(account_id)
    if challenge is None:
        fix = "nothing to verify" if account.is_active else "sign in again with POST /v2/login"
        raise ApiError(
            "INVALID_PARAMS", f"Account {account_id} has no pending checkpoint (status: {account.status}); {fix}"
        )
    if challenge == "code_challenge":
        if "code" not in params:
            raise ApiError(
                "INVALID_PARAMS",
                "Missing required parameter: code (the verification code LinkedIn sent by email, SMS or app)",
            )
        if params["code"].strip() != ACCEPTED_CODE:
            raise ApiError("INVALID_PARAMS", "Invalid parameter: code is incorrect; check the latest code and retry")

    def verify() -> dict[str, Any]:
        del state.checkpoints[account_id]
        _activate(account)
        return {"account_id": account_id, "status": "connected"}

    return Outcome(credits=CHECKPOINT_CREDITS, effect=verify)


def _activate(account: Account) -> None:
    account.status, account.is_active, account.status_reason = "connected", True, None
