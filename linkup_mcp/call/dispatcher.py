"""Run one tool call: validate → account → budgets → ledger gate → confirm → API → envelope.

Every outcome is an envelope (never an exception) and one ledger row: local refusals happen
before any HTTP request; API errors pass through with their code; failures after the request
may have reached the API are OUTCOME_UNKNOWN for side-effecting actions, never resent.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from linkup_mcp.api.client import LinkupClient, PathValueError, TransportFailure
from linkup_mcp.call import compact, validation
from linkup_mcp.call.confirmation import Confirm, InputRequired, ask
from linkup_mcp.call.files import FileStore, UploadError, read_upload
from linkup_mcp.call.guards import Guards, admission
from linkup_mcp.call.heartbeat import Heartbeat, Progress
from linkup_mcp.call.outcome import Outcome, from_reply, transport_error
from linkup_mcp.call.pagination import next_arguments
from linkup_mcp.call.result_size import fit
from linkup_mcp.call.send_checks import TOKEN_TTL_S, PreviewTokens, RecipientCap, known_invitation_state
from linkup_mcp.call.shaping import shape
from linkup_mcp.call.webhook_wait import WAIT_TOOL, wait_for_events
from linkup_mcp.errors import ToolError
from linkup_mcp.redact import Redactor
from linkup_mcp.spec.catalog import CONTROL_ARGS, Catalog, CompiledTool
from linkup_mcp.spec.credits import CreditMeter, estimate, rule_text
from linkup_mcp.spec.envelope import build
from linkup_mcp.spec.local_tools import ESTIMATE_TOOL
from linkup_mcp.spec.models import PaginationStyle, SideEffect
from linkup_mcp.store.ledger import OK, OUTCOME_UNKNOWN, Ledger, Refusal, digest
from linkup_mcp.store.read_cache import ReadCache

log = logging.getLogger(__name__)

BALANCE_TOOL = "credits_get"  # its data gains `this_server`: this process's spend and budgets
ConfirmMode = Literal["off", "outreach", "all", "preview"]
# Outreach tools answered from a cached lookup of the recipient's state instead of being sent.
PRESEND_STATE = {"network_invite": "network_check_invitation"}


MAX_DEPTH = 200  # far beyond any real arguments, far below the recursion limit (~1,000)


def _too_deep(value: Any) -> bool:
    """Iterative, so a 5,000-level value cannot exhaust the recursion limit on the way."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return False


def _params(args: dict[str, Any]) -> dict[str, Any]:
    """The API's params: the arguments minus the control arguments that steer this server."""
    return {k: v for k, v in args.items() if k not in CONTROL_ARGS}


class UnknownToolError(LookupError):
    """The tool is not in this process's catalog (unknown, or hidden by configuration)."""


