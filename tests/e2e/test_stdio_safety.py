"""Exposure filters and human confirmation through a real MCP client session over stdio."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from tests.e2e.conftest import mcp_session
from tests.fakeapi import FakeApi

pytestmark = pytest.mark.anyio

SEND = {"profile_url": "https://www.linkedin.com/in/jane-doe", "message_text": "Hello Jane"}


def _env(api: FakeApi, **extra: str) -> dict[str, str]:
    return {"LINKUP_API_KEY": "k-0123456789", "LINKUP_BASE_URL": api.base_url, "LINKUP_ACCOUNT_ID": "acc_1", **extra}


async def test_filters_hide_tools_and_refuse_calls() -> None:
    with FakeApi() as api:
        env = _env(api, LINKUP_TOOLSETS="messages,credits", LINKUP_READ_ONLY="true", LINKUP_EXCLUDE_TOOLS="credits_get")
        async with mcp_session(env) as client:
            names = sorted(t.name for t in (await client.list_tools()).tools)
            assert names == ["credits_estimate", "messages_get_conversation", "messages_list_inbox"]
            with pytest.raises(MCPError) as refused:
                await client.call_tool("messages_send", SEND)
            assert refused.value.code == types.INVALID_PARAMS and "Unknown tool: messages_send" in refused.value.message
            with pytest.raises(MCPError) as misspelt:
                await client.call_tool("messages_list_inbx", {})
            assert misspelt.value.message == (
                "Unknown tool: messages_list_inbx. did you mean messages_list_inbox or messages_get_conversation? "
                "See tools/list."
            )
            listed = await client.call_tool("messages_list_inbox", {})
            assert listed.is_error is False
        assert len(api.requests) == 1 and api.requests[0].body["action"] == "list_inbox"


def _elicitation(answer: str, seen: list[str]) -> Any:
    async def callback(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        seen.append(params.message)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action=answer)  # type: ignore[arg-type]

    return callback


@pytest.mark.parametrize(
    ("answer", "sent", "code"), [("accept", 1, None), ("decline", 0, "DECLINED"), ("cancel", 0, "DECLINED")]
)
async def test_elicitation_confirms_outreach(answer: str, sent: int, code: str | None) -> None:
    seen: list[str] = []
    with FakeApi() as api:
        async with mcp_session(
            _env(api, LINKUP_CONFIRM="outreach"), elicitation_callback=_elicitation(answer, seen)
        ) as client:
            result = await client.call_tool("messages_send", SEND)
            read = await client.call_tool("messages_list_inbox", {})
        assert len(seen) == 1 and SEND["profile_url"] in seen[0] and "Hello Jane" in seen[0]
        assert read.is_error is False
        assert len(api.requests) == sent + 1
        if code is None:
            assert result.is_error is False
        else:
            assert result.structured_content["error"]["code"] == code


async def test_client_without_elicitation_gets_confirmation_unavailable() -> None:
    with FakeApi() as api:
        async with mcp_session(_env(api, LINKUP_CONFIRM="all")) as client:
            result = await client.call_tool("messages_send", SEND)
        assert result.structured_content["error"]["code"] == "CONFIRMATION_UNAVAILABLE"
        assert api.requests == []


@pytest.mark.parametrize(("answer", "sent", "code"), [("accept", 1, None), ("decline", 0, "DECLINED")])
async def test_2026_clients_confirm_through_input_required(answer: str, sent: int, code: str | None) -> None:
    """At 2026-07-28 the server cannot ask mid-call: the call ends with an elicitation input
    request, nothing sent; the client's SDK asks its user and calls again with the answer."""
    seen: list[str] = []
    with FakeApi() as api:
        env = _env(api, LINKUP_CONFIRM="outreach")
        async with mcp_session(env, mode="2026-07-28", elicitation_callback=_elicitation(answer, seen)) as client:
            result = await client.call_tool("messages_send", SEND)
        assert len(seen) == 1 and "Hello Jane" in seen[0]
        assert len(api.requests) == sent
        assert result.structured_content["ok"] is (code is None)
        if code:
            assert result.structured_content["error"]["code"] == code


async def test_2026_answer_counts_only_for_the_text_it_answered() -> None:
    accept = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}
    with FakeApi() as api:
        env = _env(api, LINKUP_CONFIRM="outreach")
        async with mcp_session(env, mode="2026-07-28", elicitation_callback=_elicitation("accept", [])) as client:
            session = client.session
            first = await session.call_tool("messages_send", SEND, allow_input_required=True)
            assert isinstance(first, types.InputRequiredResult) and first.request_state
            ask = first.input_requests["confirm"]  # type: ignore[index]
            assert isinstance(ask, types.ElicitRequest) and "Hello Jane" in ask.params.message
            # The approval of "Hello Jane" replayed for another text is not an approval: asked again.
            other = {**SEND, "message_text": "Buy now"}
            replayed = await session.call_tool(
                "messages_send", other, input_responses=accept, request_state=first.request_state,
                allow_input_required=True,
            )  # fmt: skip
            assert isinstance(replayed, types.InputRequiredResult)
            assert api.requests == []
            done = await session.call_tool(
                "messages_send", SEND, input_responses=accept, request_state=first.request_state,
                allow_input_required=True,
            )  # fmt: skip
            assert isinstance(done, types.CallToolResult) and done.is_error is False
            # Once only: the same answer again (even asking to send a duplicate) is asked again.
            again = await session.call_tool(
                "messages_send", {**SEND, "allow_duplicate": True}, input_responses=accept,
                request_state=first.request_state, allow_input_required=True,
            )  # fmt: skip
            assert isinstance(again, types.InputRequiredResult)
        assert [r.body["params"]["message_text"] for r in api.requests] == ["Hello Jane"]
