"""`webhooks_wait`: block (up to a bound) until a hosted webhook has new events, so an agent can
"send, then wait for the reply" in one call. Polls `webhooks_events` (free) with `since`, so no
event is returned twice when the agent passes `next_since` back."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio

from linkup_mcp.call.heartbeat import Progress

Poll = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]  # runs webhooks_events, returns its envelope


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
    `timed_out`) at the deadline, or its error."""
    started = clock()
    deadline = started + int(args.get("timeout_s", 30))
    since = args.get("since") or utc_now_iso()
    polls = 0
    while True:
        envelope = await poll({"webhook_id": args["webhook_id"], "since": since})
        polls += 1
        if not envelope["ok"]:
            return envelope
        data = envelope["data"] if isinstance(envelope["data"], dict) else {}
        items = data.get("items") or []
        since = data.get("next_since") or since
        waited = round(clock() - started, 1)
        if items or clock() >= deadline:
            envelope["data"] = {"items": items, "next_since": since, "waited_s": waited, "timed_out": not items}
            return envelope
        if progress is not None:
            await progress(waited, float(deadline - started), f"webhooks_wait: no event yet after {waited:.0f} s")
        await anyio.sleep(min(interval_s, max(0.0, deadline - clock())))
