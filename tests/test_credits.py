"""Credit estimates per rule, the cost lines agents read, and the process meter."""

from __future__ import annotations

from typing import Any

import pytest

from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter, cost_line, estimate

CASES = [
    ("profiles_get", {"profile_url": "u"}, 1),
    ("profiles_search_people", {}, 1),  # default total_results 10
    ("profiles_search_people", {"total_results": 25}, 3),
    ("profiles_search_people", {"total_results": 10}, 1),
    ("profiles_search_people", {"total_results": 11}, 2),
    ("profiles_search_people", {"start_page": 2, "end_page": 4}, 15),  # 3 pages of 50 (the V1 search page)
    ("profiles_search_people", {"start_page": 1, "end_page": 1}, 5),  # one page: 50 results
    ("profiles_search_people", {"start_page": 1, "end_page": 5, "total_results": 12}, 2),
    ("network_list_connections", {"count": 100}, 2),  # 1 per 50
    ("network_list_connections", {"count": 50}, 1),
    ("network_list_sent", {"count": 51}, 2),
    ("messages_send", {"profile_url": "u", "message_text": "hi"}, 1),
    ("messages_send", {"profile_url": "u", "message_text": "hi", "media_link": "https://x/a.png"}, 2),
    (
        "messages_send",
        {"profile_url": "u", "message_text": "hi", "media_file": {"data": "AA==", "filename": "a.png"}},
        2,
    ),
    ("accounts_list", {}, 0),
    ("credits_get", {}, 0),
]


@pytest.mark.parametrize(("tool", "args", "expected"), CASES)
def test_estimate(catalog: Catalog, tool: str, args: dict[str, Any], expected: int) -> None:
    spec = catalog.tools[tool].action.spec
    assert estimate(spec, args) == expected


def test_cost_lines(catalog: Catalog) -> None:
    def line(tool: str) -> str:
        return cost_line(catalog.tools[tool].action.spec.credits)

    assert line("profiles_get") == "Cost: 1 credit per call."
    assert line("profiles_search_people") == "Cost: 1 credit per 10 results (total_results, default 10), rounded up."
    assert line("network_list_connections").startswith("Cost: 1 credit per 50 results (count, default 10), rounded up")
    assert line("messages_send") == "Cost: 1 credit per call; +1 with media_link, media_file or media_path."
    assert line("credits_get").startswith("Cost: free")


def test_meter_reserves_and_settles() -> None:
    meter = CreditMeter(max_credits=10)
    first = meter.reserve(6)
    assert first is not None and meter.remaining() == 4
    assert meter.reserve(5) is None  # the reserved 6 counts against the budget
    meter.settle(first, charged=2)  # the API charged less than estimated
    assert (meter.spent, meter.reserved, meter.remaining()) == (2, 0, 8)
    unlimited = CreditMeter()
    assert unlimited.remaining() is None and unlimited.reserve(10_000) is not None
