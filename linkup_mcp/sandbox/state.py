"""The sandbox's mutable state: the world, the credit balance, the request log, the fault
queue, the rate limiter, the scheduler and the open webhook streams. One lock guards it all:
the app (uvicorn's thread), the scheduler's thread and tests (the main thread, through
`SandboxServer.state`) all use it.

The scheduler runs `schedule(delay_s, fn)` callbacks (simulated people accepting invitations,
replying...) in a daemon thread started on first use, under the lock; `reset` drops pending
ones and `close` stops it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from linkup_mcp.sandbox.config import INACTIVE_ACCOUNT_ID, SandboxConfig
from linkup_mcp.sandbox.data import T0_MS, World, generate_world
from linkup_mcp.sandbox.faults import DRIFT, NEVER_PERFORMED, Fault, parse_fault

WINDOW_S = 60.0
log = logging.getLogger("linkup_mcp.sandbox")


class Listener(Protocol):
    """An open webhook stream: woken on each new event, or told to close."""

    def wake(self, closing: bool = False) -> None: ...


@dataclass
class FaultRule:
    """A queued fault: applies to the next `times` requests matching `action` (any when None)."""

    id: int
    fault: str
    action: str | None = None  # an action name, a tool name (messages_send) or a path (/v2/messages)
    times: int = 1
    when: str = "before"

    def matches(self, *, action: str | None, path: str, tool: str | None) -> bool:
        return self.action is None or self.action in {action, path, tool, path.rstrip("/")}


@dataclass
class RequestRecord:
    id: int
    timestamp: str
    method: str
    path: str
    action: str | None = None
    account_id: str | None = None
    params: Any = None
    status: int | None = None  # None: no answer was sent (drop, client gone)
    credits_consumed: int = 0
    error_code: str | None = None
    fault: str | None = None
    duration_ms: int = 0


@dataclass
class Account:
    account_id: str
    name: str
    status: str
    is_active: bool
    profile_url: str
    created_at: str
    platform: str = "linkedin"
    country: str = "FR"
    status_reason: str | None = None

    def view(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SandboxState:
    config: SandboxConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    world: World = field(init=False)
    balance: int = field(init=False)
    used: int = field(init=False)
    rate_limit_per_minute: int = field(init=False)
    accounts: dict[str, Account] = field(init=False)
    checkpoints: dict[str, str] = field(init=False)  # account_id -> pending challenge_type (login.py)
    requests: list[RequestRecord] = field(init=False)
    faults: list[FaultRule] = field(init=False)
    _hits: dict[str, deque[float]] = field(init=False)
    _next_id: int = field(init=False)
    # webhooks: open streams, event counters (never reset: ids stay unique), simulation counters
    streams: set[Listener] = field(default_factory=set)
    event_seq: int = 0
    last_event_us: int = 0
    invites_sent: int = field(init=False)
    messages_sent: int = field(init=False)
    closed: bool = False
    _tasks: list[tuple[float, int, Callable[[], None]]] = field(default_factory=list)
    _task_ids: itertools.count[int] = field(default_factory=itertools.count)
    _wakeup: threading.Condition = field(init=False)
    _scheduler: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._wakeup = threading.Condition(self.lock)
        self.reset()

    # -- life cycle ---------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded world and the initial balance; log, faults and limiter cleared."""
        with self.lock:
            self.world = generate_world(self.config.seed)
            self.balance = self.config.initial_credits
            self.used = 0
            self.rate_limit_per_minute = self.config.rate_limit_per_minute
            me = self.world.me
            self.accounts = {
                self.config.account_id: Account(
                    self.config.account_id, me.full_name, "connected", True, me.profile_url, "2026-01-12T08:30:00Z"
                ),
                INACTIVE_ACCOUNT_ID: Account(
                    INACTIVE_ACCOUNT_ID,
                    "Jordan Lee",
                    "disconnected",
                    False,
                    "https://www.linkedin.com/in/jordan-lee-sandbox",
                    "2025-09-03T14:05:00Z",
                    status_reason="LinkedIn session expired; re-login via POST /v2/login",
                ),
            }
            self.checkpoints = {}
            self.requests = []
            self.faults = []
            self._hits = {}
            self._next_id = 1
            self.invites_sent = self.messages_sent = 0
            self._tasks = []
            self.drop_streams()

    def close(self) -> None:
        """Stop the scheduler and end every open stream (the server is going away)."""
        with self.lock:
            self.closed = True
            self._tasks = []
            self.drop_streams()
            self._wakeup.notify_all()

    # -- scheduler and streams ------------------------------------------------------------

    def schedule(self, delay_s: float, fn: Callable[[], None]) -> None:
        """Run `fn` (under the lock) in `delay_s` seconds, unless reset or closed before."""
        with self.lock:
            if self.closed:
                return
            heapq.heappush(self._tasks, (time.monotonic() + delay_s, next(self._task_ids), fn))
            if self._scheduler is None:
                self._scheduler = threading.Thread(target=self._run_tasks, name="linkup-sandbox-events", daemon=True)
                self._scheduler.start()
            self._wakeup.notify_all()

    def _run_tasks(self) -> None:
        with self.lock:
            while not self.closed:
                now = time.monotonic()
                if self._tasks and self._tasks[0][0] <= now:
                    fn = heapq.heappop(self._tasks)[2]
                    try:
                        fn()
                    except Exception:  # one broken callback must not stop the simulation
                        log.exception("sandbox: scheduled event failed")
                    continue
                self._wakeup.wait(self._tasks[0][0] - now if self._tasks else None)

    def notify_streams(self) -> None:
        with self.lock:
            for stream in list(self.streams):
                stream.wake()

    def drop_streams(self) -> int:
        """End every open stream (clients see the stream close and reconnect)."""
        with self.lock:
            streams, self.streams = self.streams, set()
        for stream in streams:
            stream.wake(closing=True)
        return len(streams)

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- credits ------------------------------------------------------------------------

    def set_balance(self, balance: int) -> None:
        with self.lock:
            self.balance = balance

    def debit(self, credits: int) -> None:
        with self.lock:
            self.balance -= credits
            self.used += credits

    def refund(self, credits: int) -> None:
        with self.lock:
            self.balance += credits
            self.used -= credits

    # -- rate limit ---------------------------------------------------------------------

    def rate_check(self, key: str) -> int | None:
        """Count one request for `key`; None if allowed, else the Retry-After seconds."""
        limit = self.rate_limit_per_minute
        if limit <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= WINDOW_S:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(WINDOW_S - (now - hits[0])))
            hits.append(now)
            return None

    # -- faults -------------------------------------------------------------------------

    def add_fault(self, fault: str, action: str | None = None, times: int = 1, when: str = "before") -> FaultRule:
        if when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        kind = parse_fault(fault).kind  # ValueError on an unknown fault
        if kind in NEVER_PERFORMED:
            when = "before"  # a rate-limited request is never performed, whatever was asked
        elif kind in DRIFT:
            when = "after"  # drift changes a performed answer
        if times < 1:
            raise ValueError("times must be >= 1")
        with self.lock:
            rule = FaultRule(self._id(), fault, action, times, when)
            self.faults.append(rule)
            return rule

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = []

    def take_fault(self, *, when: str, action: str | None, path: str, tool: str | None) -> Fault | None:
        """The first queued fault for this request and moment, consumed once."""
        with self.lock:
            for rule in self.faults:
                if rule.when == when and rule.matches(action=action, path=path, tool=tool):
                    rule.times -= 1
                    if rule.times <= 0:
                        self.faults.remove(rule)
                    return parse_fault(rule.fault, when)
        return None

    # -- log ----------------------------------------------------------------------------

    def new_record(self, method: str, path: str) -> RequestRecord:
        from datetime import datetime, timezone

        with self.lock:
            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            record = RequestRecord(self._id(), stamp, method, path)
            self.requests.append(record)
            return record

    def request_log(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(r) for r in self.requests]

    # -- summary ------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        with self.lock:
            w = self.world
            invitations = list(w.invitations.values())
            return {
                "seed": w.seed,
                "account_id": self.config.account_id,
                "credits_remaining": self.balance,
                "credits_used": self.used,
                "rate_limit_per_minute": self.rate_limit_per_minute,
                "people": len(w.people),
                "companies": len(w.companies),
                "connections": len(w.connections),
                "invitations_received": sum(1 for i in invitations if i.direction == "received"),
                "invitations_sent": sum(1 for i in invitations if i.direction == "sent"),
                "conversations": len(w.conversations),
                "messages": sum(len(c.messages) for c in w.conversations.values()),
                "messages_sent_since_start": sum(
                    1 for c in w.conversations.values() for m in c.messages if m.sender_id == 0 and m.timestamp > T0_MS
                ),
                "posts": len(w.posts),
                "viewers": len(w.viewers),
                "visits": len(w.visits),
                "jobs": {j.job_id: j.status for j in w.jobs.values()},
                "webhooks": len(w.webhooks),
                "webhook_streams_open": len(self.streams),
                "events_scheduled": len(self._tasks),
                "faults_queued": [asdict(f) for f in self.faults],
                "requests_logged": len(self.requests),
            }
