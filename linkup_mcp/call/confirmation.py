"""Asking the human before a call (LINKUP_CONFIRM): the answer, and how a call waits for it.

The server supplies a `Confirm` per call (MCP elicitation, see mcp/server.py); the confirm step asks
it once the call has passed every other gate, and sends nothing unless the answer is accept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Literal

log = logging.getLogger(__name__)

Answer = Literal["accept", "decline", "cancel", "unavailable"]
Confirm = Callable[[str], Awaitable[Answer]]


class InputRequired(Exception):
    """Raised by a `Confirm` when the answer must come in a later call: at the 2026-07-28
    protocol the server cannot ask the client mid-call, so the call ends (nothing sent) with an
    input request, and the client calls again with the user's answer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


async def ask(confirm: Confirm | None, text: str) -> Answer:
    if confirm is None:
        return "unavailable"
    try:
        return await confirm(text)
    except InputRequired:
        raise
    except Exception as exc:  # the client could not be asked (e.g. a transport without a back-channel)
        log.warning("could not ask for confirmation: %s", type(exc).__name__)
        return "unavailable"


class AnswerStates:
    """`request_state` of a 2026-07-28 confirmation: the human's answer, carried by the client's
    next call, counts once, within `ttl_s`, and only for the exact call it answered (tool, every
    argument, runtime, prompt text: the `binding`). A MAC with a per-process key, so nothing is
    stored but the nonces already used."""

    def __init__(self, ttl_s: float = 600.0, clock: Callable[[], float] = time.time):
        self._key = secrets.token_bytes(32)
        self._ttl_s = ttl_s
        self._clock = clock
        self._used: dict[str, float] = {}  # nonce -> its expiry

    def issue(self, binding: bytes) -> str:
        nonce, expires = secrets.token_urlsafe(12), int(self._clock() + self._ttl_s)
        return f"{nonce}.{expires}.{self._mac(nonce, expires, binding)}"

    def redeem(self, state: str | None, binding: bytes) -> bool:
        """True once for a state issued for this binding and not expired; False otherwise."""
        nonce, _, rest = (state or "").partition(".")
        expires_text, _, mac = rest.partition(".")
        if not nonce or not expires_text.isdigit() or nonce in self._used:
            return False
        expires, now = int(expires_text), self._clock()
        if expires < now or not hmac.compare_digest(mac, self._mac(nonce, expires, binding)):
            return False
        self._used = {n: e for n, e in self._used.items() if e >= now}
        self._used[nonce] = expires
        return True

    def _mac(self, nonce: str, expires: int, binding: bytes) -> str:
        return hmac.new(self._key, f"{nonce}.{expires}.".encode() + binding, hashlib.sha256).hexdigest()
