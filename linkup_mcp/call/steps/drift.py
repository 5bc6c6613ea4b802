"""After a real answer: does it look the way the action's documentation page shows it? Fields
missing, extra, renamed or of another type (spec `response`), or a charge other than the
credit rule gives for what came back, go into the envelope's `drift` member and the ledger's
drift table, so the user can report it (and `linkup-mcp verify` can print it)."""

from __future__ import annotations

from typing import Any

from linkup_mcp.call.context import Call, Next, blocking
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.spec.credits import expected_charge
from linkup_mcp.spec.models import ActionSpec
from linkup_mcp.spec.response import drift


def differences(spec: ActionSpec, args: dict[str, Any], outcome: Outcome) -> list[str]:
    """What this successful answer does differently from the docs ([] when nothing)."""
    found = drift(spec.response.data, outcome.data)
    if not outcome.charge_reported:
        found.append("credits: no metadata.credits_consumed")
    else:
        expected = expected_charge(spec, args, outcome.data)
        if expected is not None and outcome.charged != expected:
            found.append(f"credits: charged {outcome.charged}, the rule gives {expected}")
    return found


async def step(call: Call, next: Next) -> Outcome:
    outcome = await next(call)
    if outcome.error is None and call.sending:  # an answer LinkupAPI gave (not a preview)
        found = differences(call.spec, call.params, outcome)
        if found:
            outcome.extras["drift"] = found
            await blocking(call.rt.drift_log.record, call.name, call.account, found)
    return outcome
