"""`next` for each pagination style, and what a page drops: following `next` never skips or
repeats a result, whatever the page size the API uses."""

from __future__ import annotations

from typing import Any

import pytest

from linkup_mcp.call.pagination import NextRequest, advance, has_more, pages_request, pages_step
from linkup_mcp.spec.models import Pagination, PaginationStyle

OFFSET = Pagination(style=PaginationStyle.offset)
CURSOR = Pagination(style=PaginationStyle.cursor)
PAGES = Pagination(style=PaginationStyle.pages, page_size=10, items="results", count="total_results")
# the count param is the spec's (pagination.count), not a name the code knows
PAGES_LIMIT = Pagination(style=PaginationStyle.pages, page_size=10, items="results", count="limit")
PAGES_NO_COUNT = Pagination(style=PaginationStyle.pages, page_size=10, items="results")
FEED = Pagination(style=PaginationStyle.since, items="items")
# LinkupAPI's searches: 50 results a page, total_results cuts a window (tool_specs/profiles.yaml)
SEARCH = Pagination(style=PaginationStyle.pages, page_size=50, items="results", count="total_results")


def results(n: int, **more: Any) -> dict[str, Any]:
    return {"results": [{"i": i} for i in range(n)], **more}


CASES: list[tuple[Pagination, dict[str, Any], Any, Any]] = [
    (OFFSET, {"count": 10}, {"pagination": {"next_offset": 10, "has_more": True}}, {"count": 10, "offset": 10}),
    (OFFSET, {"count": 10}, {"pagination": {"next_offset": None, "has_more": False}}, None),
    (OFFSET, {}, {"pagination": {"next_offset": 50, "has_more": False}}, None),
    (CURSOR, {"count": 5}, {"next_cursor": "abc"}, {"count": 5, "cursor": "abc"}),
    (CURSOR, {"cursor": "abc"}, {"next_cursor": None}, None),
    (CURSOR, {}, {"pagination": {"next_cursor": "p2", "has_more": True}}, {"cursor": "p2"}),
    (CURSOR, {}, {"pagination": {"next_cursor": "p2", "has_more": False}}, None),
    # pages: an explicit window moves on by its own span
    (
        PAGES,
        {"start_page": 1, "end_page": 2, "keyword": "x"},
        results(20, pagination={"has_more": True}),
        {"start_page": 3, "end_page": 4, "keyword": "x"},
    ),
    (
        PAGES,
        {"start_page": 3, "end_page": 3},
        results(10, total_available_results=31),
        {"start_page": 4, "end_page": 4},
    ),
    (PAGES, {"start_page": 3, "end_page": 3}, results(10, total_available_results=30), None),
    (PAGES, {"start_page": 3, "end_page": 3}, results(0, total_available_results=80), None),  # no progress
    # total_results 25 returned results 1-25: page 3 holds 21-30, of which 5 were returned
    (
        PAGES,
        {"total_results": 25},
        results(25, total_available_results=100),
        {"start_page": 3, "end_page": 5, "skip": 5},
    ),
    (PAGES, {"total_results": 20}, results(20, total_available_results=100), {"start_page": 3, "end_page": 4}),
    (PAGES, {}, results(8, total_available_results=8), None),
    (PAGES_LIMIT, {"limit": 25}, results(25, total_available_results=100), {"start_page": 3, "end_page": 5, "skip": 5}),
    (
        PAGES_LIMIT,
        {"other": 25},
        results(10, total_available_results=100),
        {"other": 25, "start_page": 2, "end_page": 2},
    ),
    (PAGES_NO_COUNT, {}, results(10, total_available_results=100), {"start_page": 2, "end_page": 2}),
    # the answer's own page size wins over the spec's: 10 of a 50-result page, then the rest of it
    (
        PAGES,
        {"total_results": 10},
        results(10, total_available_results=100, pagination={"results_per_page": 50}),
        {"start_page": 1, "end_page": 1, "skip": 10},
    ),
    (Pagination(), {"x": 1}, {"pagination": {"has_more": True}}, None),
]


