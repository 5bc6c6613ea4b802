"""LinkupAPI V2 webhooks, simulated: routes, event production, polling, SSE and delivery.

  POST   /v2/webhooks                    {account_id, url?, events?, enable_signature?}
  GET    /v2/webhooks[?account_id]       GET | PUT | DELETE /v2/webhooks/{id}
  POST   /v2/webhooks/{id}/start|stop|rotate-secret     DELETE /v2/webhooks/{id}/secret
  GET    /v2/webhooks/{id}/events?since&limit     hosted mode: polling (items only: no cursor)
  GET    /v2/webhooks/{id}/stream?api_key&since   hosted mode: SSE (Last-Event-ID resumes)

Hosted webhooks (no url) keep their events `event_retention_s` (24 h); custom ones (an https
URL, as the API requires, on a loopback host: the sandbox never calls out, and delivers to it
over plain HTTP, having no certificate) get each event POSTed from a background thread, signed
`X-Linkup-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` when enabled.

Events come from the simulated people (`after_action`): `event_delay_s` after an invitation the
invitee accepts (every `accept_every`th one) and after a message the recipient replies (every
`reply_every`th one), changing the world as well; `inject` (admin `POST /_sandbox/events`)
makes one happen now. Only active webhooks of the event's account that want its type get it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import string
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from linkup_mcp.sandbox.data import ME_ID, Conversation, Message, Person, Webhook, WebhookItem, World
from linkup_mcp.sandbox.errors import ApiError
from linkup_mcp.sandbox.handlers.common import Ctx, find_person, iso
from linkup_mcp.sandbox.handlers.messages import conversation_with
from linkup_mcp.sandbox.params import json_object
from linkup_mcp.sandbox.state import SandboxState

log = logging.getLogger("linkup_mcp.sandbox")

EVENT_FILTERS = ("message_received", "accepted_invitation", "disconnection", "all")
FILTER_OF = {
    "message": "message_received",
    "accepted_invitation": "accepted_invitation",
    "disconnection": "disconnection",
}
BODY_FIELDS = {
    "create_webhook": ("account_id", "url", "events", "enable_signature"),
    "update_webhook": ("url", "events"),  # signing: rotate-secret and DELETE .../secret
}
QUERY_FIELDS = {"list_webhooks": ("account_id",), "poll_webhook_events": ("since", "limit")}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DELIVERY_TIMEOUT_S = 5.0
SIGNATURE_SCHEME = (
    "HMAC-SHA256 over '<X-Linkup-Timestamp>.<raw_body>'; compare to X-Linkup-Signature header (format: v1=<hex>)"
)
REPLIES = (
    "Thanks for reaching out, {first}! Happy to chat — what did you have in mind?",
    "Hi {first}, good to hear from you. Does a short call next week work?",
    "Thanks {first}, sounds interesting. Could you send me a bit more detail?",
)

_ROUTE = re.compile(r"^/v2/webhooks(?:/([^/]+)(?:/(start|stop|events|stream|rotate-secret|secret))?)?/?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def owns(path: str) -> bool:
    return path.rstrip("/") == "/v2/webhooks" or path.startswith("/v2/webhooks/")


def stream_id(path: str) -> str | None:
    """The webhook id when `path` is a stream route (served by `Stream`, not `perform`)."""
    match = _ROUTE.match(path)
    return match.group(1) if match and match.group(2) == "stream" else None


# -- routes -----------------------------------------------------------------------------


def parse(method: str, path: str, body: bytes, query: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(action, params) for a webhook request: the body fields (create, update) or the query
    (list, events), plus `webhook_id` from the path. 404/405/400 when it does not fit."""
    match = _ROUTE.match(path)
    if match is None:
        raise ApiError("NOT_FOUND", f"No route for {method} {path}")
    webhook_id, sub = match.group(1), match.group(2)
    methods: dict[str, str] = (
        {"POST": "create_webhook", "GET": "list_webhooks"}
        if webhook_id is None
        else {"GET": "get_webhook", "PUT": "update_webhook", "DELETE": "delete_webhook"}
        if sub is None
        else {"GET": "poll_webhook_events"}
        if sub == "events"
        else {"DELETE": "remove_secret"}
        if sub == "secret"
        else {"POST": "rotate_secret"}
        if sub == "rotate-secret"
        else {"POST": f"{sub}_webhook"}
    )
    action = methods.get(method)
    if action is None:
        raise ApiError("METHOD_NOT_ALLOWED", f"Method {method} not allowed here; use {', '.join(methods)}")
    params: dict[str, Any] = {}
    if action in BODY_FIELDS:
        params = json_object(body)
        _no_unknown(params, BODY_FIELDS[action], "field(s) in body")
    else:
        params = dict(query)
        _no_unknown(params, QUERY_FIELDS.get(action, ()), "query parameter(s)")
    if action == "create_webhook" and not isinstance(params.get("account_id", ""), str):
        raise ApiError("INVALID_PARAMS", "Invalid parameter: account_id must be a string")
    if webhook_id is not None:
        params["webhook_id"] = webhook_id
    return action, params


