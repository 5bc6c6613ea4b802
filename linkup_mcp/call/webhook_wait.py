"""`webhooks_wait`: block (up to a bound) until a hosted webhook has new events, so an agent can
"send, then wait for the reply" in one call. Polls `webhooks_events` (free), which sends no
cursor: each poll continues from the previous answer's `next` (the newest event's time and the
ids already handed out, see call/pagination.py), so no event comes back twice — within one wait,
and across waits when the agent passes the answer's `next` back."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio

from linkup_mcp.call.heartbeat import Progress

Poll = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]  # runs webhooks_events, returns its envelope
CONTINUE = ("since", "seen")  # what a wait's `next` carries over from the polls


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def wait_for_events(
    poll: Poll,
    args: dict[str, Any],
    *,
    interval_s: float = 2.0,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """The last `webhooks_events` envelope: with items as soon as some arrive, or empty (with
    `timed_out`) at the deadline, or its error. Its `next` is this tool's next call."""
    started = clock()
    deadline = started + int(args.get("timeout_s", 30))
    at: dict[str, Any] = {k: args[k] for k in CONTINUE if args.get(k)}
    at.setdefault("since", utc_now_iso())  # by default, only what happens from now on
    while True:
        envelope = await poll({"webhook_id": args["webhook_id"], **at})
        if not envelope["ok"]:
            return envelope
        data = envelope["data"] if isinstance(envelope["data"], dict) else {}
        items = data.get("items") or []
        following = envelope.get("next") or {}
        at = {k: following[k] for k in CONTINUE if following.get(k)} or at
        waited = round(clock() - started, 1)
        if items or clock() >= deadline:
            envelope["data"] = {"items": items, "waited_s": waited, "timed_out": not items}
            envelope["next"] = {k: v for k, v in args.items() if k not in CONTINUE} | at
            envelope.pop("has_more", None)
            return envelope
        if progress is not None:
            await progress(waited, float(deadline - started), f"webhooks_wait: no event yet after {waited:.0f} s")
        await anyio.sleep(min(interval_s, max(0.0, deadline - clock())))
