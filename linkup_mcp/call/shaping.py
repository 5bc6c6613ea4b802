"""The data as the agent gets it: `fields` keeps only the parts asked for, and epoch-millisecond
times gain their ISO 8601 form beside them.

`fields` paths are dotted; a list along the way applies the rest of the path to each item, so
`results.profile_url` keeps the profile URL of every result. Where the action's answer is
documented, a path it cannot have is refused before the paid call (`unknown_paths`, with the
valid ones); where it is assumed, any path goes through (the real API may have it), and paths
that match nothing are reported, so a typo does not silently return an empty result.

A field the response spec marks `epoch_ms` gets a sibling `<field>_iso` ("2026-12-07T10:00:00Z",
UTC): agents misread raw epoch integers. It is added after the drift check has compared the
API's own answer with the docs, so it is never reported as drift, and `fields` can select it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from linkup_mcp.call.result_size import size_of
from linkup_mcp.errors import did_you_mean
from linkup_mcp.spec.response import ISO_SUFFIX, is_epoch_ms, paths

_LEAF: dict[str, Any] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _parts(path: Any) -> list[str]:
    """A path as `fields` reads it: dotted, empty parts ignored (`.a..b.` is `a.b`)."""
    return [p for p in str(path).split(".") if p]


def _tree(paths: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = _parts(path)
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


def shape(data: Any, paths: list[str], known: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """(the kept data, a report: paths kept, unmatched paths, bytes before and after). `known`: the
    paths of an assumed answer, listed in the report when a path matched nothing."""
    hits: set[str] = set()
    kept = _apply(data, _tree(paths), "", hits)
    unmatched = [p for p in paths if ".".join(_parts(p)) not in hits]
    report: dict[str, Any] = {
        "fields": paths,
        "unmatched": unmatched,
        "bytes_before": size_of(data),
        "bytes_after": size_of(kept),
    }
    if unmatched and known:
        report["known"] = known
    return kept, report


def unknown_paths(asked: list[str], response: Any) -> dict[str, str] | None:
    """`{"field": "fields", "problem": ...}` naming the asked paths an answer of the documented
    shape `response` cannot have, a close match and the valid paths; None when all can exist."""
    known, below = paths(response)
    if "" in below:  # the whole answer is undocumented inside
        return None
    valid = set(known)
    bad = []
    for path in asked:
        name = ".".join(_parts(path))
        if name not in valid and not any(name.startswith(f"{b}.") for b in below):
            bad.append(name)
    if not bad:
        return None
    # the closest one only: paths share their parents, which makes many look close
    said = [f"{b!r}" + (f" ({hint})" if (hint := did_you_mean(b, known, n=1)) else "") for b in bad]
    listed = ", ".join(known) + (f"; any path below {', '.join(below)}" if below else "")
    return {"field": "fields", "problem": f"no such data path {', '.join(said)}; valid paths: {listed}"}


def iso_time(ms: Any) -> str | None:
    """Epoch milliseconds as ISO 8601 UTC: seconds, or milliseconds when there are some. None for
    anything else (a drifted value is passed on as it is, and reported as drift)."""
    if isinstance(ms, bool) or not isinstance(ms, int):
        return None
    try:
        moment = _EPOCH + timedelta(milliseconds=ms)  # exact: no float on the way
    except OverflowError:
        return None
    text = moment.isoformat(timespec="seconds" if ms % 1000 == 0 else "milliseconds")
    return text.replace("+00:00", "Z")


def with_iso_times(response: Any, data: Any) -> Any:
    """`data` with `<field>_iso` after each field that `response` marks epoch_ms (and holds an
    integer or null); unchanged where it has none, or already has the sibling."""
    if isinstance(response, list) and response and isinstance(data, list):
        return [with_iso_times(response[0], item) for item in data]
    if not isinstance(response, dict) or not isinstance(data, dict):
        return data
    subs = {raw.rstrip("?"): sub for raw, sub in response.items()}
    out: dict[str, Any] = {}
    for key, value in data.items():
        sub = subs.get(key)
        out[key] = with_iso_times(sub, value) if isinstance(sub, (dict, list)) else value
        sibling = key + ISO_SUFFIX
        if is_epoch_ms(sub) and sibling not in data and (value is None or iso_time(value) is not None):
            out[sibling] = iso_time(value)
    return out


def has_epoch_ms(response: Any) -> bool:
    """Whether `response` marks any field epoch_ms (most do not: their data is left as it is)."""
    if isinstance(response, list):
        return any(has_epoch_ms(sub) for sub in response)
    if isinstance(response, dict):
        return any(has_epoch_ms(sub) for sub in response.values())
    return is_epoch_ms(response)