def perform(state: SandboxState, action: str, params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Run one webhook action (under the state's lock; the app checked create's account):
    (data, account_id for the metadata)."""
    world = state.world
    if action == "list_webhooks":
        wanted = params.get("account_id")
        hooks = [view(h) for h in world.webhooks.values() if wanted is None or h.account_id == wanted]
        return {"webhooks": hooks, "total_results": len(hooks)}, wanted
    if action == "create_webhook":
        return _create(state, params), params["account_id"]
    hook = _hook(world, params["webhook_id"])
    if action == "get_webhook":
        return view(hook), hook.account_id
    if action == "update_webhook":
        return _update(hook, params), hook.account_id
    if action == "delete_webhook":
        del world.webhooks[hook.webhook_id]
        state.notify_streams()  # its streams end
        return {"deleted": True, "webhook_id": hook.webhook_id}, hook.account_id
    if action in ("start_webhook", "stop_webhook"):
        hook.is_active = action == "start_webhook"
        return {
            "webhook_id": hook.webhook_id,
            "account_id": hook.account_id,
            "monitoring": hook.is_active,
        }, hook.account_id
    if action == "poll_webhook_events":
        return _poll(state, _hosted(hook), params), hook.account_id
    if action in ("rotate_secret", "remove_secret"):
        return _signing(_custom(hook), action == "rotate_secret"), hook.account_id
    raise AssertionError(action)


def view(hook: Webhook) -> dict[str, Any]:
    """A webhook as the API shows it (never its secret)."""
    return {
        "webhook_id": hook.webhook_id,
        "account_id": hook.account_id,
        "url": hook.url,
        "events": hook.events,
        "mode": "hosted" if hook.url is None else "custom",
        "is_active": hook.is_active,
        "signature_enabled": hook.enable_signature,
        "created_at": iso(hook.created_at),
    }


def _create(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    url = _url(params.get("url"))
    events = _events(params.get("events", ["all"]))
    signed = _flag(params.get("enable_signature", False))
    if signed and url is None:
        raise ApiError(
            "INVALID_PARAMS", "Invalid parameter: enable_signature needs a url (hosted webhooks are unsigned)"
        )
    ctx = Ctx(state.world, params["account_id"])
    webhook_id = "wh_" + ctx.token(16, string.ascii_lowercase + string.digits)
    secret = _new_secret() if signed else None
    hook = Webhook(webhook_id, params["account_id"], url, events, signed, True, ctx.now(), secret)
    state.world.webhooks[webhook_id] = hook
    return view(hook) | ({"secret": secret} if secret else {})


def _update(hook: Webhook, params: dict[str, Any]) -> dict[str, Any]:
    if set(params) == {"webhook_id"}:
        raise ApiError("INVALID_PARAMS", "Nothing to update: give url and/or events")
    url = _url(params["url"]) if "url" in params else hook.url
    events = _events(params["events"]) if "events" in params else hook.events
    if (url is None) != (hook.url is None):
        hook.items = []  # mode changed: hosted events start afresh
    if url is None:  # hosted webhooks are unsigned
        hook.enable_signature, hook.secret = False, None
    hook.url, hook.events = url, events
    return view(hook)


def _signing(hook: Webhook, rotate: bool) -> dict[str, Any]:
    """rotate-secret: a fresh secret, the old one invalid at once (returned this once);
    DELETE .../secret: no secret, unsigned deliveries from now on."""
    hook.enable_signature = rotate
    hook.secret = _new_secret() if rotate else None
    if rotate:
        return {"webhook_id": hook.webhook_id, "secret": hook.secret, "signature_scheme": SIGNATURE_SCHEME}
    return {"webhook_id": hook.webhook_id, "signature_enabled": False}


def _poll(state: SandboxState, hook: Webhook, params: dict[str, Any]) -> dict[str, Any]:
    since = params.get("since") or None
    since_us = parse_time(since, "since") if since else None
    limit = _limit(params.get("limit"))
    _prune(state, hook)
    items = [i for i in hook.items if since_us is None or i.created_us > since_us][:limit]
    return {"items": [i.view for i in items]}  # as the API: no cursor; `since` is the caller's to move


def _hook(world: World, webhook_id: str) -> Webhook:
    hook = world.webhooks.get(webhook_id)
    if hook is None:
        raise ApiError("NOT_FOUND", f"Webhook not found: {webhook_id} (list yours with GET /v2/webhooks)")
    return hook


def _custom(hook: Webhook) -> Webhook:
    if hook.url is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Webhook {hook.webhook_id} is hosted: hosted webhooks are not signed (they are read with your API key)",
        )
    return hook


def _hosted(hook: Webhook) -> Webhook:
    if hook.url is not None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Webhook {hook.webhook_id} is in custom mode: its events are POSTed to its url. "
            "Polling and streaming are for hosted webhooks (created without url).",
        )
    return hook


# -- validation ---------------------------------------------------------------------------


def _no_unknown(params: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        valid = f" (valid: {', '.join(allowed)})" if allowed else ""
        raise ApiError("INVALID_PARAMS", f"Unknown {what}: {', '.join(unknown)}{valid}")


def _url(value: Any) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: url must be a public HTTPS endpoint (got {value!r})")
    if parts.hostname not in LOOPBACK_HOSTS:
        raise ApiError(
            "INVALID_PARAMS",
            "Invalid parameter: the sandbox only delivers to https://127.0.0.1 or localhost URLs "
            f"(it never calls out), got {value!r}; omit url for a hosted webhook",
        )
    return value


def _events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v in EVENT_FILTERS for v in value):
        raise ApiError(
            "INVALID_PARAMS",
            f"Invalid parameter: events must be a non-empty array of {', '.join(EVENT_FILTERS)} (got {value!r})",
        )
    return list(dict.fromkeys(value))


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ApiError("INVALID_PARAMS", "Invalid parameter: enable_signature must be a boolean")
    return value


def _limit(raw: str | None) -> int:
    if raw is None:
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ApiError("INVALID_PARAMS", "Invalid parameter: limit must be an integer between 1 and 200")
    return int(raw)


def _new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


# -- time ---------------------------------------------------------------------------------


def iso_us(us: int) -> str:
    """Epoch microseconds as `2026-11-25T08:00:00.123456Z`."""
    return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str, name: str) -> int:
    """An ISO-8601 instant (`Z` or an offset, any fraction; naive = UTC) as epoch microseconds."""
    text = value.strip().replace(" ", "+")  # a '+' in a query string arrives as a space
    text = re.sub(r"[zZ]$", "+00:00", text)
    # Python 3.10's fromisoformat wants 0, 3 or 6 fraction digits
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            "INVALID_PARAMS", f"Invalid parameter: {name} must be an ISO-8601 date-time (got {value!r})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _stamp(state: SandboxState) -> int:
    """Now in epoch microseconds, strictly after every earlier stamp (so `since` is exact)."""
    state.last_event_us = max(time.time_ns() // 1000, state.last_event_us + 1)
    return state.last_event_us


def _prune(state: SandboxState, hook: Webhook) -> None:
    cutoff = time.time_ns() // 1000 - int(state.config.event_retention_s * 1_000_000)
    if hook.items and hook.items[0].created_us < cutoff:
        hook.items = [i for i in hook.items if i.created_us >= cutoff]


# -- events -------------------------------------------------------------------------------


def emit(state: SandboxState, account_id: str, event: dict[str, Any]) -> list[str]:
    """Record (hosted) or deliver (custom) one event (`{type, ...}`) for every active webhook of
    the account that wants its type; the ids of those webhooks."""
    wanted = FILTER_OF[event["type"]]
    targets = []
    with state.lock:
        account = state.accounts.get(account_id)
        stamp = _stamp(state)  # one instant per event; each webhook's items stay strictly ordered
        when = iso_us(stamp)
        for hook in state.world.webhooks.values():
            if hook.account_id != account_id or not hook.is_active or not {"all", wanted} & set(hook.events):
                continue
            state.event_seq += 1
            event_id = f"evt_{state.event_seq:012d}"
            if hook.url is None:
                _prune(state, hook)
                envelope = {
                    "account_id": account_id,
                    "account_name": account.name if account else None,
                    "event": dict(event),
                    "timestamp": when,
                }
                item = {"event_id": event_id, "event": envelope, "created_at": when}
                hook.items.append(WebhookItem(state.event_seq, stamp, item))
            else:
                data = {k: v for k, v in event.items() if k != "type"}
                body = {
                    "event_id": event_id,
                    "timestamp": when,
                    "event": {"type": event["type"], "account_id": account_id, "data": data, "timestamp": when},
                }
                _deliver(hook.url, hook.secret if hook.enable_signature else None, body)
            targets.append(hook.webhook_id)
        state.notify_streams()
    return targets


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _deliver(url: str, secret: str | None, body: dict[str, Any]) -> None:
    """POST one event to a custom webhook's url from a daemon thread (no retry; failures logged)."""
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "linkup-sandbox", "X-Linkup-Timestamp": timestamp}
    if secret:
        headers["X-Linkup-Signature"] = sign(secret, timestamp, raw)

    plain = "http://" + url.removeprefix("https://")  # loopback only, and the sandbox has no certificate

    def post() -> None:
        request = urllib.request.Request(plain, data=raw, headers=headers, method="POST")
        try:
            with _NO_PROXY.open(request, timeout=DELIVERY_TIMEOUT_S) as response:
                response.read()
        except (OSError, ValueError) as exc:
            log.info("sandbox: webhook delivery to %s failed: %s", url, exc)

    threading.Thread(target=post, name="linkup-sandbox-delivery", daemon=True).start()


