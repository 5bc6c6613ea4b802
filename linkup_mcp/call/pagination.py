"""`next`: the exact arguments for the next page, read from the API's answer — and the results of
this page the agent already has, dropped, so that following `next` never skips or repeats.

- offset / cursor: the API's `next_offset` / `next_cursor`.
- pages (`start_page`/`end_page`): the next window starts at the page holding the first result
  not returned yet; when that page was returned in part, `skip` (a control argument) says how
  many of its results to drop. The page size is the answer's `pagination.results_per_page`, else
  the spec's documented one. A window can only start at a page's first result, so reading on from
  the middle of a page asks for (and pays for) that page's first results again: `pages_request`
  plans auto-paging's windows so that this happens only where it cannot be avoided.
- since (an event feed such as webhooks_events, which sends no cursor): `since` moves to the
  newest event's `created_at` (1 ms earlier, so an API that means "after" or "at or after" both
  lose nothing), and `seen` (a control argument) lists the events at that boundary already
  handed out. A feed always has a `next`: call it again later for newer events.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

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


def page_size(pagination: Pagination, data: Any = None) -> int:
    """Results per API page: the answer's `pagination.results_per_page`, else the spec's."""
    reported = _get(data, "pagination", "results_per_page")
    return reported if isinstance(reported, int) and reported > 0 else pagination.page_size or 10


def _next_pages(pagination: Pagination, args: dict[str, Any], data: Any) -> dict[str, Any] | None:
    size = page_size(pagination, data)
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


def _position(args: dict[str, Any], size: int) -> int:
    """Index of the first result the call at `args` has not returned yet (pages style)."""
    return (int(args.get("start_page", 1)) - 1) * size + max(0, int(args.get(SKIP) or 0))


def pages_step(pagination: Pagination, args: dict[str, Any], default: int) -> int:
    """New results the agent's own call asks for (its window or count, less `skip`): auto-paging's
    page size. `default` is the count param's default."""
    size, count = page_size(pagination), pagination.count
    if "start_page" in args:
        start = int(args["start_page"])
        window = max(1, int(args.get("end_page", start)) - start + 1) * size
        if count and count in args:
            window = min(window, int(args[count]))
        end = (start - 1) * size + window
    else:
        end = int(args.get(count, default)) if count else size
    return max(1, end - _position(args, size))


class NextRequest(NamedTuple):
    """Auto-paging's next request."""

    args: dict[str, Any]  # what to send (`skip` set when it re-reads)
    reread: int  # results at a window's start already returned: asked for, and paid for, again


def pages_request(
    pagination: Pagination, args: dict[str, Any], size: int, step: int, most: int | None, grow: int | None
) -> NextRequest | None:
    """The next window from where `args` stands, for auto-paging: at least `step` new results, and
    on to the end of the API page they reach, so the next window starts at a page's first result
    and pays for nothing twice; but no more results (re-read ones included) than `most` (what the
    credits left buy), and grown past `step` only up to `grow` (what the budgets allow one call).
    None when `most` buys no new result. Only a start in the middle of a page (a `next` with
    `skip`, or a short page the API says is not the last) re-reads: the API has no other way in."""
    at = _position(args, size)
    base = at - at % size  # the window starts at the first result of the page holding `at`
    reread = at - base
    own = reread + step
    aligned = -(-(at + step) // size) * size - base
    total = max(own, aligned if grow is None else min(aligned, grow))
    count = pagination.count
    if count is None:  # a page cannot be cut: whole pages
        total = -(-total // size) * size
        if most is not None and total > most:
            total = most - most % size
    elif most is not None:
        total = min(total, most)
    if total <= reread:
        return None
    pages = -(-total // size)
    request = {k: v for k, v in args.items() if k not in ("start_page", "end_page", SKIP, count)}
    if at == 0 and "start_page" not in args and count:
        request[count] = total  # the agent's own shape: the first results
    else:
        request["start_page"], request["end_page"] = base // size + 1, base // size + pages
        if count and (total < pages * size or size != pagination.page_size):  # cut it, or size it as estimated
            request[count] = total
    if reread:
        request[SKIP] = reread
    return NextRequest(request, reread)


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