class Dispatcher:
    def __init__(
        self,
        catalog: Catalog,
        *,
        client: LinkupClient | None,
        meter: CreditMeter,
        ledger: Ledger | None = None,
        guards: Guards | None = None,
        confirm_mode: ConfirmMode = "off",
        default_account: str | None = None,
        sandbox: bool = False,
        max_result_bytes: int | None = None,
        upload_dir: str | None = None,
        max_upload_bytes: int = 10_000_000,
        cache_ttl: str | None = None,
        max_recipients: int | None = None,
        not_configured: str = "LINKUP_API_KEY is not set. Set it to your LinkupAPI key, or start with --sandbox.",
    ):
        self.catalog = catalog
        self.client = client
        self.meter = meter
        self.ledger = ledger or Ledger(":memory:")
        self.guards = guards or Guards()
        self.confirm_mode = confirm_mode
        self.default_account = default_account
        self.sandbox = sandbox
        self.max_result_bytes = max_result_bytes
        self.upload_dir, self.max_upload_bytes = upload_dir, max_upload_bytes
        self.files = FileStore()
        self.previews = PreviewTokens()
        self.wait_poll_s = 2.0  # webhooks_wait polling interval
        self.recipients = RecipientCap(max_recipients)
        self.cache = ReadCache(self.ledger, cache_ttl) if cache_ttl != "0" else None
        self.not_configured = not_configured

    async def call(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        *,
        confirm: Confirm | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        args = dict(arguments or {})
        if _too_deep(args):
            problem = {"field": "(arguments)", "problem": f"nested deeper than {MAX_DEPTH} levels"}
            error = ToolError("VALIDATION_ERROR", validation.summary([problem]), fields=[problem])
            return self._envelope(name, None, Outcome(error=error), 0)
        if name in self.catalog.local:
            return await self._local(name, args, confirm, progress)
        tool = None if self.catalog.compact else self.catalog.get(name)  # compact: via linkup_run_action
        if tool is None:
            raise UnknownToolError(name)
        return await self._run_tool(tool, args, confirm, progress)

    async def run(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """An API tool by name, listed or not (compact mode): for the server's own resources."""
        tool = self.catalog.get(name)
        if tool is None:
            raise UnknownToolError(name)
        return await self._run_tool(tool, dict(arguments), None)

    async def _run_tool(
        self, tool: CompiledTool, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None = None
    ) -> dict[str, Any]:
        account = self._account(tool, args)
        key = self._cache_key(tool, account, args)
        cached = self._cached(tool, account, args, key)
        spec = tool.action.spec
        next_args = None
        if cached is not None:
            outcome, estimated = cached
        elif (
            "max_credits" in args
            and spec.pagination.style is not PaginationStyle.none
            and not validation.problems(tool.checked_schema, args)  # else the normal path refuses it
        ):
            outcome, estimated, next_args = await self._auto_page(tool, account, args, confirm, progress)
        else:
            beat = None if progress is None else Heartbeat(progress, tool.name)
            try:
                outcome, estimated = await self._run(tool, account, args, confirm)
            finally:
                if beat is not None:
                    beat.stop()
            self._remember(tool, account, args, outcome, key)
            if outcome.error is None:
                next_args = next_arguments(spec.pagination, args, outcome.data)
        if tool.name == BALANCE_TOOL and isinstance(outcome.data, dict):
            outcome.data = {**outcome.data, "this_server": self._own_spend()}
        if outcome.error is None:
            if spec.pagination.style is not PaginationStyle.none:
                outcome.extras["has_more"] = next_args is not None
            if spec.binary:
                outcome.data, files = self.files.extract(outcome.data, spec.binary)
                outcome.extras["files"] = [
                    {"uri": f.uri, "mime_type": f.mime_type, "filename": f.filename, "size_bytes": len(f.content)}
                    for f in files
                ] or None
            if args.get("fields"):
                outcome.data, outcome.extras["shaped"] = shape(outcome.data, args["fields"])
        envelope = self._envelope(tool.name, account, outcome, estimated, next_args)
        if not spec.secret_params:  # nearly every tool: nothing to look for
            return envelope
        secrets = [v for k, v in args.items() if k in spec.secret_params and isinstance(v, str)]
        return Redactor(secrets).scrub(envelope) if secrets else envelope  # in case the API echoed one

    # -- credit-capped auto-pagination ---------------------------------------------------------

    async def _auto_page(
        self,
        tool: CompiledTool,
        account: str | None,
        args: dict[str, Any],
        confirm: Confirm | None,
        progress: Progress | None,
    ) -> tuple[Outcome, int, dict[str, Any] | None]:
        """Page for the agent until the list ends or `max_credits` would be passed: each page goes
        through the full gate; the last page is shrunk rather than overspend. (The page size
        parameter — count, total_results — says how many results per page; no `max_results`:
        one call with a bigger page does that, and each schema property costs tokens.)"""
        spec = tool.action.spec
        max_credits = int(args["max_credits"])
        rule = spec.credits.per_results
        key = spec.pagination.items or ""
        current = {k: v for k, v in args.items() if k != "max_credits"}
        items: list[Any] = []
        spent = estimated_total = pages = 0
        last: Outcome | None = None
        stopped = "end"
        while True:
            if spent + estimate(spec, current) > max_credits:
                room = max_credits - spent
                if rule is None or room < rule.credits:
                    stopped = "max_credits"
                    break
                current[rule.param] = min(int(current.get(rule.param, rule.default)), room // rule.credits * rule.every)
            outcome, estimated = await self._run(tool, account, current, confirm)
            pages += 1
            estimated_total += estimated
            if outcome.error is not None:
                if last is None:
                    return outcome, estimated_total, None
                stopped = f"error {outcome.error.code}"
                break
            spent += outcome.charged
            last = outcome
            page = outcome.data.get(key) if isinstance(outcome.data, dict) else None
            items.extend(page if isinstance(page, list) else [])
            following = next_arguments(spec.pagination, current, outcome.data)
            if progress is not None:
                await progress(pages, None, f"{tool.name}: page {pages}, {len(items)} results, {spent} credits")
            if following is None:
                break
            current = following
            if not page:  # an empty page that still says "more": do not loop on it
                break
        if last is None:  # not even one page fits
            error = ToolError(
                "BUDGET_EXCEEDED",
                f"max_credits={max_credits} does not cover one page ({estimate(spec, current)} credits); "
                "raise max_credits or ask for a smaller page.",
            )
            return Outcome(error=error), 0, None
        data = {**last.data, key: items} if isinstance(last.data, dict) else last.data
        extras = {"auto_pages": {"pages": pages, "results": len(items), "credits": spent, "stopped": stopped}}
        resume = None if stopped == "end" else current  # an error stop resumes at the failed page
        merged = Outcome(data=data, charged=spent, extras=extras)
        return merged, estimated_total, resume

    # -- paid-read cache --------------------------------------------------------------------

    def _cache_ttl(self, tool: CompiledTool) -> int:
        return self.cache.ttl(tool.name, tool.action.spec.cache_ttl) if self.cache else 0

    def _cache_key(self, tool: CompiledTool, account: str | None, args: dict[str, Any]) -> str | None:
        """The read-cache key of a cached tool's call (digested once, for lookup and store)."""
        if self.cache is None or not self._cache_ttl(tool):
            return None
        return self.cache.key(tool.name, account, _params(args))

    def _cached(
        self, tool: CompiledTool, account: str | None, args: dict[str, Any], key: str | None
    ) -> tuple[Outcome, int] | None:
        """A fresh cached answer (free, and recorded as CACHE_HIT), unless `fresh: true`."""
        if key is None or args.get("fresh") or self.cache is None:
            return None
        found = self.cache.get(key, self._cache_ttl(tool))
        if found is None:
            return None
        data, age = found
        # Deferred like other reads' rows: free, so no budget or gate depends on it.
        self.ledger.record(tool.name, account, "CACHE_HIT", 0, digest(tool.action.spec.masked(args)), deferred=True)
        return Outcome(data=data, extras={"cache": {"hit": True, "age_s": int(age)}}), 0

    def _remember(
        self, tool: CompiledTool, account: str | None, args: dict[str, Any], outcome: Outcome, key: str | None
    ) -> None:
        if self.cache is None:
            return
        if key is not None and outcome.error is None:
            self.cache.put(key, tool.name, account, args, outcome.data)
            outcome.extras["cache"] = {"hit": False, "age_s": 0}
        sent = outcome.error is None or outcome.error.code == OUTCOME_UNKNOWN
        if tool.action.spec.invalidates and sent:
            self.cache.invalidate(tool.action.spec.invalidates, account, args)

    def _envelope(
        self, name: str, account: str | None, outcome: Outcome, estimated: int, next_args: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data, extras = outcome.data, dict(outcome.extras)
        if self.max_result_bytes is not None and outcome.error is None:
            data, extras["truncated"] = fit(data, self.max_result_bytes)
        return build(
            tool=name,
            account_id=account,
            data=data,
            error=outcome.error,
            charged=outcome.charged,
            estimated=estimated,
            session_spent=self.meter.spent,
            budget_remaining=self.meter.remaining(),
            next_args=next_args,
            sandbox=self.sandbox,
            extensions=extras,
        )

    # -- the steps of one call ------------------------------------------------------------

    def _precheck(self, tool: CompiledTool, account: str | None, args: dict[str, Any]) -> ToolError | None:
        """Local refusals that need no estimate: arguments and configuration."""
        found = validation.problems(tool.checked_schema, args)
        if found:
            return ToolError("VALIDATION_ERROR", validation.summary(found), fields=found)
        local = tool.action.spec.local_file
        if local is not None and local.arg in args:
            try:
                args[local.into] = read_upload(local, args.pop(local.arg), self.upload_dir, self.max_upload_bytes)
            except UploadError as exc:
                return ToolError(
                    "VALIDATION_ERROR", f"Invalid arguments: {exc}", fields=[{"field": local.arg, "problem": str(exc)}]
                )
        if self.client is None:
            return ToolError("NOT_CONFIGURED", self.not_configured)
        if account is None and tool.action.route.account in ("required", "path"):
            message = "No account: pass account_id or set LINKUP_ACCOUNT_ID (list accounts with accounts_list)."
            return ToolError("NOT_CONFIGURED", message)
        return None

    def _budget_error(self, tool: CompiledTool, estimated: int) -> ToolError | None:
        cap = self.guards.max_credits_per_call
        if cap is not None and estimated > cap:
            return ToolError(
                "BUDGET_EXCEEDED",
                f"This call is estimated at {estimated} credits ({rule_text(tool.action.spec.credits)}), above the "
                f"per-call cap of {cap} (LINKUP_MAX_CREDITS_PER_CALL). Ask for fewer results, or page with next.",
            )
        return None

    async def _run(
        self, tool: CompiledTool, account: str | None, args: dict[str, Any], confirm: Confirm | None
    ) -> tuple[Outcome, int]:
        ledger_args = digest(tool.action.spec.masked(args))
        error = self._precheck(tool, account, args)
        if error:
            self.ledger.record(tool.name, account, error.code, 0, ledger_args)
            return Outcome(error=error), 0
        estimated = estimate(tool.action.spec, args)
        error = self._budget_error(tool, estimated)
        if error is None:
            stopped = self._outreach_checks(tool, account, args, estimated)
            if stopped is not None:
                code = "PREVIEW" if stopped.extras.get("preview") else stopped.code
                self.ledger.record(tool.name, account, code, 0, ledger_args)
                return stopped, estimated
        reservation = self.meter.reserve(estimated) if error is None else None
        if error is None and reservation is None:
            error = ToolError(
                "BUDGET_EXCEEDED",
                f"This call is estimated at {estimated} credits ({rule_text(tool.action.spec.credits)}) but only "
                f"{self.meter.remaining()} of the LINKUP_MAX_CREDITS budget is left. Ask for fewer results.",
            )
        if error or reservation is None:
            self.ledger.record(tool.name, account, error.code if error else "BUDGET_EXCEEDED", estimated, ledger_args)
            return Outcome(error=error), estimated
        outcome: Outcome | None = None
        if tool.action.read_only and self.guards.daily_credits is None:
            # Nothing to check at the gate (no duplicate, pacing or daily budget for a read):
            # one row afterwards instead of a pending row and its update (half the SQLite work).
            try:
                outcome = await self._confirmation(tool, account, args, estimated, confirm)
                outcome = outcome or await self._send(tool, account, args, estimated)
            finally:
                code, charged = (outcome.code, outcome.charged) if outcome else ("CANCELLED", 0)
                self.ledger.record(tool.name, account, code, estimated, ledger_args, charged, deferred=True)
                self.meter.settle(reservation, charged)
            return outcome, estimated
        spent = 0
        code_if_unfinished = "CANCELLED"
        try:
            gate = self.ledger.admit(admission(tool.action, account, args, estimated, self.guards))
            if isinstance(gate, Refusal):
                outcome = Outcome(error=ToolError(gate.code, gate.message))
                return outcome, estimated
            sending = False  # until the request may leave, an interrupted call sent nothing
            try:
                outcome = await self._confirmation(tool, account, args, estimated, confirm)
                sending = outcome is None
                outcome = outcome or await self._send(tool, account, args, estimated)
            except InputRequired:
                code_if_unfinished = "AWAITING_CONFIRMATION"
                raise
            finally:
                code = (
                    outcome.code
                    if outcome
                    else OUTCOME_UNKNOWN
                    if sending and not tool.action.read_only
                    else code_if_unfinished
                )
                # A write that may have happened may have been charged: budgets count its estimate
                # (the envelope's `charged` stays the API's figure: 0, unknown).
                spent = estimated if code == OUTCOME_UNKNOWN else outcome.charged if outcome else 0
                self.ledger.finish(gate, code, spent)
                if code in (OK, OUTCOME_UNKNOWN):
                    self.recipients.record(tool.action, account, args)
        finally:
            self.meter.settle(reservation, spent)
        return outcome, estimated

    def _outreach_checks(
        self, tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int
    ) -> Outcome | None:
        """Known state, recipient cap and preview: an outcome that stops the call, or None."""
        action = tool.action
        if action.spec.side_effect is not SideEffect.outreach:
            return None
        if not args.get("allow_duplicate"):
            known = self._known_state(tool, account, args)
            if known is not None:
                return Outcome(error=known)
        refusal = self.recipients.check(action, account, args)
        if refusal is not None:
            return Outcome(error=refusal)
        if self.confirm_mode != "preview":
            return None
        token = args.get("confirm_token")
        if token is None:
            return self._preview(tool, account, args, estimated)
        error = self.previews.redeem(str(token), action, account, _params(args))
        return Outcome(error=error) if error else None

    def _known_state(self, tool: CompiledTool, account: str | None, args: dict[str, Any]) -> ToolError | None:
        check = PRESEND_STATE.get(tool.name)
        source = self.catalog.get(check) if check else None
        if source is None or self.cache is None or not isinstance(args.get("profile_url"), str):
            return None
        ttl = self._cache_ttl(source)
        found = (
            self.cache.get(self.cache.key(source.name, account, {"profile_url": args["profile_url"]}), ttl)
            if ttl
            else None
        )
        return known_invitation_state(found[0]) if found else None

    def _preview(self, tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int) -> Outcome:
        outreach = tool.action.spec.outreach
        params = _params(args)
        blocked = self.ledger.peek(admission(tool.action, account, args, estimated, self.guards))
        data = {
            "sent": False,
            "preview": {
                "tool": tool.name,
                "account_id": account,
                "recipient": {p: params[p] for p in (outreach.target if outreach else []) if p in params},
                "content": {p: params[p] for p in (outreach.text if outreach else []) if p in params},
                "estimated_credits": estimated,
                "would_be_refused": {"code": blocked.code, "message": blocked.message} if blocked else None,
            },
            "confirm_token": self.previews.issue(tool.action, account, params),
            "expires_in_s": TOKEN_TTL_S,
            "next_step": "Show this to the user. To send, call the same tool with the same arguments plus "
            "confirm_token. Changed arguments need a new preview.",
        }
        return Outcome(data=data, extras={"preview": True})

    def _account(self, tool: CompiledTool, args: dict[str, Any]) -> str | None:
        mode = tool.action.route.account
        if mode == "none":
            return None
        given = args.get("account_id")
        if mode == "optional":
            return given if isinstance(given, str) else None
        return given if isinstance(given, str) else self.default_account

    def _needs_confirmation(self, tool: CompiledTool) -> bool:
        effect = tool.action.spec.side_effect
        if self.confirm_mode == "all":
            return effect is not SideEffect.read
        return self.confirm_mode == "outreach" and effect is SideEffect.outreach

    async def _confirmation(
        self, tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int, confirm: Confirm | None
    ) -> Outcome | None:
        """None to go ahead, or the refusal (nothing sent) when LINKUP_CONFIRM asks a human first."""
        if self._needs_confirmation(tool):
            answer = await ask(confirm, self._confirm_text(tool, account, args, estimated))
            if answer == "unavailable":
                return Outcome(
                    error=ToolError(
                        "CONFIRMATION_UNAVAILABLE",
                        "LINKUP_CONFIRM requires a human to confirm this call, but this MCP client does not support "
                        "elicitation. Nothing was sent. Use a client with elicitation, or unset LINKUP_CONFIRM.",
                    )
                )
            if answer != "accept":
                return Outcome(
                    error=ToolError(
                        "DECLINED", f"The user {answer}d this call in the confirmation prompt; nothing was sent."
                    )
                )
        return None

    @staticmethod
    def _confirm_text(tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int) -> str:
        shown = {k: v for k, v in tool.action.spec.masked(args).items() if k not in CONTROL_ARGS}
        lines = [f"{tool.action.spec.title} ({tool.name}) as account {account or '-'}, about {estimated} credit(s):"]
        lines += [f"  {k}: {v}" for k, v in shown.items()]
        return "\n".join(lines) + "\nSend it?"

    async def _send(self, tool: CompiledTool, account: str | None, args: dict[str, Any], estimated: int) -> Outcome:
        assert self.client is not None
        action = tool.action
        params = _params(args)
        try:
            reply = await self.client.send(
                action.route, account_id=account, action=action.wire_action, params=params, read_only=action.read_only
            )
        except PathValueError as exc:
            return Outcome(error=ToolError("VALIDATION_ERROR", str(exc)))
        except TransportFailure as exc:
            return Outcome(error=transport_error(tool, exc))
        return from_reply(tool, reply, estimated)

    # -- local credit figures -------------------------------------------------------------

    def _daily_left(self) -> int | None:
        daily = self.guards.daily_credits
        return None if daily is None else max(0, daily - self.ledger.spent_today())

    def _own_spend(self) -> dict[str, Any]:
        """What this server spent and may still spend: added to credits_get's API balance."""
        return {
            "session_spent": self.meter.spent,
            "max_credits": self.meter.max_credits,
            "budget_remaining": self.meter.remaining(),
            "max_credits_per_call": self.guards.max_credits_per_call,
            "spent_today": self.ledger.spent_today(),
            "daily_credits": self.guards.daily_credits,
            "daily_remaining": self._daily_left(),
        }

    # -- tools answered here: credits_estimate and the compact-mode meta-tools -------------

    async def _local(
        self, name: str, args: dict[str, Any], confirm: Confirm | None, progress: Progress | None
    ) -> dict[str, Any]:
        found = validation.problems(self.catalog.local[name]["inputSchema"], args)
        if name == WAIT_TOOL["name"] and not found:
            envelope = await wait_for_events(
                lambda poll_args: self.run("webhooks_events", poll_args),
                args,
                interval_s=self.wait_poll_s,
                progress=progress,
            )
            return {**envelope, "tool": name}
        target_name = args.get("tool") if name == ESTIMATE_TOOL["name"] else args.get("action")
        target = self.catalog.get(target_name) if isinstance(target_name, str) else None
        if not found and target is None and target_name is not None:
            field_name = "tool" if name == ESTIMATE_TOOL["name"] else "action"
            found = [{"field": field_name, "problem": self._unknown_action(str(target_name))}]
        if found:
            error = ToolError("VALIDATION_ERROR", validation.summary(found), fields=found)
            return self._envelope(name, None, Outcome(error=error), 0)
        if name == compact.SEARCH:
            return self._envelope(name, None, Outcome(data=compact.search(self.catalog, args)), 0)
        assert target is not None
        if name == compact.DESCRIBE:
            return self._envelope(name, None, Outcome(data=compact.describe(target)), 0)
        inner = dict(args.get("arguments") or {})
        if name == compact.RUN and not args.get("dry_run"):
            return await self._run_tool(target, inner, confirm, progress)
        return self._estimate(name, target, inner)

    def _unknown_action(self, given: str) -> str:
        import difflib

        close = difflib.get_close_matches(given, list(self.catalog.tools), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        where = f"find actions with {compact.SEARCH}" if self.catalog.compact else "see tools/list"
        return f"unknown {'action' if self.catalog.compact else 'tool'} {given!r}; {hint}({where})"

    def _estimate(self, name: str, target: CompiledTool, inner: dict[str, Any]) -> dict[str, Any]:
        """Validate `inner` exactly as the real call would and say what it would cost; send nothing."""
        account = self._account(target, inner)
        found = validation.problems(target.checked_schema, inner)
        if found:
            error = ToolError("VALIDATION_ERROR", validation.summary(found), fields=found)
            return self._envelope(name, account, Outcome(error=error), 0)
        estimated = estimate(target.action.spec, inner)
        remaining = self.meter.remaining()
        daily_left = self._daily_left()
        refusal = self._budget_error(target, estimated)
        fits = refusal is None and all(left is None or estimated <= left for left in (remaining, daily_left))
        data = {
            "tool": target.name,
            "estimated": estimated,
            "rule": rule_text(target.action.spec.credits),
            "fits_budget": fits,
            "budget_remaining": remaining,
            "daily_remaining": daily_left,
            "max_credits_per_call": self.guards.max_credits_per_call,
            "side_effect": target.action.spec.side_effect.value,
        }
        return self._envelope(name, account, Outcome(data=data), 0)
