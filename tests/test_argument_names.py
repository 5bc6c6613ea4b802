"""An unknown argument is refused with the argument meant: the spec's misnames (advice), the
names agents give a result count (the tool's count param), else the closest valid names."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from linkup_mcp.call.validation import COUNT_MISNAMES, misnames, problems
from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.models import ActionSpec
from tests.test_specs import PAGED

pytestmark = pytest.mark.anyio

JANE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": JANE, "message_text": "Hi Jane"}
REPLY = (
    "messages_send takes the recipient's profile_url, not a conversation: to reply in a conversation, pass the "
    "other participant's profile_url (participant.profile_url in messages_list_inbox), and the message joins "
    "your existing conversation with them."
)


async def refused(harness: Any, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    h = harness()
    result = await h.call(tool, args)
    assert h.requests == [] and result["error"]["code"] == "VALIDATION_ERROR", result
    error: dict[str, Any] = result["error"]
    return error


@pytest.mark.parametrize("name", ["limit", "max_results", "count", "page_size", "num_results"])
async def test_a_result_count_by_another_name_points_to_the_count_param(harness: Any, name: str) -> None:
    error = await refused(harness, "profiles_search_people", {"keyword": "cto", name: 5})
    said = "unknown field; did you mean total_results? It sets how many results come back (and what they cost)."
    assert error["fields"] == [{"field": name, "problem": said}]
    assert error["message"] == f"Invalid arguments: {name}: {said}"


async def test_the_count_param_comes_from_the_credit_rule_too(harness: Any) -> None:
    """messages_list_inbox pages by cursor: its count is the per-result credit's param."""
    error = await refused(harness, "messages_list_inbox", {"limit": 5})
    assert error["fields"][0]["problem"].startswith("unknown field; did you mean count? ")


async def test_a_conversation_id_on_messages_send_says_how_to_reply(harness: Any) -> None:
    error = await refused(harness, "messages_send", {**SEND, "conversation_id": "2-abc"})
    assert error["fields"] == [{"field": "conversation_id", "problem": "unknown field; " + REPLY}]
    assert error["message"] == "Invalid arguments: conversation_id: unknown field; " + REPLY


async def test_a_typo_names_the_argument_meant(harness: Any) -> None:
    error = await refused(harness, "messages_send", {"profil_url": JANE, "message_text": "Hi"})
    assert {"field": "profil_url", "problem": "unknown field; did you mean profile_url?"} in error["fields"]
    assert error["message"].endswith("profil_url: unknown field; did you mean profile_url?")


async def test_a_name_like_nothing_lists_every_valid_name(harness: Any, catalog: Catalog) -> None:
    error = await refused(harness, "messages_send", {**SEND, "zzz": 1})
    allowed = ", ".join(catalog.tools["messages_send"].checked_schema["properties"])
    assert error["fields"] == [{"field": "zzz", "problem": f"unknown field; allowed fields: {allowed}"}]
    assert error["message"].endswith(".")


def test_misnames_are_for_top_level_arguments() -> None:
    """Inside an object argument, a misname of the tool's arguments is just an unknown key."""
    schema = {
        "type": "object",
        "properties": {
            "total_results": {"type": "integer"},
            "media": {"type": "object", "additionalProperties": False},
        },
        "additionalProperties": False,
    }
    hints = {"limit": "did you mean total_results?"}
    found = problems(schema, {"limit": 1, "media": {"limit": 1}}, hints)
    assert found == [
        {"field": "limit", "problem": "unknown field; did you mean total_results?"},
        {"field": "media.limit", "problem": "unknown field; allowed fields: "},
    ]


def test_every_misname_of_every_action_is_unknown_to_it(catalog: Catalog) -> None:
    for tool in catalog.tools.values():
        props = tool.checked_schema.get("properties", {})
        found = misnames(tool.action.spec)
        assert not set(found) & set(props), tool.name
        assert all(advice.endswith((".", "?")) for advice in found.values()), tool.name
    send = catalog.tools["messages_send"].action.spec
    assert misnames(send) == {"conversation_id": REPLY}  # no count: no count advice
    assert set(misnames(catalog.tools["content_search"].action.spec)) >= set(COUNT_MISNAMES)


@pytest.mark.parametrize(
    ("misnamed", "expected"),
    [
        ({"total_results": "Use total_results, of course."}, "misnames ['total_results'] are params"),
        ({"limit": "no"}, "misnames need a sentence of advice each"),
    ],
)
def test_the_spec_model_checks_misnames(misnamed: dict[str, str], expected: str) -> None:
    ActionSpec.model_validate({**PAGED, "misnames": {"limit": "Ask for total_results instead."}})
    with pytest.raises(ValidationError, match=re.escape(expected)):
        ActionSpec.model_validate({**PAGED, "misnames": misnamed})


@pytest.mark.anyio
async def test_credits_estimate_judges_arguments_as_the_real_call_does(harness: Any) -> None:
    h = harness()
    misnamed = await h.call("credits_estimate", {"tool": "profiles_search_people", "arguments": {"limit": 20}})
    problem = misnamed["error"]["fields"][0]
    assert problem["field"] == "limit" and "did you mean total_results?" in problem["problem"]
    bad_path = await h.call(
        "credits_estimate", {"tool": "profiles_search_people", "arguments": {"fields": ["results.headlin"]}}
    )
    assert bad_path["error"]["code"] == "VALIDATION_ERROR" and bad_path["error"]["fields"][0]["field"] == "fields"
    assert h.requests == []
