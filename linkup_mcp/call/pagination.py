"""`next`: the exact arguments for the next page, read from the API's answer — and the results of
this page the agent already has, dropped, so that following `next` never skips or repeats.

- offset / cursor: the API's `next_offset` / `next_cursor`.
- pages (`start_page`/`end_page`): the next window starts at the page holding the first result
  not returned yet; when that page was returned in part, `skip` (a control argument) says how
  many of its results to drop. The page size is the answer's `pagination.results_per_page`, else
  the spec's documented one.
- since (an event feed such as webhooks_events, which sends no cursor): `since` moves to the
  newest event's `created_at` (1 ms earlier, so an API that means "after" or "at or after" both
  lose nothing), and `seen` (a control argument) lists the events at that boundary already
  handed out. A feed always has a `next`: call it again later for newer events.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from linkup_mcp.spec.models import Pagination, PaginationStyle

SKIP = "skip"  # pages: results at the start of the window already returned
SEEN = "seen"  # since: ids of events at the boundary already returned
EPSILON = timedelta(milliseconds=1)


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def advance(pagination: Pagination, args: dict[str, Any], data: Any) -> tuple[Any, dict[str, Any] | None]:
    """(this page without what the agent already has, the arguments of the next page or None)."""
    style = pagination.style
    if style is PaginationStyle.offset:
        nxt = _get(data, "pagination", "next_offset")
        more = _get(data, "pagination", "has_more")
        return data, None if nxt is None or more is False else {**args, "offset": nxt}
    if style is PaginationStyle.cursor:
        cursor = _get(data, "next_cursor") or _get(data, "pagination", "next_cursor")
        done = not cursor or _get(data, "pagination", "has_more") is False
        return data, None if done else {**args, "cursor": cursor}
    if style is PaginationStyle.pages:
        return _drop(data, pagination.items, args.get(SKIP)), _next_pages(pagination, args, data)
    if style is PaginationStyle.since:
        return _since(pagination, args, data)
    return data, None


def has_more(pagination: Pagination, args: dict[str, Any], data: Any, next_args: dict[str, Any] | None) -> bool:
    """Whether another call would return more now, from the answer as it came (before `advance`):
    `next` is set; for a feed (always a `next`), this page was full."""
    if pagination.style is not PaginationStyle.since:
        return next_args is not None
    raw = _get(data, pagination.items or "")
    return isinstance(raw, list) and len(raw) >= int(args.get("limit", 50))


def _drop(data: Any, key: str | None, first: Any) -> Any:
    items = _get(data, key or "")
    if not isinstance(items, list) or not isinstance(first, int) or first <= 0:
        return data
    return {**data, key: items[first:]}


def _next_pages(pagination: Pagination, args: dict[str, Any], data: Any) -> dict[str, Any] | None:
    reported = _get(data, "pagination", "results_per_page")
    size = reported if isinstance(reported, int) and reported > 0 else pagination.page_size or 10
    items = _get(data, pagination.items or "")
    returned = len(items) if isinstance(items, list) else 0
    count = pagination.count  # the param asking for a number of results (total_results)
    if "start_page" in args:
        start = int(args["start_page"])
        width = max(0, int(args.get("end_page", start)) - start)
        position = (start - 1) * size + returned  # index of the first result not returned yet
    else:
        asked = int(args.get(count, size)) if count else size
        position = returned
        width = max(0, -(-asked // size) - 1)
    more = _get(data, "pagination", "has_more")
    if more is None:
        more = _get(data, "pagination", "has_next_page")
    if more is None:
        available = _get(data, "total_available_results")
        more = isinstance(available, int) and available > position
    if not more or returned == 0:
        return None
    first = position // size + 1
    nxt = {k: v for k, v in args.items() if k not in (count, SKIP)}
    nxt["start_page"], nxt["end_page"] = first, first + width
    if position % size:
        nxt[SKIP] = position % size
    return nxt


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _since(pagination: Pagination, args: dict[str, Any], data: Any) -> tuple[Any, dict[str, Any]]:
    key = pagination.items or "items"
    raw = _get(data, key)
    raw = [i for i in raw if isinstance(i, dict)] if isinstance(raw, list) else []
    seen = set(args.get(SEEN) or ())
    fresh = [i for i in raw if i.get("event_id") not in seen]
    kept = {**data, key: fresh} if isinstance(data, dict) and key in data else data
    if not raw:
        return kept, dict(args)
    boundary, before = raw[-1].get("created_at"), args.get("since")
    moment, previous = _time(boundary), _time(before)
    if moment is None:  # not an ISO time: continue from the text itself
        since: str | None = boundary if isinstance(boundary, str) else before
        at = [i.get("event_id") for i in raw if i.get("created_at") == boundary]
    else:
        start = moment - EPSILON if previous is None else max(moment - EPSILON, previous)
        since = before if previous is not None and start == previous else _iso(start)
        at = [i.get("event_id") for i in raw if (_time(i.get("created_at")) or moment) >= start]
        if start == previous:
            at = [*seen, *at]
    nxt = {k: v for k, v in args.items() if k not in ("since", SEEN)}
    if since:
        nxt["since"] = since
    ids = [i for i in dict.fromkeys(at) if isinstance(i, str)]
    if ids:
        nxt[SEEN] = ids
    return kept, nxt
