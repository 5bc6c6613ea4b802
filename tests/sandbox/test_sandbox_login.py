"""The sandbox's account connection over HTTP: `POST /v2/login` with each seeded token,
`POST /v2/checkpoint` for both challenges, idempotency, credits, errors and the request log.
One sandbox serves the module; every test starts from a reset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.sandbox.login import ACCEPTED_CODE, EXPIRED_TOKEN

KEY = "sandboxkey"
CONNECT, CODE, APP, RECONNECT = (
    "sandbox-login-connect",
    "sandbox-login-code",
    "sandbox-login-app",
    "sandbox-login-reconnect",
)


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as sandbox:
        yield sandbox


@pytest.fixture
def http(server: SandboxServer) -> Iterator[httpx2.Client]:
    server.state.reset()
    with httpx2.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=10) as client:
        yield client


def login(http: httpx2.Client, token: str, **fields: Any) -> httpx2.Response:
    return http.post("/v2/login", json={"platform": "linkedin", "login_token": token, "country": "FR", **fields})


def checkpoint(http: httpx2.Client, **body: Any) -> httpx2.Response:
    return http.post("/v2/checkpoint", json=body)


def answer(response: httpx2.Response, status: int = 200) -> dict[str, Any]:
    """The body, with the timestamp checked and dropped so the rest compares exactly."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body["metadata"].pop("timestamp"), str)
    return body


def failed(code: str, message: str, action: str | None, account: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"action": action, "credits_consumed": 0}
    if account is not None:
        metadata["account_id"] = account
    return {"success": False, "error": {"code": code, "message": message}, "metadata": metadata}


def succeeded(data: dict[str, Any], action: str, credits: int) -> dict[str, Any]:
    metadata = {"action": action, "account_id": data["account_id"], "credits_consumed": credits}
    return {"success": True, "data": data, "metadata": metadata}


def account(http: httpx2.Client, account_id: str) -> dict[str, Any]:
    listed = http.get("/v2/accounts").json()["data"]["accounts"]
    (found,) = [a for a in listed if a["account_id"] == account_id]
    return dict(found)


def balance(server: SandboxServer) -> int:
    return server.state.balance


def test_token_that_connects_directly(server: SandboxServer, http: httpx2.Client) -> None:
    before = balance(server)
    connected = succeeded({"account_id": "acc_riley", "status": "connected"}, "login", 0)
    assert answer(login(http, CONNECT, country="DE")) == connected
    assert balance(server) == before
    new = account(http, "acc_riley")
    assert isinstance(new.pop("created_at"), str)
    assert new == {
        "account_id": "acc_riley",
        "name": "Riley Chen",
        "status": "connected",
        "is_active": True,
        "profile_url": "https://www.linkedin.com/in/riley-chen-sandbox",
        "platform": "linkedin",
        "country": "DE",
        "status_reason": None,
    }
    profile = http.post("/v2/profiles", json={"account_id": "acc_riley", "action": "get_me", "params": {}})
    assert profile.status_code == 200  # usable at once


def test_login_again_is_idempotent_and_free(server: SandboxServer, http: httpx2.Client) -> None:
    first = answer(login(http, CONNECT))
    accounts = len(http.get("/v2/accounts").json()["data"]["accounts"])
    assert answer(login(http, CONNECT)) == first
    assert len(http.get("/v2/accounts").json()["data"]["accounts"]) == accounts
    assert server.state.used == 0


