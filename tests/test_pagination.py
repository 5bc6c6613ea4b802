"""`next` arguments for each pagination style."""

from __future__ import annotations

from typing import Any

import pytest

from linkup_mcp.call.pagination import next_arguments
from linkup_mcp.spec.models import Pagination, PaginationStyle

OFFSET = Pagination(style=PaginationStyle.offset)
CURSOR = Pagination(style=PaginationStyle.cursor)
PAGES = Pagination(style=PaginationStyle.pages, page_size=10, count="total_results")
# the count param is the spec's (pagination.count), not a name the code knows
PAGES_LIMIT = Pagination(style=PaginationStyle.pages, page_size=10, count="limit")
PAGES_NO_COUNT = Pagination(style=PaginationStyle.pages, page_size=10)

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
        {"pagination": {"has_more": True}},
        {"start_page": 3, "end_page": 4, "keyword": "x"},
    ),
    (PAGES, {"start_page": 3, "end_page": 3}, {"total_available_results": 31}, {"start_page": 4, "end_page": 4}),
    (PAGES, {"start_page": 3, "end_page": 3}, {"total_available_results": 30}, None),
    # total_results 25 returned results 1-25: resume at page 3 (results 21-30) so nothing is lost
    (PAGES, {"total_results": 25}, {"total_available_results": 100}, {"start_page": 3, "end_page": 5}),
    (PAGES, {"total_results": 20}, {"total_available_results": 100}, {"start_page": 3, "end_page": 4}),
    (PAGES, {}, {"total_available_results": 8}, None),
    (PAGES_LIMIT, {"limit": 25}, {"total_available_results": 100}, {"start_page": 3, "end_page": 5}),
    (PAGES_LIMIT, {"other": 25}, {"total_available_results": 100}, {"other": 25, "start_page": 2, "end_page": 2}),
    (PAGES_NO_COUNT, {}, {"total_available_results": 100}, {"start_page": 2, "end_page": 2}),
    (Pagination(), {"x": 1}, {"pagination": {"has_more": True}}, None),
]


@pytest.mark.parametrize(("pagination", "args", "data", "expected"), CASES)
def test_next_arguments(pagination: Pagination, args: dict[str, Any], data: Any, expected: Any) -> None:
    assert next_arguments(pagination, args, data) == expected
