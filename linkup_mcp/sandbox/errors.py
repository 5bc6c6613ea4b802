"""The API's error codes with their HTTP statuses, and the exception handlers raise.

ApiError(code, message[, status])   answered as {"success": false, "error": {code, message}}
  INVALID_API_KEY 403 · INVALID_ACCOUNT 404 · ACCOUNT_INACTIVE 403 · INVALID_ACTION 400
  INVALID_PARAMS 400 · INSUFFICIENT_CREDITS 402 · RATE_LIMITED 429 · CHANNEL_ERROR 502/400
  INTERNAL_ERROR 500 · NOT_FOUND 404 / METHOD_NOT_ALLOWED 405 (unknown routes; sandbox only)
"""

from __future__ import annotations

STATUS: dict[str, int] = {
    "INVALID_API_KEY": 403,
    "INVALID_ACCOUNT": 404,
    "ACCOUNT_INACTIVE": 403,
    "INVALID_ACTION": 400,
    "INVALID_PARAMS": 400,
    "INSUFFICIENT_CREDITS": 402,
    "RATE_LIMITED": 429,
    "CHANNEL_ERROR": 502,
    "INTERNAL_ERROR": 500,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
}


class ApiError(Exception):
    """An error answer: code, message and HTTP status (the code's usual one unless given)."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS.get(code, 400)


def channel_error(message: str, *, definite: bool = False) -> ApiError:
    """LinkedIn failed (502) or refused for good (400, nothing happened: e.g. already connected)."""
    return ApiError("CHANNEL_ERROR", f"LinkedIn: {message}", 400 if definite else 502)
