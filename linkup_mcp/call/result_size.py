"""Keep a result inside LINKUP_MAX_RESULT_BYTES so one call cannot flood the agent's context.

Lists are cut first (biggest first, keeping the longest prefix that fits), then long strings
(a base64 file, a long post). What was cut is reported, so the agent knows to ask for less.
"""

from __future__ import annotations

import copy
import json
from typing import Any

Path = tuple[str | int, ...]


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per call


def size_of(value: Any) -> int:
    text = _COMPACT.encode(value)
    return len(text) if text.isascii() else len(text.encode())  # isascii() is a flag lookup


def fit(data: Any, limit: int) -> tuple[Any, dict[str, Any] | None]:
    """`data` unchanged when it fits, else a cut copy and a report of the cuts."""
    original = size_of(data)
    if original <= limit:
        return data, None
    data = copy.deepcopy(data)
    cuts: list[dict[str, Any]] = []
    for path, items in sorted(_containers(data, list), key=lambda pi: -size_of(pi[1])):
        if size_of(data) <= limit:
            break
        total = len(items)
        kept = _longest_fitting_prefix(data, items, limit)
        if kept < total:
            cuts.append({"path": _dotted(path), "kept_items": kept, "total_items": total})
    for path, text in sorted(_strings(data), key=lambda pt: -len(pt[1])):
        excess = size_of(data) - limit
        if excess <= 0:
            break
        keep = max(0, len(text) - excess - 40)  # 40: room for the marker
        _set(data, path, text[:keep] + f"…[cut {len(text) - keep} chars]")
        cuts.append({"path": _dotted(path), "kept_chars": keep, "total_chars": len(text)})
    report = {
        "limit_bytes": limit,
        "original_bytes": original,
        "cuts": cuts,
        "hint": "The result was cut to fit LINKUP_MAX_RESULT_BYTES. Ask for fewer results "
        "(a lower count or total_results) and page with `next`, or raise the limit.",
    }
    return data, report


def _longest_fitting_prefix(root: Any, items: list[Any], limit: int) -> int:
    """Cut `items` in place to the longest prefix with which `root` fits (binary search)."""
    full = list(items)
    low, high = 0, len(full)
    while low < high:
        mid = (low + high + 1) // 2
        items[:] = full[:mid]
        if size_of(root) <= limit:
            low = mid
        else:
            high = mid - 1
    items[:] = full[:low]
    return low


def _containers(value: Any, kind: type, path: Path = ()) -> list[tuple[Path, Any]]:
    found: list[tuple[Path, Any]] = []
    if isinstance(value, kind):
        found.append((path, value))
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found.extend(_containers(child, kind, (*path, key)))
    return found


def _strings(value: Any, path: Path = ()) -> list[tuple[Path, str]]:
    return [(p, v) for p, v in _containers(value, str, path) if len(v) > 200]


def _set(root: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        root = root[key]
    root[path[-1]] = value


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "(data)"
