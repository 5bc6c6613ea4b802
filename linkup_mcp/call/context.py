"""`Call`: one tool call as it moves through the pipeline — the tool, its arguments, who acts,
and what the steps learnt on the way (the estimate, whether the request may have left)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from linkup_mcp.call.outcome import Outcome
from linkup_mcp.errors import ToolError
from linkup_mcp.spec.catalog import CONTROL_ARGS, CompiledTool
from linkup_mcp.spec.models import ActionSpec, ResolvedAction
from linkup_mcp.store.ledger import digest

if TYPE_CHECKING:
    from linkup_mcp.call.confirmation import Confirm
    from linkup_mcp.call.heartbeat import Progress
    from linkup_mcp.call.runtime import Runtime


@dataclass
class Call:
    rt: Runtime
    tool: CompiledTool
    args: dict[str, Any]
    confirm: Confirm | None = None
    progress: Progress | None = None
    account: str | None = None
    estimated: int = 0
    sending: bool = False  # the request may have left: an interruption now is OUTCOME_UNKNOWN
    spent: int = 0  # what the budgets count for this call once it is over
    dedup_after: float | None = None  # outreach: an answer at this time showed the person free of invitations
    args_digest: str = field(init=False)  # for the ledger: of the arguments as given, credentials masked

    def __post_init__(self) -> None:
        self.args_digest = digest(self.spec.masked(self.args))

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def action(self) -> ResolvedAction:
        return self.tool.action

    @property
    def spec(self) -> ActionSpec:
        return self.tool.action.spec

    @property
    def params(self) -> dict[str, Any]:
        """What the API receives: the arguments minus the control arguments that steer this server."""
        return {k: v for k, v in self.args.items() if k not in CONTROL_ARGS}

    def with_args(self, args: dict[str, Any]) -> Call:
        """The same call with other arguments (the next page): a fresh estimate and digest."""
        return dataclasses.replace(self, args=args, estimated=0, sending=False, spent=0)

    async def refuse(self, code: str, message: str, *, fields: list[dict[str, str]] | None = None) -> Outcome:
        """A local refusal: nothing is sent, nothing charged, one ledger row."""
        await blocking(self.record, code)
        return Outcome(error=ToolError(code, message, fields=fields), estimated=self.estimated)

    def record(self, code: str, charged: int = 0) -> None:
        """This call's row in the ledger (blocking: run it through `blocking`)."""
        self.rt.ledger.record(self.name, self.account, code, self.estimated, self.args_digest, charged)


Next = Callable[[Call], Awaitable[Outcome]]  # the rest of the pipeline
T = TypeVar("T")


async def blocking(work: Callable[..., T], *args: Any) -> T:
    """SQLite or file work in a worker thread, so the event loop keeps serving other calls.
    Shielded: a call cancelled meanwhile still gets its row written (and its gate row id back)."""
    with anyio.CancelScope(shield=True):
        result = await anyio.to_thread.run_sync(work, *args)
    return result
