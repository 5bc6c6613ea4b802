"""Sandbox settings: one small dataclass, shared by the app, the state and the server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxConfig:
    """How the simulated LinkupAPI V2 behaves.

    seed: the world (people, companies, inbox, posts, jobs) is generated from it, so two
        sandboxes with the same seed hold the same data.
    api_key: the only key accepted in `x-api-key` (API and admin routes).
    account_id: the connected, active LinkedIn account (`acc_inactive` also exists, inactive).
    initial_credits: the balance after start and after every reset.
    rate_limit_per_minute: requests per 60 s sliding window per key; 0 disables the limit.
    latency: seconds added before every API answer (admin routes are not delayed).
    timeout_fault_seconds: how long the `timeout` fault waits before answering.
    event_delay_s: how long after an invitation / a message the simulated person accepts /
        replies (webhook events; see `webhooks.py`).
    accept_every: every Nth invitation sent (counting from the first, since start or reset) is
        accepted: 2 = the 1st, 3rd, 5th...; 1 = all; 0 = none.
    reply_every: every Nth message sent gets a reply (1 = all; 0 = none).
    keepalive_s: seconds between `: keepalive` comments on a webhook SSE stream.
    event_retention_s: how long hosted webhooks keep their events (the API keeps 24 h).
    """

    seed: int = 42
    api_key: str = "sandboxkey"  # no 8-character piece of it occurs in the sandbox's data (redact.FRAGMENT)
    account_id: str = "acc_sandbox"
    initial_credits: int = 1000
    rate_limit_per_minute: int = 300
    latency: float = 0.0
    timeout_fault_seconds: float = 30.0
    event_delay_s: float = 5.0
    accept_every: int = 2
    reply_every: int = 1
    keepalive_s: float = 30.0
    event_retention_s: float = 86_400.0


INACTIVE_ACCOUNT_ID = "acc_inactive"
