"""Injected failures, for tests and demos of the client's error handling.

Chosen per request with the header `x-sandbox-fault: <name>` (and `x-sandbox-fault-when:
after`), or queued with `POST /_sandbox/faults {"fault", "action", "times", "when"}`.

  500 | 502 | 503          INTERNAL_ERROR envelope with that status, 0 credits
  429                      RATE_LIMITED with `Retry-After: 1`  (never performed: `when` ignored)
  429-no-retry-after       RATE_LIMITED without Retry-After     (idem)
  slow:<seconds>           wait, then answer normally
  timeout[:<seconds>]      wait (default SandboxConfig.timeout_fault_seconds) or until the client
                           gives up; a client still there gets the normal answer
  drop                     close the connection without any response
  malformed                HTTP 200, Content-Type JSON, body that is not valid JSON
  html                     HTTP 502 text/html error page (as a proxy would send)
  success_false            HTTP 200 with {"success": false, "error": INTERNAL_ERROR}
  truncated                headers announce the full body; half is sent, then the connection closes
  rename-field[:FIELD]     drift: the success answers with data's FIELD (default: its first field)
                           renamed to FIELD_renamed, as if LinkupAPI had changed its response
  extra-credit[:N]         drift: the success charges N (default 1) more credits than the rule

Drift faults act on a performed success (whatever `when` says) and change nothing else; an error
answer passes through untouched. They let tests see the drift check (`linkup-mcp verify`, the
envelope's `drift`) catch an API that changed.

`when`: "before" (default) = nothing was done; "after" = the action ran (state changed) and
then the fault hit the answer. After-faults that answer with an error envelope (500/502/503/
html/success_false) charge nothing, as V2 errors never do; those where the answer is lost or
garbled (drop, timeout, truncated, malformed, slow) keep the charge: the server did the work.
"""

from __future__ import annotations

from dataclasses import dataclass

SIMPLE = frozenset(
    {"500", "502", "503", "429", "429-no-retry-after", "drop", "malformed", "html", "success_false", "truncated"}
)
ERROR_ENVELOPE = frozenset({"500", "502", "503", "html", "success_false"})
NEVER_PERFORMED = frozenset({"429", "429-no-retry-after"})
DRIFT = frozenset({"rename-field", "extra-credit"})
NAMES = [*sorted(SIMPLE), "slow:<seconds>", "timeout", "timeout:<seconds>", "rename-field[:FIELD]", "extra-credit[:N]"]


@dataclass(frozen=True)
class Fault:
    name: str  # as given, e.g. "slow:0.2"
    kind: str  # "500", "slow", "timeout", "drop", ...
    seconds: float | None = None
    when: str = "before"
    arg: str | None = None  # rename-field's field, extra-credit's count

    @property
    def after(self) -> bool:
        return (self.when == "after" or self.kind in DRIFT) and self.kind not in NEVER_PERFORMED

    @property
    def refunds(self) -> bool:
        """An after-fault whose answer is an error: the action happened but is not charged."""
        return self.kind in ERROR_ENVELOPE


def parse_fault(name: str, when: str = "before") -> Fault:
    name = name.strip()
    if name in SIMPLE:
        return Fault(name, name, None, when)
    kind, _, arg = name.partition(":")
    if kind == "extra-credit" and not (arg or "1").isdigit():
        raise ValueError(f"fault {name!r}: extra-credit takes a number of credits, e.g. extra-credit:2")
    if kind in DRIFT:
        return Fault(name, kind, None, "after", arg or None)
    if kind in ("slow", "timeout") and (arg or kind == "timeout"):
        try:
            seconds = float(arg) if arg else None
        except ValueError:
            seconds = -1.0
        if seconds is not None and not 0 <= seconds <= 3600:
            raise ValueError(f"fault {name!r}: seconds must be a number between 0 and 3600")
        return Fault(name, kind, seconds, when)
    raise ValueError(f"unknown sandbox fault {name!r}; known: {', '.join(NAMES)}")