@pytest.mark.parametrize(("pagination", "args", "data", "expected"), CASES)
def test_next_arguments(pagination: Pagination, args: dict[str, Any], data: Any, expected: Any) -> None:
    assert advance(pagination, args, data)[1] == expected


def test_following_next_through_a_list_returns_each_result_once() -> None:
    """A simulated API with 50-result pages; the agent asks for 10, then follows `next`."""
    everything = list(range(137))

    def api(args: dict[str, Any]) -> dict[str, Any]:
        if "start_page" in args:
            page = everything[(args["start_page"] - 1) * 50 : args["end_page"] * 50]
        else:
            page = everything[: args.get("total_results", 10)]
        return {"results": page, "total_available_results": len(everything), "pagination": {"results_per_page": 50}}

    seen: list[int] = []
    args: dict[str, Any] | None = {"keyword": "x", "total_results": 10}
    while args is not None:
        data, args = advance(PAGES, args, api(args))
        seen += data["results"]
    assert seen == everything


def test_a_page_resuming_mid_page_drops_what_was_already_returned() -> None:
    data, nxt = advance(PAGES, {"start_page": 1, "end_page": 1, "skip": 3}, results(10, total_available_results=10))
    assert [r["i"] for r in data["results"]] == list(range(3, 10)) and nxt is None


def event(n: int, at: str) -> dict[str, Any]:
    return {"event_id": f"e{n}", "event": {}, "created_at": at}


def test_an_event_feed_continues_after_the_newest_event_without_repeating_it() -> None:
    page = {"items": [event(1, "2026-01-01T10:00:00.000Z"), event(2, "2026-01-01T10:00:05.000Z")]}
    data, nxt = advance(FEED, {"webhook_id": "w"}, page)
    assert data == page  # nothing seen before
    assert nxt == {"webhook_id": "w", "since": "2026-01-01T10:00:04.999000Z", "seen": ["e2"]}
    # the API may answer "at or after": e2 comes back, and is dropped
    later = {"items": [event(2, "2026-01-01T10:00:05.000Z"), event(3, "2026-01-01T10:00:05.000Z")]}
    data, nxt = advance(FEED, nxt, later)
    assert data["items"] == [event(3, "2026-01-01T10:00:05.000Z")]
    assert nxt == {"webhook_id": "w", "since": "2026-01-01T10:00:04.999000Z", "seen": ["e2", "e3"]}


def test_an_empty_feed_page_keeps_where_it_was() -> None:
    args = {"webhook_id": "w", "since": "2026-01-01T10:00:04.999000Z", "seen": ["e2"]}
    data, nxt = advance(FEED, args, {"items": []})
    assert data == {"items": []} and nxt == args
    assert has_more(FEED, args, {"items": []}, nxt) is False
    assert has_more(FEED, {"limit": 2}, {"items": [event(1, "x"), event(2, "y")]}, nxt) is True


def test_an_event_feed_with_times_it_cannot_read_continues_from_the_text() -> None:
    _, nxt = advance(FEED, {}, {"items": [event(1, "yesterday"), event(2, "today")]})
    assert nxt == {"since": "today", "seen": ["e2"]}


@pytest.mark.parametrize(
    ("args", "step"),
    [
        ({"keyword": "x"}, 10),  # the count's default
        ({"total_results": 120}, 120),
        ({"start_page": 2, "end_page": 3}, 100),
        ({"start_page": 3, "end_page": 3, "total_results": 30}, 30),
        ({"start_page": 1, "end_page": 1, "skip": 20}, 30),  # a `next` that resumes mid-page: the rest of it
        ({"start_page": 1, "end_page": 1, "total_results": 10, "skip": 10}, 1),  # asks nothing new: one
    ],
)
def test_the_agents_page_size_is_the_new_results_its_call_asks_for(args: dict[str, Any], step: int) -> None:
    assert pages_step(SEARCH, args, 10) == step


