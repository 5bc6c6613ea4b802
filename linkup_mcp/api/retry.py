"""Retry policy, in one place: which failures are retried, and how long to wait.

Rules (design.md, reliability): a 429 means the request was not performed, so it is retried
for every action, honouring Retry-After. A failure before the request left (connect error,
connect/pool timeout) is retried for every action too. 5xx, read timeouts and broken
connections may come after the API acted, so only read-only actions retry them; a
side-effecting action is sent at most once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
RETRY_AFTER_CAP_S = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    deadline_s: float = 45.0


def should_retry(*, status: int | None, sent: bool, read_only: bool) -> bool:
    if status == 429:
        return True  # not performed: safe for every action
    if status is None and not sent:
        return True  # never left this machine
    if not read_only:
        return False  # may have happened: never send twice
    # read-only: server errors and ambiguous transport failures are worth another try
    return status is None or status >= 500


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter for retry number `attempt` (1-based)."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)
