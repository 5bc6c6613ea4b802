"""`fields`: keep only the parts of a result the agent asked for.

Paths are dotted; a list along the way applies the rest of the path to each item, so
`results.profile_url` keeps the profile URL of every result. Paths that match nothing are
reported, so a typo does not silently return an empty result.
"""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.result_size import size_of

_LEAF: dict[str, Any] = {}


def _tree(paths: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = [p for p in str(path).split(".") if p]
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                node[part] = _LEAF  # the whole value; a shorter path wins over a longer one
            elif node.get(part) is not _LEAF:
                node = node.setdefault(part, {})
            else:
                break
    return tree


def _apply(value: Any, tree: dict[str, Any], prefix: str, hits: set[str]) -> Any:
    if tree is _LEAF:
        hits.add(prefix)
        return value
    if isinstance(value, list):
        return [_apply(item, tree, prefix, hits) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _apply(value[key], sub, f"{prefix}.{key}" if prefix else key, hits)
        for key, sub in tree.items()
        if key in value
    }


def shape(data: Any, paths: list[str]) -> tuple[Any, dict[str, Any]]:
    """(the kept data, a report: paths kept, unmatched paths, bytes before and after)."""
    hits: set[str] = set()
    kept = _apply(data, _tree(paths), "", hits)
    unmatched = [p for p in paths if str(p).strip(".") not in hits]
    report = {
        "fields": paths,
        "unmatched": unmatched,
        "bytes_before": size_of(data),
        "bytes_after": size_of(kept),
    }
    return kept, report