R = "total_results"
MID = {"start_page": 3, "end_page": 3, "skip": 20}  # a `next` that resumes mid-page
PLANS: list[tuple[dict[str, Any], int, int, int | None, int | None, NextRequest | None]] = [
    # (args, size, step, most, grow, planned): 10 asked, the window goes on to the end of page 1
    ({"keyword": "x"}, 50, 10, None, None, NextRequest({"keyword": "x", R: 50}, 0)),
    ({"keyword": "x"}, 50, 10, 20, None, NextRequest({"keyword": "x", R: 20}, 0)),  # the credits left buy 20
    ({"keyword": "x"}, 50, 10, None, 20, NextRequest({"keyword": "x", R: 20}, 0)),  # a budget allows 20 a call
    ({"keyword": "x"}, 50, 10, None, 5, NextRequest({"keyword": "x", R: 10}, 0)),  # never below the ask
    ({R: 120}, 50, 120, None, None, NextRequest({R: 150}, 0)),
    ({"start_page": 2, "end_page": 2}, 50, 50, None, None, NextRequest({"start_page": 2, "end_page": 2}, 0)),
    # mid-page (a `next` with skip): the window must start at the page's first result: 20 re-read
    (MID, 50, 10, None, None, NextRequest(MID, 20)),  # on to the end of page 3
    (MID, 50, 10, 30, None, NextRequest({**MID, R: 30}, 20)),  # 30 buy 10 new ones
    (MID, 50, 10, 20, None, None),  # 20 buy only what it has
    ({"start_page": 2, "end_page": 2, "skip": 10}, 50, 60, None, None,
     NextRequest({"start_page": 2, "end_page": 3, "skip": 10}, 10)),
    # the answer said 25 a page: total_results sizes the window as the estimate reads it
    ({"start_page": 2, "end_page": 2}, 25, 25, None, None, NextRequest({"start_page": 2, "end_page": 2, R: 25}, 0)),
]  # fmt: skip


@pytest.mark.parametrize(("args", "size", "step", "most", "grow", "planned"), PLANS)
def test_a_search_window_starts_at_a_page_and_ends_at_one_unless_the_credits_end_first(
    args: dict[str, Any], size: int, step: int, most: int | None, grow: int | None, planned: NextRequest | None
) -> None:
    assert pages_request(SEARCH, args, size, step, most, grow) == planned


def test_a_window_that_cannot_be_cut_takes_whole_pages() -> None:
    assert pages_request(PAGES_NO_COUNT, {}, 10, 5, 25, None) == NextRequest({"start_page": 1, "end_page": 1}, 0)
    assert pages_request(PAGES_NO_COUNT, {}, 10, 15, 25, None) == NextRequest({"start_page": 1, "end_page": 2}, 0)
    assert pages_request(PAGES_NO_COUNT, {}, 10, 5, 5, None) is None  # half a page is not for sale


@pytest.mark.parametrize("step", [1, 10, 30, 50, 70, 120])
def test_planned_windows_read_each_result_once_and_pay_for_none_twice(step: int) -> None:
    """A simulated search of 137 results (1 credit per 10 returned, pages of 50): whatever the
    agent's page size, the windows return every result once and re-read nothing."""
    everything = list(range(137))
    sent: list[dict[str, Any]] = []

    def api(args: dict[str, Any]) -> dict[str, Any]:
        sent.append({k: v for k, v in args.items() if k != "skip"})
        if "start_page" in args:
            window = everything[(args["start_page"] - 1) * 50 : args["end_page"] * 50]
            page = window[: args[R]] if R in args else window
        else:
            page = everything[: args.get(R, 10)]
        return {"results": page, "total_available_results": len(everything)}

    seen: list[int] = []
    returned = rereads = 0
    args: dict[str, Any] | None = {"keyword": "x", R: step}
    while args is not None:
        planned = pages_request(SEARCH, args, 50, step, None, None)
        assert planned is not None
        answer = api(planned.args)
        returned += len(answer["results"])
        rereads += planned.reread
        data, args = advance(SEARCH, planned.args, answer)
        seen += data["results"]
    assert seen == everything and rereads == 0 and returned == len(everything)
    assert all(s.get("start_page", 1) == i * -(-step // 50) + 1 for i, s in enumerate(sent))
