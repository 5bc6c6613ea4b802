"""The request itself, and what LinkupAPI's answer (or its silence) means for this call — including
which profile URLs and member URNs it shows to be one person (call/people.py) and who it shows
connected or invited (call/relations.py)."""

from __future__ import annotations

from linkup_mcp.api.client import PathValueError, TransportFailure
from linkup_mcp.call import people, relations
from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome, from_reply, transport_error
from linkup_mcp.errors import Code, ToolError


async def step(call: Call, next: Next) -> Outcome:
    client = call.rt.client
    assert client is not None  # the account step refuses a runtime without one
    action = call.action
    call.sending = True
    try:
        reply = await client.send(
            action.route,
            account_id=call.account,
            action=action.wire_action,
            params=call.params,
            read_only=action.read_only,
        )
    except PathValueError as exc:
        return Outcome(error=ToolError(Code.VALIDATION_ERROR, str(exc)))
    except TransportFailure as exc:
        return Outcome(error=transport_error(call.tool, exc))
    outcome = from_reply(call.tool, reply, call.estimated)
    if outcome.error is None:
        people.learn(call.rt, outcome.data)
        if call.spec.relations or call.spec.ends_invitation:  # who is connected or invited: free checks
            await blocking(relations.learn, call.rt, call.name, call.spec, call.account, call.params, outcome.data)
    return outcome
