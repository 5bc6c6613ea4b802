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
    """

    seed: int = 42
    api_key: str = "sandbox-key"
    account_id: str = "acc_sandbox"
    initial_credits: int = 1000
    rate_limit_per_minute: int = 300
    latency: float = 0.0
    timeout_fault_seconds: float = 30.0


INACTIVE_ACCOUNT_ID = "acc_inactive"
