"""The order of the steps of one API tool call — the product's safety contract in one list.

Each step is `async (call, next) -> Outcome`: it may refuse (return without calling `next`,
nothing sent), act before `next`, or act on what `next` returned. Outermost first:

    shape      after: files out of the data, ISO times, `fields`, has_more, `empty`, spend on balances
    validate   arguments against the schema (+ "give A or B"), `fields` paths, local files -> VALIDATION_ERROR
    account    which account acts; a key and an account are configured           -> NOT_CONFIGURED
    cache      a fresh paid read answered again for free; writes invalidate      -> CACHE_HIT
    autopage   `max_credits`: page through the rest of the pipeline; else heartbeat and `next`
    budget     the estimate; the per-call cap                                     -> BUDGET_EXCEEDED
    outreach   known relations (free), recipient cap, preview; a send's relation -> ALREADY_*, RECIPIENT_LIMIT, PREVIEW
    ledger     process budget, daily budget, duplicate and pacing gate; the row   -> BUDGET_EXCEEDED, DUPLICATE_SUPPRESSED, PACING_LIMIT
    confirm    LINKUP_CONFIRM: the human says yes                                 -> DECLINED, CONFIRMATION_UNAVAILABLE
    drift      after: the answer against its documented response and credit rule (envelope `drift`)
    send       the request, what its answer means; who it shows connected/invited -> the API's codes, OUTCOME_UNKNOWN

A new check is a new step in this list, with its own test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from linkup_mcp.call.context import Call, Next
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.steps import (
    account,
    autopage,
    budget,
    cache,
    confirm,
    drift,
    ledger,
    outreach,
    send,
    shape,
    validate,
)

Step = Callable[[Call, Next], Awaitable[Outcome]]

STEPS: tuple[Step, ...] = (
    shape.step,
    validate.step,
    account.step,
    cache.step,
    autopage.step,
    budget.step,
    outreach.step,
    ledger.step,
    confirm.step,
    drift.step,
    send.step,
)


def chain(steps: Sequence[Step]) -> Next:
    """`steps` folded into one `Next`: each step's `next` runs the steps after it."""

    async def end(call: Call) -> Outcome:
        raise AssertionError(f"{call.name}: no step answered")  # `send` always answers

    run: Next = end
    for step in reversed(steps):
        run = _bind(step, run)
    return run


def _bind(step: Step, after: Next) -> Next:
    async def run(call: Call) -> Outcome:
        return await step(call, after)

    return run


run = chain(STEPS)
