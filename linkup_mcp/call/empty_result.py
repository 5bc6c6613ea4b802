"""An empty search explains itself, with no second paid call: the envelope's `empty` names the
filters the search was given, as given, and what to widen, from the action's spec (`widen`:
filter -> one sentence of advice). Agents otherwise retry blind, paying a page per guess."""

from __future__ import annotations

from typing import Any

from linkup_mcp.spec.models import ActionSpec

EMPTY_VALUES: tuple[Any, ...] = (None, "", [])  # a filter given empty filters nothing


def explain(spec: ActionSpec, args: dict[str, Any], data: Any) -> dict[str, Any] | None:
    """`{"filters": {...}, "advice": "..."}` when this first page of a search came back with no
    item and filters were given; None otherwise (a later page, or matches the page missed)."""
    items = spec.pagination.items
    if not spec.widen or items is None or not isinstance(data, dict) or data.get(items) != []:
        return None
    available = data.get("total_available_results")
    if _later_page(args) or (isinstance(available, int) and available > 0):
        return None  # the filters matched: this page is past them
    given = {name: args[name] for name in spec.widen if args.get(name) not in EMPTY_VALUES}
    if not given:
        return None
    return {"filters": given, "advice": " ".join(spec.widen[name] for name in given)}


def _later_page(args: dict[str, Any]) -> bool:
    """A page after the first (any paging style): its emptiness says nothing of the filters."""
    start, offset = args.get("start_page"), args.get("offset")
    return (
        bool(args.get("skip") or args.get("cursor"))
        or (isinstance(start, int) and start > 1)
        or (isinstance(offset, int) and offset > 0)
    )
