"""`next`: the exact arguments for the next page, read from the API's pagination fields."""

from __future__ import annotations

from typing import Any

from linkup_mcp.spec.models import Pagination, PaginationStyle


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def next_arguments(pagination: Pagination, args: dict[str, Any], data: Any) -> dict[str, Any] | None:
    """The caller's arguments moved one page on, or None when the API says there is no more."""
    style = pagination.style
    if style is PaginationStyle.offset:
        nxt = _get(data, "pagination", "next_offset")
        more = _get(data, "pagination", "has_more")
        if nxt is None or more is False:
            return None
        return {**args, "offset": nxt}
    if style is PaginationStyle.cursor:
        cursor = _get(data, "next_cursor") or _get(data, "pagination", "next_cursor")
        if not cursor or _get(data, "pagination", "has_more") is False:
            return None
        return {**args, "cursor": cursor}
    if style is PaginationStyle.pages:
        return _next_pages(pagination, args, data)
    return None


def _next_pages(pagination: Pagination, args: dict[str, Any], data: Any) -> dict[str, Any] | None:
    size = pagination.page_size or 10
    count = pagination.count  # the param asking for a number of results (the spec's pagination.count)
    asked = args.get(count) if count else None
    if "start_page" in args:
        start = int(args["start_page"])
        end = int(args.get("end_page", start))
        seen = end * size
        if asked is not None:
            seen = min(seen, (start - 1) * size + int(asked))
    else:
        wanted = int(asked) if asked is not None else size  # the API returns one page by default
        start, end, seen = 1, max(1, -(-wanted // size)), wanted
    more = _get(data, "pagination", "has_more")
    if more is None:
        available = _get(data, "total_available_results")
        more = isinstance(available, int) and available > seen
    if not more:
        return None
    # Resume at the page holding the first result not yet returned: when the count cut a page
    # short, that page comes again (a few repeats rather than lost results).
    first = seen // size + 1
    nxt = {k: v for k, v in args.items() if k != count}
    nxt["start_page"], nxt["end_page"] = first, first + (end - start)
    return nxt
