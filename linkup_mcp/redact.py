"""Keep secrets out of results and logs: replace every known secret value with `***`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

MASK = "***"


class Redactor:
    def __init__(self, secrets: Iterable[str | None]):
        # Short values would mask innocent text; real keys are long.
        given = [s for s in secrets if s and len(s) >= 6]
        # ... and as they appear percent-encoded in a logged URL (the SSE stream's api_key).
        self.secrets = list(dict.fromkeys([*given, *(quote(s, safe="") for s in given)]))
        # A secret JSON escapes (quotes, backslashes, controls) is not found verbatim in JSON text.
        self._plain = all(json.dumps(s, ensure_ascii=False)[1:-1] == s for s in self.secrets)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def found_in(self, text: str) -> bool:
        return any(s in text for s in self.secrets)

    def scrub(self, obj: Any) -> Any:
        """`obj` unchanged unless a secret occurs in it (checked once on its JSON form), else a
        copy with every string masked (a replace in the JSON text could break its syntax)."""
        if not self.secrets:
            return obj
        if self._plain and not self.found_in(json.dumps(obj, ensure_ascii=False, default=str)):
            return obj
        return self._mask(obj)

    def _mask(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {self._mask(k): self._mask(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self._mask(v) for v in obj]
        return obj


class RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.text(record.getMessage())
        record.args = None
        return True


def setup_logging(level: str, secrets: Iterable[str | None]) -> None:
    """Log to stderr only (stdout is the MCP protocol), with secrets masked."""
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
