"""Rows left PENDING by a process that died mid-call (kill -9, a crash, a power cut).

The gate writes a PENDING row before a request may leave and the call's end replaces it; a row
still PENDING whose process is gone will never be finished. Its request may or may not have
reached LinkupAPI, so the ledger settles it as OUTCOME_UNKNOWN counted at its estimate: an
identical outreach stays refused as a possible duplicate (with how to verify it), and budgets
keep counting what it may have cost. Nothing is ever sent again automatically.

A row is in flight when this process admitted it and has not finished it (`admitted` /
`finished`), or when its process still runs (another pid on this machine) and it is younger
than STALE_PENDING_S (a recycled pid cannot keep a dead call in flight for longer).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable

from linkup_mcp.store.records import STALE_PENDING_S

_in_flight: set[tuple[str, int]] = set()  # (ledger location, row id) admitted by this process
_lock = threading.Lock()


def admitted(location: str, row_id: int) -> None:
    with _lock:
        _in_flight.add((location, row_id))


def finished(location: str, row_id: int) -> None:
    with _lock:
        _in_flight.discard((location, row_id))


def dead(location: str, rows: Iterable[tuple[int, int, float]], now: float) -> list[int]:
    """The ids among PENDING `rows` (id, pid, ts) whose call can no longer finish."""
    me = os.getpid()
    found = []
    for row_id, pid, ts in rows:
        if pid == me:
            with _lock:
                alive = (location, row_id) in _in_flight
        else:
            alive = now - ts <= STALE_PENDING_S and _running(pid)
        if not alive:
            found.append(row_id)
    return found


def _running(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there: trust the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return True
    return True
