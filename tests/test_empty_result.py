"""An empty search explains itself in the envelope's `empty` (the filters given, as given, and what
to widen, from the spec's `widen`), with no second paid call; nothing else carries it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import ValidationError

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.call.empty_result import explain
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.spec.envelope import text_form
from linkup_mcp.spec.models import ActionSpec

TITLE = "title: LinkedIn matches the current job title as the person words it; try a shorter title, or its words in keyword."
INDUSTRY = (
    "industry: the person's own industry as LinkedIn lists it, not their company's; to find people by company "
    "industry, find the companies with profiles_search_companies, then pass their company_url."
)
NONE_FOUND = {"results": [], "total_results": 0, "total_available_results": 0}


def spec_of(catalog: Catalog, tool: str) -> ActionSpec:
    return catalog.tools[tool].action.spec


def test_an_empty_search_names_the_filters_given_and_what_to_widen(catalog: Catalog) -> None:
    people = spec_of(catalog, "profiles_search_people")
    args = {
        "industry": ["Banking"],
        "title": "Chief Happiness Officer",
        "location": [],  # given empty: filters nothing, so not named
        "total_results": 10,
        "fields": ["results.headline"],
        "max_credits": 3,
        "account_id": "acc_1",
    }
    assert explain(people, args, NONE_FOUND) == {
        "filters": {"title": "Chief Happiness Officer", "industry": ["Banking"]},  # as given, in the spec's order
        "advice": f"{TITLE} {INDUSTRY}",
    }
    companies = spec_of(catalog, "profiles_search_companies")
    none = {"companies": [], "total_results": 0, "total_available_results": 0}
    assert explain(companies, {"company_size": ["11-50"], "total_results": 10}, none) == {
        "filters": {"company_size": ["11-50"]},
        "advice": "company_size: add the neighbouring employee bands.",
    }
    posts = spec_of(catalog, "content_search")
    assert explain(posts, {"keyword": "zzz", "sort_by": "date_posted"}, {"posts": []}) == {
        "filters": {"keyword": "zzz"},  # sort_by orders, it does not filter
        "advice": "keyword: try fewer or broader words.",
    }


def test_only_an_empty_first_page_with_filters_explains_itself(catalog: Catalog) -> None:
    people = spec_of(catalog, "profiles_search_people")
    found = {"results": [{"public_id": "x"}], "total_results": 1, "total_available_results": 1}
    assert explain(people, {"title": "CTO"}, found) is None
    assert explain(people, {"total_results": 10}, NONE_FOUND) is None  # no filter: nothing to widen
    assert explain(people, {"title": "CTO", "start_page": 3, "end_page": 3}, NONE_FOUND) is None  # past the end
    assert explain(people, {"title": "CTO", "skip": 20}, NONE_FOUND) is None
    past = {"results": [], "total_results": 0, "total_available_results": 120}  # matches, not on this page
    assert explain(people, {"title": "CTO"}, past) is None
    assert explain(people, {"title": "CTO"}, None) is None
    # a list that is not a search says nothing: no `widen` in its spec
    connections = spec_of(catalog, "network_list_connections")
    assert explain(connections, {"count": 10}, {"connections": []}) is None


def test_widen_is_for_a_search_s_filters(catalog: Catalog) -> None:
    people = spec_of(catalog, "profiles_search_people").model_dump()
    for widen, problem in [
        ({"titel": "titel: a sentence of advice."}, "widen names unknown params ['titel']"),
        ({"start_page": "start_page: a sentence of advice."}, "widen names paging params ['start_page']"),
        ({"title": "shorter"}, "widen needs a sentence of advice for ['title']"),
    ]:
        with pytest.raises(ValidationError, match=problem.replace("[", r"\[")):
            ActionSpec.model_validate({**people, "widen": widen})
    get = spec_of(catalog, "profiles_get").model_dump()
    with pytest.raises(ValidationError, match="widen is for searches"):
        ActionSpec.model_validate({**get, "widen": {"profile_url": "profile_url: a sentence of advice."}})


@pytest.fixture
async def sandboxed(catalog: Catalog) -> AsyncIterator[Runtime]:
    with SandboxServer() as sandbox:
        client = LinkupClient(base_url=sandbox.base_url, api_key=sandbox.config.api_key)
        yield Runtime(catalog, client=client, meter=CreditMeter(), default_account=sandbox.config.account_id)
        await client.aclose()


@pytest.mark.anyio
async def test_an_empty_sandbox_search_says_why_in_its_envelope(sandboxed: Runtime) -> None:
    args: dict[str, Any] = {"title": "Chief Happiness Officer", "industry": ["Banking"], "total_results": 10}
    result = await sandboxed.call("profiles_search_people", args)
    assert result["ok"] and result["data"]["results"] == []
    expected = {
        "filters": {"title": "Chief Happiness Officer", "industry": ["Banking"]},
        "advice": f"{TITLE} {INDUSTRY}",
    }
    assert result["empty"] == expected
    assert text_form(result)["empty"] == expected  # in what the model reads too
    found = await sandboxed.call("profiles_search_people", {"keyword": "a", "total_results": 10})
    assert found["data"]["results"] and "empty" not in found
