"""The sandbox itself, over HTTP: envelopes, checks, credits, rate limit, state, paging, faults,
admin routes and determinism. No MCP server involved: plain `httpx2` against `SandboxServer`.

One sandbox serves the whole module; every test starts from a reset (seeded world, initial
balance, empty log, no queued faults, default rate limit).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from linkup_mcp.sandbox import SandboxConfig, SandboxServer

ACCOUNT = "acc_sandbox"
INACTIVE = "acc_inactive"
KEY = "sandboxkey"
INITIAL = SandboxConfig().initial_credits
MEDIA_LINK = "https://cdn.example.org/pictures/deck.png"


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as sandbox:
        yield sandbox


class Sandbox:
    """An HTTP client with the sandbox key, plus helpers for the API and the admin routes."""

    def __init__(self, server: SandboxServer, client: httpx2.Client):
        self.server = server
        self.http = client

    def call(
        self,
        category: str,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        account: str | None = ACCOUNT,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx2.Response:
        body: dict[str, Any] = {"action": action, "params": params or {}}
        if account is not None:
            body["account_id"] = account
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        return self.http.post(f"/v2/{category}", json=body, headers=headers, **extra)

    def ok(self, category: str, action: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """The `data` of a successful call (asserts success)."""
        response = self.call(category, action, params, **kw)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True, body
        return body["data"]

    def admin(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"/_sandbox/{path}", json=payload)
        assert response.status_code == 200, response.text
        return response.json()

    def balance(self) -> int:
        return int(self.admin("GET", "credits")["balance"])

    def requests(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "requests")["requests"])

    def me_url(self) -> str:
        return str(self.server.state.world.me.profile_url)


@pytest.fixture(scope="module")
def client(server: SandboxServer) -> Iterator[httpx2.Client]:
    """A client that sends the sandbox key (shared: the sandbox sets no cookies)."""
    with httpx2.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=10) as http:
        yield http


@pytest.fixture
def sb(server: SandboxServer, client: httpx2.Client) -> Sandbox:
    """The module's sandbox, reset to its seeded world and initial balance."""
    server.state.reset()
    return Sandbox(server, client)


