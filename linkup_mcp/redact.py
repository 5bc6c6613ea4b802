"""Keep secrets out of results and logs, in any form and wherever a message is cut.

A secret (the API key, a client's key, the bearer token, a credential argument) is masked as
`***` whole or as any fragment of `FRAGMENT` or more characters, as it is or as it appears
JSON-escaped (once or twice: JSON inside a JSON string), in a Python repr, or percent-encoded
(`quote`, `quote_plus`, upper or lower case hex). An error message that quotes a cut body, or a
body that echoes the key with its `"` and `\\` escaped, therefore shows at most 7 characters of it.

Masking works on decoded strings (`scrub` walks a JSON value), so it never breaks JSON syntax;
`found_in` checks serialised text for every form at once.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
FRAGMENT = 8  # the longest piece of a secret that may show is FRAGMENT - 1 characters
MIN_SECRET = 6  # shorter values would mask innocent text; real keys are long


def forms(secret: str) -> list[str]:
    """How `secret` may appear in text: raw; escaped by JSON or a repr, once or twice over (an
    error quoting a JSON body, JSON text inside a JSON string); percent-encoded."""
    escapes = (
        lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
        lambda v: json.dumps(v)[1:-1],  # \uXXXX escapes
        lambda v: repr(v)[1:-1],
    )
    found = [secret]
    for _ in range(2):
        found += [escape(v) for v in found for escape in escapes]
    encoded = [quote(secret, safe=""), quote(secret), quote_plus(secret)]
    found += encoded + [re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in encoded]
    return list(dict.fromkeys(found))


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()):
        self._of: dict[str, frozenset[str]] = {}  # each secret: the pieces that must not show
        self._holds: dict[str, int] = {}  # how many times each secret was added
        self._pieces: dict[str, int] = {}  # FRAGMENT-long windows of every form, or whole short forms
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    @property
    def secrets(self) -> list[str]:
        return list(self._of)

    def add(self, secret: str | None) -> None:
        """Mask `secret` too from now on (a client key seen for the first time)."""
        if not secret or len(secret) < MIN_SECRET:
            return
        with self._lock:
            if secret in self._of:
                self._holds[secret] += 1
                return
        pieces = set()
        for form in forms(secret):
            if len(form) < FRAGMENT:
                pieces.add(form)
            else:
                pieces.update(form[i : i + FRAGMENT] for i in range(len(form) - FRAGMENT + 1))
        with self._lock:
            if secret in self._of:  # added meanwhile by another thread
                self._holds[secret] += 1
                return
            self._of[secret], self._holds[secret] = frozenset(pieces), 1
            pieces_now = dict(self._pieces)
            for piece in pieces:
                pieces_now[piece] = pieces_now.get(piece, 0) + 1
            self._pieces = pieces_now  # replaced whole: a reader iterating the old one is not disturbed

    def remove(self, secret: str | None) -> None:
        """Undo one `add` of `secret`; once every one is undone it is no longer masked (a client
        key whose runtime closed: the log's redactor stays as small as the keys open)."""
        with self._lock:
            if not secret or secret not in self._of:
                return
            self._holds[secret] -= 1
            if self._holds[secret]:
                return
            del self._holds[secret]
            pieces = self._of.pop(secret)
            pieces_now = dict(self._pieces)
            for piece in pieces:
                left = pieces_now[piece] - 1
                if left:
                    pieces_now[piece] = left
                else:
                    del pieces_now[piece]
            self._pieces = pieces_now

    def found_in(self, text: str) -> bool:
        return any(piece in text for piece in self._pieces)

    def text(self, value: str) -> str:
        """`value` with every run of characters covered by a secret's fragment replaced by `***`."""
        spans: list[tuple[int, int]] = []
        for piece in self._pieces:
            start = value.find(piece)
            while start != -1:
                spans.append((start, start + len(piece)))
                start = value.find(piece, start + 1)
        if not spans:
            return value
        spans.sort()
        out, at, (start, end) = [], 0, spans[0]
        for s, e in spans[1:]:
            if s <= end:
                end = max(end, e)
                continue
            out += [value[at:start], MASK]
            at, start, end = end, s, e
        out += [value[at:start], MASK, value[end:]]
        return "".join(out)

    def scrub(self, obj: Any) -> Any:
        """`obj` unchanged unless a secret occurs in it (checked once on its JSON form), else a
        copy with every string masked (a replace in the JSON text could break its syntax)."""
        if not self._pieces:
            return obj
        if not self.found_in(json.dumps(obj, ensure_ascii=False, default=str)):
            return obj
        return self._mask(obj)

    def json_text(self, text: str) -> str:
        """JSON `text` with secrets masked inside its strings (so its syntax holds); plain text
        when it is not JSON."""
        if not self.found_in(text):
            return text
        try:
            value = json.loads(text)
        except ValueError:
            return self.text(text)
        return json.dumps(self.mask(value), ensure_ascii=False, separators=(",", ":"), default=str)

    def mask(self, obj: Any) -> Any:
        """A copy of `obj` with every string masked (no check first)."""
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
    """Masks a record's message (for handlers that format it themselves)."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.text(record.getMessage())
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks the whole formatted record: message, exception traceback and stack included."""

    def __init__(self, redactor: Redactor, fmt: str | None = None):
        super().__init__(fmt)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.text(super().format(record))


def log_redactor() -> Redactor | None:
    """The redactor of the stderr log set up by `setup_logging` (to add client keys to)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            return handler.formatter.redactor
    return None


def setup_logging(level: str, secrets: Iterable[str | None]) -> None:
    """Log to stderr only (stdout is the MCP protocol), with secrets masked — uncaught exceptions
    (of the main thread and of worker threads) included."""
    redactor = Redactor(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(redactor, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())

    def uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        logging.getLogger("linkup_mcp").critical("uncaught exception", exc_info=(kind, exc, tb))

    def uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            logging.getLogger("linkup_mcp").error(
                "uncaught exception in a thread", exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
            )

    sys.excepthook = uncaught
    threading.excepthook = uncaught_in_thread
