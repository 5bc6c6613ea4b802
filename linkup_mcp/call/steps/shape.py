"""The result the agent gets: binary files taken out of the data (kept as resources), ISO 8601
beside epoch-millisecond times, `fields` applied, `has_more` on lists, an empty search's `empty`
(which filters, what to widen), and on a balance this server's own spend and budgets."""

from __future__ import annotations

from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.empty_result import explain
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.shaping import has_epoch_ms, shape, with_iso_times
from linkup_mcp.spec.models import PaginationStyle
from linkup_mcp.spec.response import paths


async def step(call: Call, next: Next) -> Outcome:
    outcome = await next(call)
    spec = call.spec
    if spec.adds_server_spend and isinstance(outcome.data, dict):  # a balance: what this server spent too
        outcome.data = {**outcome.data, "this_server": await blocking(call.rt.own_spend)}
    if outcome.error is not None:
        return outcome
    if spec.pagination.style is not PaginationStyle.none:  # set by autopage; a cache hit reads it again
        outcome.extras.setdefault("has_more", outcome.next_args is not None)
    empty = explain(spec, call.args, outcome.data)
    if empty is not None:
        outcome.extras["empty"] = empty
    if spec.binary:
        outcome.data, files = call.rt.files.extract(outcome.data, spec.binary)
        outcome.extras["files"] = [
            {"uri": f.uri, "mime_type": f.mime_type, "filename": f.filename, "size_bytes": len(f.content)}
            for f in files
        ] or None
    response = spec.response
    if has_epoch_ms(response.data):  # after the drift step (inside): the API's answer was compared as sent
        outcome.data = with_iso_times(response.data, outcome.data)
    if call.args.get("fields"):
        known = None if response.documented else paths(response.data)[0]  # documented: checked before sending
        outcome.data, outcome.extras["shaped"] = shape(outcome.data, call.args["fields"], known)
    return outcome
