"""Asking the human before a call (LINKUP_CONFIRM): the answer, and how a call waits for it.

The server supplies a `Confirm` per call (MCP elicitation, see server.py); the dispatcher asks
it once the call has passed every other gate, and sends nothing unless the answer is accept.
"""

from __future__ import annotations

import logging
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
