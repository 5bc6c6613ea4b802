"""Keep secrets out of results and logs: replace every known secret value with `***`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

MASK = "***"


class Redactor:
    def __init__(self, secrets: Iterable[str | None]):
        # Short values would mask innocent text; real keys are long.
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def found_in(self, text: str) -> bool:
        return any(s in text for s in self.secrets)

    def scrub(self, obj: Any) -> Any:
        """`obj` unchanged unless a secret occurs in it (checked once on its JSON form)."""
        if not self.secrets:
            return obj
        dumped = json.dumps(obj, ensure_ascii=False, default=str)
        if not any(s in dumped for s in self.secrets):
            return obj
        return json.loads(self.text(dumped))


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