def error_of(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an error envelope with this status and code; return the body."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["metadata"]["credits_consumed"] == 0
    return body


def fault(name: str, when: str | None = None) -> dict[str, str]:
    headers = {"x-sandbox-fault": name}
    if when is not None:
        headers["x-sandbox-fault-when"] = when
    return headers


def can_invite_person(sb: Sandbox) -> str:
    """The profile URL of a 2nd-degree person with no invitation either way."""
    data = sb.ok("profiles", "search_people", {"network": ["S"], "fetch_invitation_state": True, "total_results": 30})
    candidates = [r["linkedin_url"] for r in data["results"] if r["invitation_state"] == "CAN_INVITE"]
    assert candidates, data["results"]
    return str(candidates[0])


def newest_message(sb: Sandbox, profile_url: str) -> dict[str, Any]:
    data = sb.ok("messages", "get_conversation", {"profile_url": profile_url, "count": 1})
    assert data["messages"], data
    return dict(data["messages"][0])


def message_count(sb: Sandbox, profile_url: str) -> int:
    """Messages with this person, read from the state (no request, no charge)."""
    state = sb.server.state
    with state.lock:
        person = next(p for p in state.world.people.values() if p.profile_url == profile_url)
        return sum(len(c.messages) for c in state.world.conversations.values() if c.person_id == person.id)


def a_connection(sb: Sandbox) -> str:
    data = sb.ok("network", "list_connections", {"count": 1})
    return str(data["connections"][0]["profile_url"])


# -- 1. envelopes --------------------------------------------------------------------------


def test_success_envelope(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"success", "data", "metadata"}
    assert body["success"] is True
    assert body["data"]["profile_url"] == sb.me_url()
    meta = body["metadata"]
    assert set(meta) == {"action", "account_id", "credits_consumed", "timestamp"}
    assert meta["action"] == "get_me"
    assert meta["account_id"] == ACCOUNT
    assert meta["credits_consumed"] == 1
    assert time.strptime(meta["timestamp"], "%Y-%m-%dT%H:%M:%SZ")


def test_error_envelope(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get", {}), 400, "INVALID_PARAMS")
    assert set(body) == {"success", "error", "metadata"}
    assert set(body["error"]) == {"code", "message"}
    assert "data" not in body
    assert body["metadata"]["action"] == "get"
    assert body["metadata"]["credits_consumed"] == 0


# -- 2. checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"x-api-key": "wrong-key"}, {"x-api-key": ""}], ids=["missing", "wrong", "empty"]
)
def test_api_key_checked(server: SandboxServer, headers: dict[str, str]) -> None:
    server.state.reset()
    with httpx2.Client(base_url=server.base_url, headers=headers, timeout=5) as client:
        response = client.post("/v2/profiles", json={"account_id": ACCOUNT, "action": "get_me", "params": {}})
        error_of(response, 403, "INVALID_API_KEY")
        error_of(client.get("/v2/credits"), 403, "INVALID_API_KEY")
    assert server.state.balance == INITIAL


def test_unknown_account(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get_me", account="acc_nope"), 404, "INVALID_ACCOUNT")
    assert "acc_nope" in body["error"]["message"]


def test_inactive_account(sb: Sandbox) -> None:
    error_of(sb.call("profiles", "get_me", account=INACTIVE), 403, "ACCOUNT_INACTIVE")


def test_missing_account_for_linkedin_action(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get_me", account=None), 400, "INVALID_PARAMS")
    assert body["error"]["message"] == "Missing required parameter: account_id"


def test_unknown_action(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "teleport"), 400, "INVALID_ACTION")
    assert "teleport" in body["error"]["message"]


def test_missing_required_param(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get", {}), 400, "INVALID_PARAMS")
    assert body["error"]["message"] == "Missing required parameter: profile_url"


def test_unknown_param(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get_me", {"verbose": True}), 400, "INVALID_PARAMS")
    assert body["error"]["message"].startswith("Unknown parameter: verbose")


@pytest.mark.parametrize(
    ("action", "params", "fragment"),
    [
        ("get", {"profile_url": 42}, "profile_url must be a string"),
        ("search_people", {"total_results": "25"}, "total_results must be an integer"),
        ("search_people", {"location": "Paris"}, "location must be an array"),
        ("search_people", {"fetch_invitation_state": "yes"}, "fetch_invitation_state must be a boolean"),
    ],
)
def test_wrong_param_type(sb: Sandbox, action: str, params: dict[str, Any], fragment: str) -> None:
    body = error_of(sb.call("profiles", action, params), 400, "INVALID_PARAMS")
    assert fragment in body["error"]["message"]


@pytest.mark.parametrize("path", ["enrich", "mail"])
def test_mail_actions_without_account(sb: Sandbox, path: str) -> None:
    response = sb.call(path, "validate_email", {"email": "someone@gmail.com"}, account=None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["reachability"] == "unknown"  # webmail: the mailbox cannot be checked
    assert body["data"]["syntax_valid"] is True and body["data"]["is_deliverable"] is False
    assert body["metadata"]["action"] == "validate_email"
    assert body["metadata"]["account_id"] is None
    assert body["metadata"]["credits_consumed"] == 1
    assert sb.balance() == INITIAL - 1


def test_mail_lookup_finds_a_seeded_email(sb: Sandbox) -> None:
    me = sb.server.state.world.me
    data = sb.ok("enrich", "reverse_email", {"email": me.email}, account=None)
    assert data["found"] is True
    assert data["profile"]["profile_url"] == me.profile_url


# -- 3. credits ----------------------------------------------------------------------------


def test_plain_request_costs_one(sb: Sandbox) -> None:
    response = sb.call("profiles", "get", {"profile_url": a_connection(sb)})
    assert response.json()["metadata"]["credits_consumed"] == 1
    assert sb.balance() == INITIAL - 2  # list_connections (1 result) + get


@pytest.mark.parametrize(("wanted", "cost"), [(1, 1), (10, 1), (11, 2), (25, 3), (40, 4)])
def test_search_costs_one_per_ten_results(sb: Sandbox, wanted: int, cost: int) -> None:
    response = sb.call("profiles", "search_people", {"total_results": wanted})
    body = response.json()
    assert len(body["data"]["results"]) == wanted
    assert body["metadata"]["credits_consumed"] == cost
    assert sb.balance() == INITIAL - cost


def test_empty_search_costs_one(sb: Sandbox) -> None:
    body = sb.call("profiles", "search_people", {"keyword": "zzqxnotaname"}).json()
    assert body["data"]["results"] == []
    assert body["metadata"]["credits_consumed"] == 1


@pytest.mark.parametrize(("count", "cost"), [(1, 1), (50, 1), (51, 2), (120, 3)])
def test_list_connections_costs_one_per_fifty(sb: Sandbox, count: int, cost: int) -> None:
    body = sb.call("network", "list_connections", {"count": count}).json()
    assert len(body["data"]["connections"]) == count
    assert body["metadata"]["credits_consumed"] == cost
    assert sb.balance() == INITIAL - cost


def test_send_with_media_link_costs_two(sb: Sandbox) -> None:
    target = a_connection(sb)
    plain = sb.call("messages", "send", {"profile_url": target, "message_text": "plain"}).json()
    assert plain["metadata"]["credits_consumed"] == 1
    media = sb.call("messages", "send", {"profile_url": target, "message_text": "deck", "media_link": MEDIA_LINK})
    assert media.status_code == 200, media.text
    assert media.json()["metadata"]["credits_consumed"] == 2
    assert set(media.json()["data"]) == {"entityUrn", "conversation_id", "deliveredAt"}  # the V2 page's fields
    assert sb.balance() == INITIAL - 1 - 1 - 2


def test_errors_cost_nothing(sb: Sandbox) -> None:
    error_of(sb.call("profiles", "get", {}), 400, "INVALID_PARAMS")
    error_of(sb.call("profiles", "nope"), 400, "INVALID_ACTION")
    error_of(sb.call("profiles", "get_me", account="acc_nope"), 404, "INVALID_ACCOUNT")
    error_of(sb.call("profiles", "get_me", account=INACTIVE), 403, "ACCOUNT_INACTIVE")
    unknown_person = "https://www.linkedin.com/in/nobody-here-xyz"
    error_of(sb.call("profiles", "get", {"profile_url": unknown_person}), 400, "CHANNEL_ERROR")  # definite not-found
    assert sb.balance() == INITIAL
    assert [r["credits_consumed"] for r in sb.requests()] == [0, 0, 0, 0, 0]


def test_get_credits_reports_balance(sb: Sandbox) -> None:
    sb.ok("profiles", "search_people", {"total_results": 25})  # 3
    sb.ok("profiles", "get_me")  # 1
    response = sb.http.get("/v2/credits")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["credits_remaining"] == INITIAL - 4
    assert body["data"]["credits_used"] == 4
    assert body["metadata"]["credits_consumed"] == 0
    assert sb.balance() == INITIAL - 4  # reading the balance is free
    sb.admin("POST", "credits", {"balance": 7})
    assert sb.http.get("/v2/credits").json()["data"]["credits_remaining"] == 7


def test_insufficient_credits_changes_nothing(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = message_count(sb, target)
    assert sb.admin("POST", "credits", {"balance": 0})["balance"] == 0
    body = error_of(
        sb.call("messages", "send", {"profile_url": target, "message_text": "hi"}), 402, "INSUFFICIENT_CREDITS"
    )
    assert body["metadata"]["action"] == "send"
    assert message_count(sb, target) == before
    assert sb.balance() == 0
    error_of(sb.call("profiles", "get_me"), 402, "INSUFFICIENT_CREDITS")


def test_insufficient_credits_when_cost_exceeds_balance(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = message_count(sb, target)
    sb.admin("POST", "credits", {"balance": 1})
    params = {"profile_url": target, "message_text": "deck", "media_link": MEDIA_LINK}
    error_of(sb.call("messages", "send", params), 402, "INSUFFICIENT_CREDITS")
    assert message_count(sb, target) == before
    assert sb.balance() == 1
    # a 1-credit send still fits
    assert sb.call("messages", "send", {"profile_url": target, "message_text": "hi"}).status_code == 200
    assert message_count(sb, target) == before + 1
    assert sb.balance() == 0


# -- 4. rate limit -------------------------------------------------------------------------


def test_rate_limit(sb: Sandbox) -> None:
    assert sb.admin("POST", "rate_limit", {"per_minute": 3}) == {"rate_limit_per_minute": 3}
    for _ in range(3):
        assert sb.call("profiles", "get_me").status_code == 200
    response = sb.call("profiles", "get_me")
    error_of(response, 429, "RATE_LIMITED")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert sb.balance() == INITIAL - 3
    # admin routes are not rate limited; lifting the limit lets requests through again
    sb.admin("POST", "rate_limit", {"per_minute": 0})
    assert sb.call("profiles", "get_me").status_code == 200


# -- 5. state ------------------------------------------------------------------------------


def test_sent_message_is_newest_in_conversation(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = sb.ok("messages", "get_conversation", {"profile_url": target})
    sent = sb.ok("messages", "send", {"profile_url": target, "message_text": "Hello from the test"})
    after = sb.ok("messages", "get_conversation", {"profile_url": target})
    assert after["total_message_count"] == before["total_message_count"] + 1
    newest = after["messages"][0]
    assert newest["text"] == "Hello from the test"
    assert newest["sender_info"]["profile_url"] == sb.me_url()
    assert newest["entity_urn"] == sent["entityUrn"]
    assert sent["conversation_id"] in newest["entity_urn"]
    assert all(newest["timestamp"] > m["timestamp"] for m in after["messages"][1:])


def test_invitation_lifecycle(sb: Sandbox) -> None:
    target = can_invite_person(sb)
    assert sb.ok("network", "check_invitation", {"profile_url": target})["invitation_state"] == "NO_INVITATION"
    invited = sb.ok("network", "invite", {"profile_url": target, "message": "Let's connect"})
    invitation_id = invited["invitation_urn"].rsplit(":", 1)[1]  # urn:li:invitation:<id>

    sent = sb.ok("network", "list_sent", {"count": 100})["invitations"]
    mine = [i for i in sent if i["recipient"]["linkedin_url"] == target]
    assert len(mine) == 1
    assert mine[0]["entity_urn"] == invited["invitation_urn"]  # the V2 items carry no invitation_id

    check = sb.ok("network", "check_invitation", {"profile_url": target})
    assert check["invitation_state"] == "PENDING"
    assert check["invitation_type"] == "SENT"
    assert check["invitation_id"] == invitation_id

    error_of(sb.call("network", "invite", {"profile_url": target}), 400, "CHANNEL_ERROR")  # already pending

    assert sb.ok("network", "withdraw", {"invitation_id": invitation_id}) == {
        "withdrawn": True,
        "invitation_id": invitation_id,
    }
    assert sb.ok("network", "check_invitation", {"profile_url": target})["invitation_state"] == "NO_INVITATION"
    sent_after = sb.ok("network", "list_sent", {"count": 100})["invitations"]
    assert all(i["entity_urn"] != invited["invitation_urn"] for i in sent_after)
    error_of(sb.call("network", "withdraw", {"invitation_id": invitation_id}), 400, "INVALID_PARAMS")


def test_created_post_shows_in_feed_and_search(sb: Sandbox) -> None:
    created = sb.ok("content", "create", {"message": "Sandbox post from the test suite"})
    feed = sb.ok("content", "get_feed", {"total_results": 5})["posts"]
    assert feed[0]["post_url"] == created["post_url"]
    assert feed[0]["text"] == "Sandbox post from the test suite"
    assert feed[0]["author"]["profile_url"] == sb.me_url()

    mine = sb.ok("content", "search", {"profile_url": sb.me_url(), "sort_by": "date_posted"})["posts"]
    assert mine[0]["post_urn"] == created["post_urn"]
    assert all(p["author"]["profile_url"] == sb.me_url() for p in mine)


def test_reset_restores_balance_and_world(sb: Sandbox) -> None:
    target = a_connection(sb)
    initial_conv = sb.ok("messages", "get_conversation", {"profile_url": target})
    initial_feed = sb.ok("content", "get_feed", {"total_results": 10})["posts"]
    sb.ok("messages", "send", {"profile_url": target, "message_text": "to be forgotten"})
    sb.ok("content", "create", {"message": "to be forgotten"})
    invited = sb.ok("network", "invite", {"profile_url": can_invite_person(sb)})
    sb.admin("POST", "rate_limit", {"per_minute": 100})
    sb.admin("POST", "faults", {"fault": "500", "action": "get_me"})
    assert sb.balance() < INITIAL

    assert sb.admin("POST", "reset") == {"ok": True, "credits_remaining": INITIAL}
    assert sb.balance() == INITIAL
    assert sb.admin("GET", "faults") == {"faults": []}
    assert sb.requests() == []
    state = sb.admin("GET", "state")
    assert state["rate_limit_per_minute"] == SandboxConfig().rate_limit_per_minute
    assert state["messages_sent_since_start"] == 0
    assert sb.ok("messages", "get_conversation", {"profile_url": target}) == initial_conv
    feed = sb.ok("content", "get_feed", {"total_results": 10})["posts"]
    assert [p["post_url"] for p in feed] == [p["post_url"] for p in initial_feed]
    sent = sb.ok("network", "list_sent", {"count": 100})["invitations"]
    assert all(i["entity_urn"] != invited["invitation_urn"] for i in sent)


# -- 6. pagination and filters ----------------------------------------------------------------


def test_search_pages_slice_the_listing(sb: Sandbox) -> None:
    query: dict[str, Any] = {"keyword": "", "location": ["France"]}
    full = sb.ok("profiles", "search_people", {**query, "total_results": 30})
    assert full["total_available_results"] > 30
    listing = [r["linkedin_url"] for r in full["results"]]
    assert len(listing) == 30 and len(set(listing)) == 30

    # pages of 50 (the V1 search page's results_per_page); the V2 answer has no pagination object
    page1 = sb.call("profiles", "search_people", {**query, "start_page": 1, "end_page": 1, "total_results": 12})
    assert [r["linkedin_url"] for r in page1.json()["data"]["results"]] == listing[:12]
    assert page1.json()["metadata"]["credits_consumed"] == 2
    whole = sb.ok("profiles", "search_people", {**query, "start_page": 1, "end_page": 1})
    assert [r["linkedin_url"] for r in whole["results"]][:30] == listing
    assert "pagination" not in whole


def test_search_last_page_has_no_more(sb: Sandbox) -> None:
    total = sb.ok("profiles", "search_people", {"location": ["France"]})["total_available_results"]
    last = -(-total // 50)
    data = sb.ok("profiles", "search_people", {"location": ["France"], "start_page": last})
    assert len(data["results"]) == total - (last - 1) * 50
    assert data["total_available_results"] == total


def test_list_connections_offset_paging(sb: Sandbox) -> None:
    everything = sb.ok("network", "list_connections", {"count": 1000})
    total = everything["total_available_results"]
    assert len(everything["connections"]) == total
    assert everything["pagination"]["has_more"] is False
    assert everything["pagination"]["next_offset"] is None
    all_urls = [c["profile_url"] for c in everything["connections"]]

    collected: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        data = sb.ok("network", "list_connections", {"count": 50, "offset": offset})
        pagination = data["pagination"]
        assert pagination["offset"] == offset
        collected += [c["profile_url"] for c in data["connections"]]
        if pagination["has_more"]:
            assert pagination["next_offset"] == offset + 50
        else:
            assert pagination["next_offset"] is None
        offset = pagination["next_offset"]
        pages += 1
    assert collected == all_urls
    assert pages == -(-total // 50)


def test_list_inbox_cursor_paging(sb: Sandbox) -> None:
    everything = sb.ok("messages", "list_inbox", {"count": 100})
    assert everything["next_cursor"] is None
    all_ids = [c["conversation_id"] for c in everything["conversations"]]
    assert len(all_ids) > 10

    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"count": 7}
        if cursor is not None:
            params["cursor"] = cursor
        data = sb.ok("messages", "list_inbox", params)
        pages.append([c["conversation_id"] for c in data["conversations"]])
        cursor = data["next_cursor"]
        if cursor is None:
            break
    flat = [cid for page in pages for cid in page]
    assert len(flat) == len(set(flat))  # disjoint
    assert flat == all_ids  # covering, in order
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 1)
    error_of(sb.call("messages", "list_inbox", {"cursor": "not-a-cursor"}), 400, "INVALID_PARAMS")


def test_search_location_filter(sb: Sandbox) -> None:
    data = sb.ok("profiles", "search_people", {"location": ["Paris"], "total_results": 1000})
    unfiltered = sb.ok("profiles", "search_people", {"total_results": 1})["total_available_results"]
    assert 0 < len(data["results"]) == data["total_available_results"] < unfiltered
    assert all("Paris" in r["location"] for r in data["results"])


def test_search_network_filter(sb: Sandbox) -> None:
    data = sb.ok("profiles", "search_people", {"network": ["F"], "total_results": 1000})
    connections = sb.ok("network", "list_connections", {"count": 1000})["connections"]
    assert {r["linkedin_url"] for r in data["results"]} == {c["profile_url"] for c in connections}

    second = sb.ok("profiles", "search_people", {"network": ["S"], "total_results": 1000})["results"]
    assert second
    assert not {r["linkedin_url"] for r in second} & {c["profile_url"] for c in connections}


# -- 7. faults -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["500", "502", "503"])
def test_fault_server_error(sb: Sandbox, status: str) -> None:
    response = sb.call("profiles", "get_me", headers=fault(status))
    body = error_of(response, int(status), "INTERNAL_ERROR")
    assert body["metadata"]["action"] == "get_me"
    assert sb.balance() == INITIAL
    [record] = sb.requests()
    assert record["fault"] == status and record["status"] == int(status) and record["credits_consumed"] == 0


def test_fault_rename_field_drifts_a_success(sb: Sandbox) -> None:
    """A performed answer as if LinkupAPI had renamed a field (the first one, or the one named)."""
    data = sb.ok("profiles", "get_me", headers=fault("rename-field"))
    assert "public_id" not in data and data["public_id_renamed"]
    data = sb.ok("mail", "validate_email", {"email": "a@b.io"}, headers=fault("rename-field:reachability"))
    assert "reachability_renamed" in data and "email" in data
    [first, second] = sb.requests()
    assert first["fault"] == "rename-field" and second["fault"] == "rename-field:reachability"
    error_of(sb.call("profiles", "get", {}, headers=fault("rename-field")), 400, "INVALID_PARAMS")  # errors untouched


def test_fault_extra_credit_charges_more_than_the_rule(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me", headers=fault("extra-credit:2"))
    assert response.json()["metadata"]["credits_consumed"] == 3 and sb.balance() == INITIAL - 3
    assert sb.requests()[0]["credits_consumed"] == 3
    # queued, whatever `when` says: it changes a performed answer
    sb.admin("POST", "faults", {"fault": "extra-credit", "action": "get_me"})
    assert sb.admin("GET", "faults")["faults"][0]["when"] == "after"
    assert sb.call("profiles", "get_me").json()["metadata"]["credits_consumed"] == 2
    assert sb.call("profiles", "get_me").json()["metadata"]["credits_consumed"] == 1  # once
    error_of(sb.call("profiles", "get_me", headers=fault("extra-credit:x")), 400, "INVALID_PARAMS")


def test_fault_429_has_retry_after(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me", headers=fault("429"))
    error_of(response, 429, "RATE_LIMITED")
    assert response.headers["retry-after"] == "1"
    assert sb.balance() == INITIAL
    bare = sb.call("profiles", "get_me", headers=fault("429-no-retry-after"))
    error_of(bare, 429, "RATE_LIMITED")
    assert "retry-after" not in bare.headers


def test_fault_malformed(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me", headers=fault("malformed"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_fault_html(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me", headers=fault("html"))
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<html")
    assert sb.balance() == INITIAL


def test_fault_success_false(sb: Sandbox) -> None:
    response = sb.call("profiles", "get_me", headers=fault("success_false"))
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert sb.balance() == INITIAL


def test_fault_drop(sb: Sandbox) -> None:
    with pytest.raises(httpx2.RemoteProtocolError):
        sb.call("profiles", "get_me", headers=fault("drop"))
    assert sb.balance() == INITIAL
    [record] = sb.requests()
    assert record["fault"] == "drop" and record["status"] is None
    assert sb.call("profiles", "get_me").status_code == 200  # the sandbox keeps serving


def test_fault_truncated(sb: Sandbox) -> None:
    with pytest.raises(httpx2.TransportError):
        sb.call("profiles", "get_me", headers=fault("truncated"))
    assert sb.balance() == INITIAL


def test_fault_slow(sb: Sandbox) -> None:
    started = time.monotonic()
    response = sb.call("profiles", "get_me", headers=fault("slow:0.2"))
    elapsed = time.monotonic() - started
    assert elapsed >= 0.2
    assert response.status_code == 200
    assert response.json()["metadata"]["credits_consumed"] == 1
    assert sb.balance() == INITIAL - 1


def test_fault_timeout(sb: Sandbox) -> None:
    started = time.monotonic()
    with pytest.raises(httpx2.TimeoutException):
        sb.call("profiles", "get_me", headers=fault("timeout:2"), timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert sb.balance() == INITIAL  # a before-fault: the client left before anything was done


def test_fault_unknown_name(sb: Sandbox) -> None:
    body = error_of(sb.call("profiles", "get_me", headers=fault("explode")), 400, "INVALID_PARAMS")
    assert "explode" in body["error"]["message"]


def test_fault_drop_after_send_keeps_message_and_charge(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = message_count(sb, target)
    balance = sb.balance()
    params = {"profile_url": target, "message_text": "sent, then the line dropped"}
    with pytest.raises(httpx2.TransportError):
        sb.call("messages", "send", params, headers=fault("drop", "after"))
    assert sb.balance() == balance - 1
    assert message_count(sb, target) == before + 1
    assert newest_message(sb, target)["text"] == "sent, then the line dropped"
    record = next(r for r in sb.requests() if r["action"] == "send")
    assert record["fault"] == "drop" and record["credits_consumed"] == 1 and record["status"] is None


def test_fault_500_after_send_keeps_message_refunds_charge(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = message_count(sb, target)
    balance = sb.balance()
    params = {"profile_url": target, "message_text": "sent, then a 500"}
    response = sb.call("messages", "send", params, headers=fault("500", "after"))
    error_of(response, 500, "INTERNAL_ERROR")
    assert sb.balance() == balance
    assert message_count(sb, target) == before + 1
    assert newest_message(sb, target)["text"] == "sent, then a 500"
    record = next(r for r in sb.requests() if r["action"] == "send")
    assert record["fault"] == "500" and record["credits_consumed"] == 0 and record["status"] == 500


def test_fault_500_before_send_changes_nothing(sb: Sandbox) -> None:
    target = a_connection(sb)
    before = message_count(sb, target)
    balance = sb.balance()
    response = sb.call("messages", "send", {"profile_url": target, "message_text": "never sent"}, headers=fault("500"))
    error_of(response, 500, "INTERNAL_ERROR")
    assert sb.balance() == balance
    assert message_count(sb, target) == before


def test_queued_faults(sb: Sandbox) -> None:
    rule = sb.admin("POST", "faults", {"fault": "503", "action": "get_me", "times": 2})
    assert rule["fault"] == "503" and rule["action"] == "get_me" and rule["times"] == 2
    assert len(sb.admin("GET", "faults")["faults"]) == 1

    error_of(sb.call("profiles", "get_me"), 503, "INTERNAL_ERROR")
    assert sb.call("profiles", "search_people", {"total_results": 5}).status_code == 200  # other actions unaffected
    assert sb.http.get("/v2/credits").status_code == 200
    error_of(sb.call("profiles", "get_me"), 503, "INTERNAL_ERROR")
    assert sb.admin("GET", "faults") == {"faults": []}
    assert sb.call("profiles", "get_me").status_code == 200
    assert sb.balance() == INITIAL - 2  # search_people (5 results) + the third get_me
    assert [r["fault"] for r in sb.requests()] == ["503", None, None, "503", None]


def test_queued_after_fault_waits_for_a_performed_request(sb: Sandbox) -> None:
    """A queued after-fault is spent on a request that ran, not on one a before-fault answered
    or one that failed its checks."""
    target = a_connection(sb)
    before = message_count(sb, target)
    sb.admin("POST", "faults", {"fault": "500", "action": "send"})
    sb.admin("POST", "faults", {"fault": "drop", "action": "send", "when": "after"})
    error_of(sb.call("messages", "send", {"profile_url": target, "message_text": "a"}), 500, "INTERNAL_ERROR")
    error_of(sb.call("messages", "send", {"profile_url": target}), 400, "INVALID_PARAMS")
    assert message_count(sb, target) == before
    assert len(sb.admin("GET", "faults")["faults"]) == 1
    with pytest.raises(httpx2.TransportError):
        sb.call("messages", "send", {"profile_url": target, "message_text": "b"})
    assert message_count(sb, target) == before + 1
    assert sb.admin("GET", "faults") == {"faults": []}
    assert [r["fault"] for r in sb.requests() if r["action"] == "send"] == ["500", None, "drop"]


def test_queued_429_is_never_after_the_action(sb: Sandbox) -> None:
    """A rate-limited request is not performed: a 429 queued "after" answers before the action."""
    target = a_connection(sb)
    before, balance = message_count(sb, target), sb.balance()
    rule = sb.admin("POST", "faults", {"fault": "429", "action": "send", "when": "after"})
    assert rule["when"] == "before"
    error_of(sb.call("messages", "send", {"profile_url": target, "message_text": "a"}), 429, "RATE_LIMITED")
    assert message_count(sb, target) == before and sb.balance() == balance


def test_queued_fault_cleared(sb: Sandbox) -> None:
    sb.admin("POST", "faults", {"fault": "500"})
    assert sb.admin("DELETE", "faults") == {"ok": True}
    assert sb.call("profiles", "get_me").status_code == 200


def test_queued_fault_rejects_unknown(sb: Sandbox) -> None:
    response = sb.http.post("/_sandbox/faults", json={"fault": "explode"})
    assert response.status_code == 400
    assert sb.admin("GET", "faults") == {"faults": []}


# -- 8. admin ------------------------------------------------------------------------------


def test_request_log(sb: Sandbox) -> None:
    sb.call("profiles", "search_people", {"location": ["Paris"], "total_results": 15})
    sb.call("profiles", "get", {})
    sb.call("profiles", "get_me", headers=fault("502"))
    sb.http.get("/v2/credits")
    log = sb.requests()
    assert [(r["method"], r["path"], r["action"]) for r in log] == [
        ("POST", "/v2/profiles", "search_people"),
        ("POST", "/v2/profiles", "get"),
        ("POST", "/v2/profiles", "get_me"),
        ("GET", "/v2/credits", "get_credits"),
    ]
    assert log[0]["params"] == {"location": ["Paris"], "total_results": 15}
    assert log[0]["account_id"] == ACCOUNT
    assert [r["status"] for r in log] == [200, 400, 502, 200]
    assert [r["credits_consumed"] for r in log] == [2, 0, 0, 0]
    assert [r["error_code"] for r in log] == [None, "INVALID_PARAMS", "INTERNAL_ERROR", None]
    assert [r["fault"] for r in log] == [None, None, "502", None]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "state", None),
        ("GET", "requests", None),
        ("POST", "reset", None),
        ("GET", "credits", None),
        ("POST", "credits", {"balance": 5}),
        ("POST", "faults", {"fault": "500"}),
        ("DELETE", "faults", None),
        ("POST", "rate_limit", {"per_minute": 1}),
    ],
)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_admin_routes_need_the_key(
    server: SandboxServer, method: str, path: str, payload: dict[str, Any] | None, key: str | None
) -> None:
    server.state.reset()
    headers = {"x-api-key": key} if key else {}
    with httpx2.Client(base_url=server.base_url, headers=headers, timeout=5) as client:
        response = client.request(method, f"/_sandbox/{path}", json=payload)
    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert server.state.balance == INITIAL
    assert server.state.faults == []
    assert server.state.rate_limit_per_minute == SandboxConfig().rate_limit_per_minute


def test_admin_state_and_credits(sb: Sandbox) -> None:
    sb.ok("profiles", "get_me")
    state = sb.admin("GET", "state")
    assert state["account_id"] == ACCOUNT
    assert state["credits_remaining"] == INITIAL - 1
    assert state["credits_used"] == 1
    assert state["requests_logged"] == 1
    assert sb.admin("GET", "credits") == {"balance": INITIAL - 1, "used": 1}
    bad = sb.http.post("/_sandbox/credits", json={"balance": -1})
    assert bad.status_code == 400
    assert sb.http.get("/_sandbox/nowhere").status_code == 404


# -- 9. determinism ------------------------------------------------------------------------


def _search_snapshot(server: SandboxServer) -> list[dict[str, Any]]:
    with httpx2.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=5) as client:
        response = client.post(
            "/v2/profiles",
            json={"account_id": ACCOUNT, "action": "search_people", "params": {"keyword": "", "total_results": 50}},
        )
    assert response.status_code == 200
    return list(response.json()["data"]["results"])


def test_same_seed_same_world() -> None:
    with SandboxServer(SandboxConfig(seed=7)) as one, SandboxServer(SandboxConfig(seed=7)) as two:
        first, second = _search_snapshot(one), _search_snapshot(two)
    assert len(first) == 50
    assert first == second


def test_different_seed_different_world() -> None:
    with SandboxServer(SandboxConfig(seed=7)) as one, SandboxServer(SandboxConfig(seed=8)) as two:
        assert _search_snapshot(one) != _search_snapshot(two)
