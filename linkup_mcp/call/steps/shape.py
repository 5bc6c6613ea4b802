"""The result the agent gets: binary files taken out of the data (kept as resources), `fields`
applied, `has_more` on lists, and on a balance this server's own spend and budgets."""

from __future__ import annotations

from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.shaping import shape
from linkup_mcp.spec.models import PaginationStyle


async def step(call: Call, next: Next) -> Outcome:
    outcome = await next(call)
    spec = call.spec
    if spec.adds_server_spend and isinstance(outcome.data, dict):  # a balance: what this server spent too
        outcome.data = {**outcome.data, "this_server": await blocking(call.rt.own_spend)}
    if outcome.error is not None:
        return outcome
    if spec.pagination.style is not PaginationStyle.none:  # set by autopage; a cache hit reads it again
        outcome.extras.setdefault("has_more", outcome.next_args is not None)
    if spec.binary:
        outcome.data, files = call.rt.files.extract(outcome.data, spec.binary)
        outcome.extras["files"] = [
            {"uri": f.uri, "mime_type": f.mime_type, "filename": f.filename, "size_bytes": len(f.content)}
            for f in files
        ] or None
    if call.args.get("fields"):
        outcome.data, outcome.extras["shaped"] = shape(outcome.data, call.args["fields"])
    return outcome
