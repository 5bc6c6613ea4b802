"""Run one tool call: validate → resolve account → budget → API client → result envelope.

Every outcome is an envelope (never an exception): local refusals happen before any HTTP
request; API errors pass through with their code; failures after the request may have
reached the API are OUTCOME_UNKNOWN for side-effecting actions, which are never resent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from linkup_mcp import validation
from linkup_mcp.catalog import CONTROL_ARGS, Catalog, CompiledTool
from linkup_mcp.client import LinkupClient, PathValueError, Reply, TransportFailure
from linkup_mcp.credits import CreditMeter, estimate, rule_text
from linkup_mcp.envelope import build
from linkup_mcp.errors import HINTS, ToolError
from linkup_mcp.pagination import next_arguments

log = logging.getLogger(__name__)


class UnknownToolError(LookupError):
    """The tool is not in this process's catalog (unknown, or hidden by configuration)."""


@dataclass
class _Outcome:
    data: Any = None
    error: ToolError | None = None
    charged: int = 0


class Dispatcher:
    def __init__(
        self,
        catalog: Catalog,
        *,
        client: LinkupClient | None,
        meter: CreditMeter,
        default_account: str | None = None,
        sandbox: bool = False,
        not_configured: str = "LINKUP_API_KEY is not set. Set it to your LinkupAPI key, or start with --sandbox.",
    ):
        self.catalog = catalog
        self.client = client
        self.meter = meter
        self.default_account = default_account
        self.sandbox = sandbox
        self.not_configured = not_configured

    async def call(self, name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
        tool = self.catalog.get(name)
        if tool is None:
            raise UnknownToolError(name)
        args = dict(arguments or {})
        account = self._account(tool, args)
        spec = tool.action.spec

        def envelope(outcome: _Outcome, estimated: int = 0, next_args: dict[str, Any] | None = None) -> dict[str, Any]:
            return build(
                tool=name,
                account_id=account,
                data=outcome.data,
                error=outcome.error,
                charged=outcome.charged,
                estimated=estimated,
                session_spent=self.meter.spent,
                budget_remaining=self.meter.remaining(),
                next_args=next_args,
                sandbox=self.sandbox,
            )

        found = validation.problems(tool.input_schema, args)
        if found:
            return envelope(_Outcome(error=ToolError("VALIDATION_ERROR", validation.summary(found), fields=found)))
        if self.client is None:
            return envelope(_Outcome(error=ToolError("NOT_CONFIGURED", self.not_configured)))
        if account is None and tool.action.route.account in ("required", "path"):
            message = "No account: pass account_id or set LINKUP_ACCOUNT_ID (list accounts with accounts_list)."
            return envelope(_Outcome(error=ToolError("NOT_CONFIGURED", message)))

        estimated = estimate(spec, args)
        reservation = self.meter.reserve(estimated)
        if reservation is None:
            message = (
                f"This call is estimated at {estimated} credits ({rule_text(spec.credits)}) but only "
                f"{self.meter.remaining()} of the LINKUP_MAX_CREDITS budget is left. Ask for fewer results."
            )
            return envelope(_Outcome(error=ToolError("BUDGET_EXCEEDED", message)), estimated)
        outcome = _Outcome()
        try:
            outcome = await self._send(tool, account, args, estimated)
        finally:
            self.meter.settle(reservation, outcome.charged)
        next_args = next_arguments(spec.pagination, args, outcome.data) if outcome.error is None else None
        return envelope(outcome, estimated, next_args)

    def _account(self, tool: CompiledTool, args: dict[str, Any]) -> str | None:
        mode = tool.action.route.account
        if mode == "none":
            return None
        given = args.get("account_id")
        if mode == "optional":
            return given if isinstance(given, str) else None
        return given if isinstance(given, str) else self.default_account

    async def _send(self, tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int) -> _Outcome:
        assert self.client is not None
        action = tool.action
        params = {k: v for k, v in args.items() if k not in CONTROL_ARGS}
        try:
            reply = await self.client.send(
                action.route, account_id=account, action=action.wire_action, params=params, read_only=action.read_only
            )
        except PathValueError as exc:
            return _Outcome(error=ToolError("VALIDATION_ERROR", str(exc)))
        except TransportFailure as exc:
            return _Outcome(error=self._transport_error(tool, exc))
        return self._from_reply(tool, reply, estimated)

    def _unknown_outcome(self, tool: CompiledTool, what: str) -> ToolError:
        check = tool.action.spec.verify_with or "the matching list or get tool"
        return ToolError(
            "OUTCOME_UNKNOWN",
            f"{what} The action may or may not have happened; it was not retried. "
            f"Check with {check} before calling {tool.name} again.",
        )

    def _transport_error(self, tool: CompiledTool, exc: TransportFailure) -> ToolError:
        if exc.maybe_sent and not tool.action.read_only:
            return self._unknown_outcome(tool, f"No answer from LinkupAPI ({exc.kind}: {exc.detail}).")
        code = "TIMEOUT" if exc.kind == "timeout" else "NETWORK_ERROR"
        tries = f" after {exc.attempts} attempts" if exc.attempts > 1 else ""
        return ToolError(code, f"LinkupAPI could not be reached ({exc.detail}){tries}. Retry later; nothing was charged.")

    def _from_reply(self, tool: CompiledTool, reply: Reply, estimated: int) -> _Outcome:
        body, status = reply.body, reply.status
        side_effecting = not tool.action.read_only
        metadata = body.get("metadata") if body else None
        consumed = metadata.get("credits_consumed") if isinstance(metadata, dict) else None
        charged = consumed if isinstance(consumed, int) and not isinstance(consumed, bool) else None

        if body is not None and body.get("success") is True and 200 <= status < 300:
            # A success without metadata.credits_consumed: count the estimate so budgets stay safe.
            return _Outcome(data=body.get("data"), charged=estimated if charged is None else charged)
        error = body.get("error") if body else None
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            code, message = error["code"], str(error.get("message") or "")
            if side_effecting and status >= 500:
                what = f"LinkupAPI answered HTTP {status} {code} ({message})."
                return _Outcome(error=self._unknown_outcome(tool, what), charged=charged or 0)
            hint = HINTS.get(code)
            if code == "RATE_LIMITED" and reply.retry_after is not None:
                hint = f"Retry after {reply.retry_after:.0f} s."
            text = f"{message} {hint}".strip() if hint else message
            return _Outcome(error=ToolError(code, text, http_status=status), charged=charged or 0)
        # Not the V2 envelope: an HTML error page, invalid or truncated JSON, a proxy's answer.
        what = f"LinkupAPI answered HTTP {status} with a body that is not the V2 JSON envelope"
        detail = f": {reply.excerpt[:120]!r}" if reply.excerpt else "."
        if side_effecting and (status >= 500 or 200 <= status < 300):
            return _Outcome(error=self._unknown_outcome(tool, what + detail))
        if status == 429:
            return _Outcome(error=ToolError("RATE_LIMITED", "Rate limited by LinkupAPI. " + HINTS["RATE_LIMITED"], 429))
        return _Outcome(error=ToolError("BAD_RESPONSE", what + detail + " Retry later.", http_status=status))
