"""The sandbox's webhooks over HTTP: CRUD, signing (rotate, remove), events produced by the
simulated people (replies, accepted invitations), polling with since (items only, as the API: no
cursor), SSE (live, keepalive, resume after a dropped stream) and signed custom-mode delivery to
a loopback receiver.

Short delays (`event_delay_s`, `keepalive_s`) keep the module fast; one sandbox serves it and
every test starts from a reset.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

from linkup_mcp.sandbox import SandboxConfig, SandboxServer

ACCOUNT = "acc_sandbox"
KEY = "sandboxkey"
DELAY = 0.2
KEEPALIVE = 0.3
CONFIG = SandboxConfig(event_delay_s=DELAY, keepalive_s=KEEPALIVE)


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(CONFIG) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(server: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=10) as http:
        yield http


@pytest.fixture
def http(server: SandboxServer, client: httpx2.Client) -> httpx2.Client:
    server.state.reset()
    return client


# -- helpers --------------------------------------------------------------------------------


def ok(response: httpx2.Response, action: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["metadata"]["action"] == action
    assert body["metadata"]["credits_consumed"] == 0
    assert isinstance(body["metadata"]["timestamp"], str)
    return dict(body["data"])


def error_of(response: httpx2.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code
    assert body["metadata"]["credits_consumed"] == 0
    return str(body["error"]["message"])


def create(http: httpx2.Client, **fields: Any) -> dict[str, Any]:
    data = ok(http.post("/v2/webhooks", json={"account_id": ACCOUNT, **fields}), "create_webhook")
    return data


def call(http: httpx2.Client, category: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
    response = http.post(f"/v2/{category}", json={"account_id": ACCOUNT, "action": action, "params": params})
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def inject(http: httpx2.Client, **payload: Any) -> dict[str, Any]:
    response = http.post("/_sandbox/events", json=payload)
    assert response.status_code == 200, response.text
    return dict(response.json())


def poll(http: httpx2.Client, webhook_id: str, **query: Any) -> dict[str, Any]:
    return ok(http.get(f"/v2/webhooks/{webhook_id}/events", params=query), "poll_webhook_events")


def wait_items(http: httpx2.Client, webhook_id: str, since: str, n: int = 1) -> dict[str, Any]:
    """Poll (like a client would) until at least n items arrived after `since`."""
    deadline = time.monotonic() + 5
    while True:
        data = poll(http, webhook_id, since=since)
        if len(data["items"]) >= n or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def eventually(check: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def person_url(http: httpx2.Client, index: int = 0) -> str:
    """A 2nd-degree person with no invitation either way."""
    params = {"network": ["S"], "fetch_invitation_state": True, "total_results": 30}
    results = call(http, "profiles", "search_people", params)["results"]
    return str([r["linkedin_url"] for r in results if r["invitation_state"] == "CAN_INVITE"][index])


def connection_url(http: httpx2.Client, index: int = 0) -> str:
    """A 1st-degree connection: the people a message reaches (the sandbox refuses anyone else)."""
    connections = call(http, "network", "list_connections", {"count": index + 1})["connections"]
    return str(connections[index]["profile_url"])


class Sse:
    """Frames of an open SSE response: {"event", "id", "data"} dicts, or {"comment"}."""

    def __init__(self, response: httpx2.Response):
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        self.lines = response.iter_lines()

    def frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {}
        for line in self.lines:
            if not line:
                if frame:
                    return frame
            elif line.startswith(":"):
                return {"comment": line[1:].strip()}
            else:
                name, _, value = line.partition(":")
                frame[name] = json.loads(value.strip()) if name == "data" else value.strip()
        raise EOFError("stream ended")

    def event(self) -> dict[str, Any]:
        while "comment" in (frame := self.frame()):
            pass
        return frame

    def rest(self) -> list[dict[str, Any]]:
        """Events until the server ends the stream."""
        events = []
        try:
            while True:
                events.append(self.event())
        except EOFError:
            return events


def stream(http: httpx2.Client, webhook_id: str, **headers: str) -> AbstractContextManager[httpx2.Response]:
    # the key as a query parameter, as an EventSource must send it
    return http.stream(
        "GET", f"/v2/webhooks/{webhook_id}/stream", params={"api_key": KEY}, headers={"x-api-key": "", **headers}
    )


# -- CRUD -----------------------------------------------------------------------------------


def test_create_hosted_and_custom(http: httpx2.Client, server: SandboxServer) -> None:
    balance = server.state.balance
    hosted = create(http)
    assert hosted["mode"] == "hosted" and hosted["url"] is None and hosted["events"] == ["all"]
    assert hosted["is_active"] is True and hosted["signature_enabled"] is False and "secret" not in hosted
    assert hosted["webhook_id"].startswith("wh_") and hosted["account_id"] == ACCOUNT

    custom = create(http, url="https://127.0.0.1:9/hook", events=["message_received"], enable_signature=True)
    assert custom["mode"] == "custom" and custom["signature_enabled"] is True
    assert custom["secret"].startswith("whsec_")
    listed = ok(http.get("/v2/webhooks"), "list_webhooks")["webhooks"]
    assert [w["webhook_id"] for w in listed] == [hosted["webhook_id"], custom["webhook_id"]]
    assert all("secret" not in w for w in listed)
    got = ok(http.get(f"/v2/webhooks/{custom['webhook_id']}"), "get_webhook")
    assert "secret" not in got and got["events"] == ["message_received"]
    assert server.state.balance == balance  # webhook calls are free


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "INVALID_PARAMS"),
        ({"account_id": "acc_nope"}, 404, "INVALID_ACCOUNT"),
        ({"account_id": "acc_inactive"}, 403, "ACCOUNT_INACTIVE"),
        ({"account_id": ACCOUNT, "url": "https://hooks.example.com/x"}, 400, "INVALID_PARAMS"),
        ({"account_id": ACCOUNT, "url": "not a url"}, 400, "INVALID_PARAMS"),
        ({"account_id": ACCOUNT, "events": ["message_sent"]}, 400, "INVALID_PARAMS"),
        ({"account_id": ACCOUNT, "events": []}, 400, "INVALID_PARAMS"),
        ({"account_id": ACCOUNT, "enable_signature": True}, 400, "INVALID_PARAMS"),  # hosted: unsigned
        ({"account_id": ACCOUNT, "retry": True}, 400, "INVALID_PARAMS"),
    ],
)
def test_create_refusals(http: httpx2.Client, body: dict[str, Any], status: int, code: str) -> None:
    error_of(http.post("/v2/webhooks", json=body), status, code)
    assert ok(http.get("/v2/webhooks"), "list_webhooks")["webhooks"] == []


def test_key_and_methods(http: httpx2.Client) -> None:
    error_of(http.get("/v2/webhooks", headers={"x-api-key": "wrong"}), 403, "INVALID_API_KEY")
    error_of(http.patch("/v2/webhooks"), 405, "METHOD_NOT_ALLOWED")
    error_of(http.get("/v2/webhooks/wh_x/unknown"), 404, "NOT_FOUND")


def test_update_start_stop_delete(http: httpx2.Client) -> None:
    hook = create(http, url="https://localhost:9/in")
    wid = hook["webhook_id"]
    for method in ("GET", "PUT", "DELETE"):
        message = error_of(http.request(method, "/v2/webhooks/wh_missing", json={"events": ["all"]}), 404, "NOT_FOUND")
        assert "wh_missing" in message
    error_of(http.post("/v2/webhooks/wh_missing/start"), 404, "NOT_FOUND")

    updated = ok(http.put(f"/v2/webhooks/{wid}", json={"events": ["disconnection", "disconnection"]}), "update_webhook")
    assert updated["events"] == ["disconnection"] and "secret" not in updated
    # signing is not an update: the signature page's rotate-secret and DELETE .../secret do it
    error_of(http.put(f"/v2/webhooks/{wid}", json={"enable_signature": True}), 400, "INVALID_PARAMS")
    rotated = ok(http.post(f"/v2/webhooks/{wid}/rotate-secret"), "rotate_secret")
    assert rotated["webhook_id"] == wid and rotated["secret"].startswith("whsec_")
    assert rotated["signature_scheme"].startswith("HMAC-SHA256")
    assert ok(http.get(f"/v2/webhooks/{wid}"), "get_webhook")["signature_enabled"] is True
    again = ok(http.post(f"/v2/webhooks/{wid}/rotate-secret"), "rotate_secret")
    assert again["secret"] != rotated["secret"]
    removed = ok(http.delete(f"/v2/webhooks/{wid}/secret"), "remove_secret")
    assert removed == {"webhook_id": wid, "signature_enabled": False}
    moved = ok(http.put(f"/v2/webhooks/{wid}", json={"url": "https://127.0.0.1:8443/x"}), "update_webhook")
    assert "secret" not in moved and moved["url"] == "https://127.0.0.1:8443/x"
    error_of(http.put(f"/v2/webhooks/{wid}", json={"url": "http://127.0.0.1:8443/x"}), 400, "INVALID_PARAMS")
    error_of(http.put(f"/v2/webhooks/{wid}", json={}), 400, "INVALID_PARAMS")
    hosted = ok(http.put(f"/v2/webhooks/{wid}", json={"url": None}), "update_webhook")
    assert hosted["mode"] == "hosted" and hosted["signature_enabled"] is False
    assert "hosted" in error_of(http.post(f"/v2/webhooks/{wid}/rotate-secret"), 400, "INVALID_PARAMS")

    stopped = ok(http.post(f"/v2/webhooks/{wid}/stop"), "stop_webhook")
    assert stopped == {"webhook_id": wid, "account_id": ACCOUNT, "monitoring": False}
    assert ok(http.get(f"/v2/webhooks/{wid}"), "get_webhook")["is_active"] is False
    inject(http, type="disconnection")  # not recorded while stopped
    assert ok(http.post(f"/v2/webhooks/{wid}/start"), "start_webhook")["monitoring"] is True
    inject(http, type="disconnection", text="cookie expired")
    items = poll(http, wid)["items"]
    assert [i["event"]["event"] for i in items] == [{"type": "disconnection", "reason": "cookie expired"}]

    deleted = ok(http.delete(f"/v2/webhooks/{wid}"), "delete_webhook")
    assert deleted == {"deleted": True, "webhook_id": wid}
    error_of(http.get(f"/v2/webhooks/{wid}"), 404, "NOT_FOUND")


# -- events: polling -------------------------------------------------------------------------


def test_reply_seen_by_polling_without_duplicates(http: httpx2.Client) -> None:
    wid = create(http)["webhook_id"]
    since = now_iso()
    target = connection_url(http)
    sent = call(http, "messages", "send", {"profile_url": target, "message_text": "Hello there"})
    assert poll(http, wid, since=since)["items"] == []  # the reply takes event_delay_s

    first = wait_items(http, wid, since)
    [item] = first["items"]
    assert item["event_id"].startswith("evt_") and set(first) == {"items"}  # as the API: no cursor
    envelope = item["event"]
    assert envelope["account_id"] == ACCOUNT and envelope["account_name"]
    event = envelope["event"]
    assert event["type"] == "message" and event["sender_profile"] == target
    assert event["conversation_id"] == sent["conversation_id"] and event["message_text"]
    # the reply is in the conversation too
    conversation = call(http, "messages", "get_conversation", {"conversation_id": sent["conversation_id"]})
    newest = conversation["messages"][0]
    assert newest["text"] == event["message_text"] and newest["sender_info"]["profile_url"] == target

    # since = the item's created_at: only events after it (the client moves since itself)
    assert poll(http, wid, since=item["created_at"]) == {"items": []}
    call(http, "messages", "send", {"profile_url": target, "message_text": "And another thing"})
    second = wait_items(http, wid, item["created_at"])
    assert [i["event_id"] for i in second["items"]] != [item["event_id"]] and len(second["items"]) == 1
    everything = poll(http, wid)  # no since: all kept events, oldest first
    assert [i["event_id"] for i in everything["items"]] == [item["event_id"], second["items"][0]["event_id"]]
    assert [i["event_id"] for i in poll(http, wid, limit=1)["items"]] == [item["event_id"]]


def test_polling_refusals_and_retention(http: httpx2.Client, server: SandboxServer) -> None:
    wid = create(http)["webhook_id"]
    error_of(http.get(f"/v2/webhooks/{wid}/events", params={"since": "yesterday"}), 400, "INVALID_PARAMS")
    for limit in ("0", "201", "x"):
        error_of(http.get(f"/v2/webhooks/{wid}/events", params={"limit": limit}), 400, "INVALID_PARAMS")
    error_of(http.get(f"/v2/webhooks/{wid}/events", params={"cursor": "1"}), 400, "INVALID_PARAMS")
    custom = create(http, url="https://127.0.0.1:9/x")["webhook_id"]
    assert "custom mode" in error_of(http.get(f"/v2/webhooks/{custom}/events"), 400, "INVALID_PARAMS")

    inject(http, type="message", text="old news")
    inject(http, type="message", text="fresh")
    with server.state.lock:  # age the first one past the 24 h retention
        server.state.world.webhooks[wid].items[0].created_us -= 25 * 3600 * 1_000_000
    texts = [i["event"]["event"]["message_text"] for i in poll(http, wid)["items"]]
    assert texts == ["fresh"]
    # a since with an offset (its '+' sent encoded) works too
    assert len(poll(http, wid, since="2000-01-01T00:00:00+00:00")["items"]) == 1


def test_invitation_accepted_changes_the_world(http: httpx2.Client) -> None:
    wid = create(http, events=["accepted_invitation"])["webhook_id"]
    since = now_iso()
    accepted, ignored = person_url(http, 0), person_url(http, 1)
    call(http, "network", "invite", {"profile_url": accepted})  # 1st invitation: accepted
    call(http, "network", "invite", {"profile_url": ignored})  # 2nd: left pending
    call(http, "messages", "send", {"profile_url": connection_url(http), "message_text": "hi"})  # reply filtered out

    data = wait_items(http, wid, since)
    time.sleep(DELAY * 2)  # give the ignored invitation (and the reply) time to misbehave
    data = poll(http, wid, since=since)
    assert [i["event"]["event"]["type"] for i in data["items"]] == ["accepted_invitation"]
    event = data["items"][0]["event"]["event"]
    assert event["profile_url"] == accepted and event["first_name"] and event["last_name"]

    sent = [i["recipient"]["linkedin_url"] for i in call(http, "network", "list_sent", {})["invitations"]]
    assert accepted not in sent and ignored in sent
    state = call(http, "network", "check_invitation", {"profile_url": accepted})
    assert (state["invitation_state"], state["invitation_type"]) == ("ACCEPTED", "CONNECTED")
    assert call(http, "network", "check_invitation", {"profile_url": ignored})["invitation_state"] == "PENDING"


def test_reset_cancels_scheduled_events(http: httpx2.Client, server: SandboxServer) -> None:
    call(http, "messages", "send", {"profile_url": connection_url(http), "message_text": "hi"})
    server.state.reset()
    wid = create(http)["webhook_id"]
    time.sleep(DELAY * 2)
    assert poll(http, wid)["items"] == []


def test_inject_refusals(http: httpx2.Client) -> None:
    for payload in (
        {"type": "poke"},
        {"type": "message", "account_id": "acc_nope"},
        {"type": "message", "profile_url": "x"},
    ):
        assert http.post("/_sandbox/events", json=payload).status_code == 400


# -- events: SSE -----------------------------------------------------------------------------


def test_stream_connected_live_events_and_keepalive(http: httpx2.Client, server: SandboxServer) -> None:
    wid = create(http)["webhook_id"]
    with stream(http, wid) as first, stream(http, wid) as second:
        sse, other = Sse(first), Sse(second)
        connected = sse.event()
        assert connected["event"] == "connected" and connected["data"] == {"webhook_id": wid, "account_id": ACCOUNT}
        assert other.event()["event"] == "connected"

        started = time.monotonic()
        assert sse.frame() == {"comment": "keepalive"}
        assert time.monotonic() - started < KEEPALIVE * 3

        call(http, "messages", "send", {"profile_url": connection_url(http), "message_text": "ping"})
        live = sse.event()  # the reply, as it happens
        assert live["event"] == "webhook" and live["data"]["event"]["event"]["type"] == "message"
        assert live["id"] == live["data"]["event_id"]
        assert live["data"] == poll(http, wid)["items"][0]  # the same item shape as polling
        assert other.event()["data"] == live["data"]  # every client gets it
        assert len(server.state.streams) == 2
    eventually(lambda: not server.state.streams)  # clients gone: the server noticed and let go


def test_stream_resumes_after_drop_without_loss_or_duplicates(http: httpx2.Client) -> None:
    wid = create(http)["webhook_id"]
    with stream(http, wid) as response:
        sse = Sse(response)
        assert sse.event()["event"] == "connected"
        inject(http, type="message", text="one")
        one = sse.event()
        assert one["data"]["event"]["event"]["message_text"] == "one"
        inject(http, type="message", text="two")  # sent before the drop, not yet read
        assert http.post("/_sandbox/webhooks/drop_streams").json()["dropped"] == 1
        seen_before_drop = [e["id"] for e in sse.rest()]  # "two" may or may not have made it
    inject(http, type="message", text="three")  # while disconnected
    last_id = seen_before_drop[-1] if seen_before_drop else one["id"]
    with stream(http, wid, **{"Last-Event-ID": last_id}) as response:
        sse = Sse(response)
        assert sse.event()["event"] == "connected"
        replayed = [sse.event() for _ in range(3 - 1 - len(seen_before_drop))]
        inject(http, type="message", text="four")
        live = sse.event()
    received = [one["id"], *seen_before_drop, *(e["id"] for e in replayed), live["id"]]
    assert received == [i["event_id"] for i in poll(http, wid)["items"]]  # all four, once, in order
    # the since query parameter resumes too: an event id, or an ISO date-time
    items = poll(http, wid)["items"]
    for since in (received[1], items[1]["created_at"]):
        with http.stream(
            "GET", f"/v2/webhooks/{wid}/stream", params={"since": since}, headers={"x-api-key": KEY}
        ) as response:
            sse = Sse(response)
            assert sse.event()["event"] == "connected"
            assert [sse.event()["id"] for _ in range(2)] == received[2:]


def test_stream_refusals(http: httpx2.Client) -> None:
    hosted = create(http)["webhook_id"]
    custom = create(http, url="https://127.0.0.1:9/x")["webhook_id"]
    path = f"/v2/webhooks/{hosted}/stream"
    error_of(http.get(path, params={"api_key": "wrong"}, headers={"x-api-key": ""}), 403, "INVALID_API_KEY")
    error_of(http.get(f"/v2/webhooks/{custom}/stream"), 400, "INVALID_PARAMS")
    error_of(http.get("/v2/webhooks/wh_missing/stream"), 404, "NOT_FOUND")
    error_of(http.get(path, headers={"Last-Event-ID": "garbage"}), 400, "INVALID_PARAMS")
    error_of(http.post(path), 405, "METHOD_NOT_ALLOWED")


def test_stream_ends_when_webhook_deleted(http: httpx2.Client) -> None:
    wid = create(http)["webhook_id"]
    with stream(http, wid) as response:
        sse = Sse(response)
        sse.event()
        http.delete(f"/v2/webhooks/{wid}")
        assert sse.rest() == []


# -- custom mode -----------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[tuple[str, queue.Queue[tuple[dict[str, str], bytes]]]]:
    """A loopback HTTP server recording each POST's headers and raw body."""
    received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # an https URL, as the API requires; the sandbox delivers it to loopback over plain HTTP
    yield f"https://127.0.0.1:{httpd.server_address[1]}/linkup", received
    httpd.shutdown()
    httpd.server_close()


def test_custom_delivery_is_signed(
    http: httpx2.Client, receiver: tuple[str, queue.Queue[tuple[dict[str, str], bytes]]]
) -> None:
    url, received = receiver
    secret = create(http, url=url, enable_signature=True)["secret"]
    create(http, url=url, events=["accepted_invitation"])  # a second one, unsigned
    invited = person_url(http)
    call(http, "network", "invite", {"profile_url": invited})

    deliveries = [received.get(timeout=5), received.get(timeout=5)]
    signed = [d for d in deliveries if "x-linkup-signature" in d[0]]
    assert len(signed) == 1
    headers, raw = signed[0]
    timestamp = headers["x-linkup-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert headers["x-linkup-signature"] == f"v1={expected}"
    payload = json.loads(raw)
    assert payload["event"]["type"] == "accepted_invitation" and payload["event"]["account_id"] == ACCOUNT
    assert payload["event"]["data"]["profile_url"] == invited and payload["timestamp"]
    [(plain_headers, plain_raw)] = [d for d in deliveries if d is not signed[0]]
    assert "x-linkup-timestamp" in plain_headers and json.loads(plain_raw)["event"] == payload["event"]