def after_action(state: SandboxState, category: str, action: str, account_id: str | None, data: Any) -> None:
    """Run by the app after each successful action: schedule the simulated person's answer."""
    config = state.config
    if account_id is None or not isinstance(data, dict):
        return
    if (category, action) == ("network", "invite"):
        state.invites_sent += 1
        if config.accept_every and (state.invites_sent - 1) % config.accept_every == 0:
            invitation_id = str(data["invitation_urn"]).rsplit(":", 1)[-1]
            state.schedule(config.event_delay_s, lambda: _accept_invitation(state, account_id, invitation_id))
    elif (category, action) == ("messages", "send"):
        state.messages_sent += 1
        n = state.messages_sent
        if config.reply_every and (n - 1) % config.reply_every == 0:
            conversation_id = str(data["conversation_id"])
            state.schedule(config.event_delay_s, lambda: _reply(state, account_id, conversation_id, n))


def _accept_invitation(state: SandboxState, account_id: str, invitation_id: str) -> None:
    invitation = state.world.invitations.get(invitation_id)
    if invitation is not None and invitation.direction == "sent":  # not withdrawn meanwhile
        _connect(state, account_id, state.world.person(invitation.person_id))


def _connect(state: SandboxState, account_id: str, person: Person) -> dict[str, Any]:
    world = state.world
    for inv_id, inv in list(world.invitations.items()):
        if inv.person_id == person.id and inv.direction == "sent":
            del world.invitations[inv_id]
    world.connections[person.id] = Ctx(world, account_id).now()
    event = {
        "type": "accepted_invitation",
        "profile_url": person.profile_url,
        "first_name": person.first_name,
        "last_name": person.last_name,
    }
    emit(state, account_id, event)
    return event