def test_code_challenge(server: SandboxServer, http: httpx2.Client) -> None:
    pending = {"account_id": "acc_sam", "status": "checkpoint_required", "challenge_type": "code_challenge"}
    assert answer(login(http, CODE)) == succeeded(pending, "login", 0)
    listed = account(http, "acc_sam")
    assert (listed["status"], listed["is_active"]) == ("checkpoint_required", False)
    used = http.post("/v2/profiles", json={"account_id": "acc_sam", "action": "get_me", "params": {}})
    assert answer(used, 403) == failed(
        "ACCOUNT_INACTIVE",
        "Account acc_sam is inactive: complete its checkpoint with POST /v2/checkpoint",
        "get_me",
        "acc_sam",
    )
    no_code = checkpoint(http, account_id="acc_sam")
    assert answer(no_code, 400) == failed(
        "INVALID_PARAMS",
        "Missing required parameter: code (the verification code LinkedIn sent by email, SMS or app)",
        "checkpoint",
        "acc_sam",
    )
    wrong = checkpoint(http, account_id="acc_sam", code="000000")
    assert answer(wrong, 400) == failed(
        "INVALID_PARAMS",
        "Invalid parameter: code is incorrect; check the latest code and retry",
        "checkpoint",
        "acc_sam",
    )
    assert answer(login(http, CODE)) == succeeded(pending, "login", 0)  # still pending, same answer
    assert server.state.used == 0  # errors and logins are free

    right = checkpoint(http, account_id="acc_sam", code=ACCEPTED_CODE)
    assert answer(right) == succeeded({"account_id": "acc_sam", "status": "connected"}, "checkpoint", 1)
    assert server.state.used == 1
    listed = account(http, "acc_sam")
    assert (listed["status"], listed["is_active"], listed["status_reason"]) == ("connected", True, None)
    again = checkpoint(http, account_id="acc_sam", code=ACCEPTED_CODE)
    assert answer(again, 400) == failed(
        "INVALID_PARAMS",
        "Account acc_sam has no pending checkpoint (status: connected); nothing to verify",
        "checkpoint",
        "acc_sam",
    )
    assert answer(login(http, CODE))["data"] == {"account_id": "acc_sam", "status": "connected"}


def test_app_challenge_needs_only_the_account(server: SandboxServer, http: httpx2.Client) -> None:
    assert answer(login(http, APP))["data"] == {
        "account_id": "acc_noor",
        "status": "checkpoint_required",
        "challenge_type": "app_challenge",
    }
    approved = checkpoint(http, account_id="acc_noor")
    assert answer(approved) == succeeded({"account_id": "acc_noor", "status": "connected"}, "checkpoint", 1)
    assert account(http, "acc_noor")["is_active"] is True


def test_reconnects_the_inactive_account(http: httpx2.Client) -> None:
    assert account(http, "acc_inactive")["is_active"] is False
    assert answer(login(http, RECONNECT))["data"] == {"account_id": "acc_inactive", "status": "connected"}
    listed = account(http, "acc_inactive")
    assert (listed["status"], listed["is_active"], listed["status_reason"]) == ("connected", True, None)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (EXPIRED_TOKEN, "Invalid parameter: login_token has expired; sign in to LinkedIn again to get a fresh one"),
        (
            "li_at_not_a_sandbox_token",
            "Invalid parameter: login_token is not valid (sandbox tokens: sandbox-login-connect, "
            "sandbox-login-code, sandbox-login-app, sandbox-login-reconnect)",
        ),
    ],
)
def test_refused_tokens_are_not_echoed(http: httpx2.Client, token: str, message: str) -> None:
    response = login(http, token)
    assert answer(response, 400) == failed("INVALID_PARAMS", message, "login")
    assert token not in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"login_token": CONNECT, "country": "FR"}, "Missing required parameter: platform"),
        ({"platform": "linkedin", "country": "FR"}, "Missing required parameter: login_token or email"),
        (
            {"platform": "linkedin", "email": "sam@sandbox.linkup.test"},
            "Missing required parameter: password (with email)",
        ),
        (
            {"platform": "linkedin", "email": "sam@sandbox.linkup.test", "password": "wrong"},
            "Invalid parameter: email or password is incorrect",
        ),
        (
            {"platform": "whatsapp", "login_token": CONNECT, "country": "FR"},
            "Invalid parameter: platform must be one of linkedin (got 'whatsapp')",
        ),
        (
            {"platform": "linkedin", "login_token": " ", "country": "FR"},
            "Invalid parameter: login_token must not be empty",
        ),
        (
            {"platform": "linkedin", "login_token": 42, "country": "FR"},
            "Invalid parameter: login_token must be a string",
        ),
        (
            {"platform": "linkedin", "login_token": CONNECT, "challenge_type": "sms"},
            "Invalid parameter: challenge_type must be one of code_challenge, app_challenge (got 'sms')",
        ),
        (
            {"platform": "linkedin", "login_token": CONNECT, "country": "FR", "cookie": "x"},
            "Unknown parameter: cookie (valid parameters: account_name, challenge_type, country, email, login_token,"
            " password, platform)",
        ),
    ],
)
def test_login_params_are_checked(http: httpx2.Client, body: dict[str, Any], message: str) -> None:
    assert answer(http.post("/v2/login", json=body), 400) == failed("INVALID_PARAMS", message, "login")


