"""Verify LinkupAPI's signed webhook deliveries (custom mode with enable_signature).

Headers: `X-Linkup-Timestamp: <unix seconds>` and `X-Linkup-Signature: v1=<hex>`, where hex is
HMAC-SHA256(secret, "<timestamp>.<raw body>"). Verify against the raw bytes as received (not
re-serialised JSON), in constant time, and reject stale timestamps (replays).

    from linkup_mcp.api.webhook_signature import verify
    verify(secret, request.headers, await request.body())   # raises SignatureError when invalid
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TOLERANCE_S = 300


class SignatureError(ValueError):
    """Why a delivery must be rejected (reply 401 and do not process it)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Linkup-Signature` value for a body: `v1=<hex>`."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, *, tolerance_s: int = TOLERANCE_S, now: float | None = None
) -> None:
    lower = {k.lower(): v for k, v in headers.items()}
    timestamp, signature = lower.get("x-linkup-timestamp"), lower.get("x-linkup-signature")
    if not timestamp or not signature:
        raise SignatureError("missing X-Linkup-Timestamp or X-Linkup-Signature header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError(f"X-Linkup-Timestamp is not unix seconds: {timestamp!r}") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        raise SignatureError(f"timestamp {sent_at} is more than {tolerance_s} s from now: possible replay")
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, part.strip()) for part in signature.split(",")):
        raise SignatureError("signature does not match the body (wrong secret, or the body was altered)")