def _reply(state: SandboxState, account_id: str, conversation_id: str, n: int) -> None:
    conv = state.world.conversations.get(conversation_id)
    if conv is not None:
        text = REPLIES[(n - 1) % len(REPLIES)].format(first=state.world.me.first_name)
        _receive_message(state, account_id, conv, text)


def _receive_message(state: SandboxState, account_id: str, conv: Conversation, text: str) -> dict[str, Any]:
    """A message from the conversation's person lands in the inbox, and is an event."""
    world = state.world
    ctx = Ctx(world, account_id)
    urn = f"urn:li:msg_message:(urn:li:fsd_profile:{world.me.urn_id},{conv.id}-{len(conv.messages)})"
    conv.messages.append(Message(urn=urn, text=text, timestamp=ctx.now(), sender_id=conv.person_id))
    conv.unread += 1
    if conv.category == "ARCHIVE":
        conv.category = "INBOX"
    sender = world.person(conv.person_id)
    event = {
        "type": "message",
        "sender_name": sender.full_name,
        "sender_profile": sender.profile_url,
        "message_text": text,
        "conversation_id": conv.id,
    }
    emit(state, account_id, event)
    return event


def inject(state: SandboxState, payload: dict[str, Any]) -> dict[str, Any]:
    """Admin `POST /_sandbox/events`: make an event happen now (and its change to the world).
    ValueError (400) for a bad type, account or profile."""
    kind = payload.get("type")
    account_id = payload.get("account_id") or state.config.account_id
    with state.lock:
        world = state.world
        if account_id not in state.accounts:
            raise ValueError(f"unknown account_id {account_id!r}")
        person = _person(world, payload.get("profile_url"))
        text = payload.get("text")
        if kind == "message":
            if person is None:  # the most recent conversation's person
                person = world.person(max(world.conversations.values(), key=lambda c: c.last_time).person_id)
            conv = conversation_with(world, person.id)
            if conv is None:
                conv = Conversation("2-" + Ctx(world, account_id).token(40), person.id, [], 0)
                world.conversations[conv.id] = conv
            event = _receive_message(state, account_id, conv, str(text or f"Hi {world.me.first_name}, quick question!"))
        elif kind == "accepted_invitation":
            if person is None:  # the oldest pending sent invitation's person, else anyone not connected
                sent = sorted((i.sent_at, i.person_id) for i in world.invitations.values() if i.direction == "sent")
                pid = sent[0][1] if sent else min(set(world.people) - set(world.connections))
                person = world.person(pid)
            event = _connect(state, account_id, person)
        elif kind == "disconnection":
            event = {"type": "disconnection", "reason": str(text or "LinkedIn session expired")}
            emit(state, account_id, event)
        else:
            raise ValueError(f"type must be one of {', '.join(FILTER_OF)} (got {kind!r})")
        return {"ok": True, "account_id": account_id, "event": event}