def test_a_fresh_login_with_email_and_password(http: httpx2.Client) -> None:
    """The migration guide's option A; country is optional (FR by default)."""
    body = {"platform": "linkedin", "email": "sam@sandbox.linkup.test", "password": "sandbox"}
    waiting = answer(http.post("/v2/login", json=body), 200)["data"]
    assert waiting == {"account_id": "acc_sam", "status": "checkpoint_required", "challenge_type": "code_challenge"}
    log = http.get("/_sandbox/requests").json()["requests"][-1]
    assert log["params"]["password"] == "***"
    done = http.post("/v2/checkpoint", json={"account_id": "acc_sam", "code": "123456"})
    assert answer(done, 200)["data"] == {"account_id": "acc_sam", "status": "connected"}


def test_login_may_choose_the_challenge(http: httpx2.Client) -> None:
    body = {"platform": "linkedin", "login_token": "sandbox-login-code", "challenge_type": "app_challenge"}
    assert answer(http.post("/v2/login", json=body), 200)["data"]["challenge_type"] == "app_challenge"


def test_checkpoint_errors(server: SandboxServer, http: httpx2.Client) -> None:
    unknown = checkpoint(http, account_id="acc_nope", code=ACCEPTED_CODE)
    assert answer(unknown, 404) == failed(
        "INVALID_ACCOUNT",
        "Account not found: acc_nope (list your accounts with GET /v2/accounts)",
        "checkpoint",
        "acc_nope",
    )
    missing = checkpoint(http, code=ACCEPTED_CODE)
    assert answer(missing, 400) == failed("INVALID_PARAMS", "Missing required parameter: account_id", "checkpoint")
    idle = checkpoint(http, account_id="acc_inactive")
    assert answer(idle, 400)["error"]["message"] == (
        "Account acc_inactive has no pending checkpoint (status: disconnected); sign in again with POST /v2/login"
    )
    assert http.get("/v2/login").status_code == 405
    not_json = http.post("/v2/login", content=b"token=x", headers={"content-type": "text/plain"})
    assert answer(not_json, 400) == failed("INVALID_PARAMS", "Request body must be JSON", None)  # as on every route


def test_checkpoint_without_credits_changes_nothing(server: SandboxServer, http: httpx2.Client) -> None:
    login(http, CODE)
    server.state.set_balance(0)
    short = checkpoint(http, account_id="acc_sam", code=ACCEPTED_CODE)
    assert answer(short, 402)["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert account(http, "acc_sam")["status"] == "checkpoint_required"
    server.state.set_balance(5)
    assert answer(checkpoint(http, account_id="acc_sam", code=ACCEPTED_CODE))["success"]
    assert balance(server) == 4


def test_request_log_masks_credentials(http: httpx2.Client) -> None:
    login(http, CODE)
    checkpoint(http, account_id="acc_sam", code=ACCEPTED_CODE)
    logged = http.get("/_sandbox/requests").json()["requests"]
    assert [(r["action"], r["account_id"], r["params"], r["credits_consumed"]) for r in logged] == [
        ("login", None, {"platform": "linkedin", "login_token": "***", "country": "FR"}, 0),
        ("checkpoint", "acc_sam", {"account_id": "acc_sam", "code": "***"}, 1),
    ]


def test_reset_forgets_connected_accounts(server: SandboxServer, http: httpx2.Client) -> None:
    login(http, CONNECT)
    login(http, CODE)
    server.state.reset()
    ids = [a["account_id"] for a in http.get("/v2/accounts").json()["data"]["accounts"]]
    assert ids == ["acc_sandbox", "acc_inactive"]
    assert server.state.checkpoints == {}