def _person(world: World, ref: Any) -> Person | None:
    if ref is None:
        return None
    person = find_person(world, str(ref))
    if person is None or person.id == ME_ID:
        raise ValueError(f"profile_url is not a person of the sandbox world: {ref!r}")
    return person


# -- SSE ----------------------------------------------------------------------------------


class Stream:
    """One open `GET /v2/webhooks/{id}/stream`: sends the events after `cursor` (an event seq)
    as they are recorded, with keepalives, until the client leaves, the webhook goes, or
    `state.drop_streams` / `state.close` ends it."""

    def __init__(self, state: SandboxState, hook: Webhook, cursor: int):
        self.state = state
        self.webhook_id = hook.webhook_id
        self.account_id = hook.account_id
        self.cursor = cursor
        self.closing = False
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    @classmethod
    def open(cls, state: SandboxState, webhook_id: str, query: dict[str, str], last_event_id: str | None) -> Stream:
        """A registered stream (call in the event loop), or ApiError: 404, or 400 for a custom
        webhook or a bad resume point (`Last-Event-ID` header, else `since`: event id or ISO)."""
        _no_unknown(query, ("api_key", "since"), "query parameter(s)")
        with state.lock:
            hook = _hosted(_hook(state.world, webhook_id))
            resume = last_event_id or query.get("since")
            stream = cls(state, hook, _resume_point(hook, resume) if resume else state.event_seq)
            state.streams.add(stream)
        return stream

    def wake(self, closing: bool = False) -> None:  # from any thread
        self.closing = self.closing or closing
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self._loop.call_soon_threadsafe(self._event.set)

    async def run(self, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await _chunk(send, _frame("connected", {"webhook_id": self.webhook_id, "account_id": self.account_id}))
            while not self.closing:
                self._event.clear()
                items, alive = self._pending()
                for item in items:
                    await _chunk(send, _frame("webhook", item.view, item.view["event_id"]))
                    self.cursor = item.seq
                if not alive:
                    break
                waiter = asyncio.ensure_future(self._event.wait())
                done, _ = await asyncio.wait(
                    {gone, waiter}, timeout=self.state.config.keepalive_s, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                if gone in done:
                    return
                if not done:
                    await _chunk(send, b": keepalive\n\n")
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()
            with self.state.lock:
                self.state.streams.discard(self)

    def _pending(self) -> tuple[list[WebhookItem], bool]:
        """Items after the cursor; False once the webhook is deleted or no longer hosted."""
        with self.state.lock:
            hook = self.state.world.webhooks.get(self.webhook_id)
            if hook is None or hook.url is not None:
                return [], False
            return [i for i in hook.items if i.seq > self.cursor], True


def _resume_point(hook: Webhook, resume: str) -> int:
    match = re.fullmatch(r"evt_(\d+)", resume.strip())
    if match:
        return int(match.group(1))
    since_us = parse_time(resume, "since (an event id or ISO-8601 date-time)")
    return max((i.seq for i in hook.items if i.created_us <= since_us), default=0)


def _frame(event: str, data: Any, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def _chunk(send: Any, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _disconnected(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
