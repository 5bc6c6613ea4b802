"""MCP wiring: the catalog answers tools/list, the runtime answers tools/call.

No protocol code of our own: the SDK's low-level Server and stdio transport do that.
Tool calls run concurrently (the SDK dispatches each request in its own task).
"""

from __future__ import annotations

import gc
import json
import logging
import re
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from linkup_mcp import __version__
from linkup_mcp.call.confirmation import Answer, AnswerStates, Confirm, InputRequired
from linkup_mcp.call.dispatch import UnknownToolError
from linkup_mcp.call.runtime import Runtime, open_runtime
from linkup_mcp.config import Settings
from linkup_mcp.errors import Code, ToolError, did_you_mean
from linkup_mcp.mcp import resources
from linkup_mcp.mcp.instructions import instructions
from linkup_mcp.mcp.prompts import PROMPTS, WorkflowPrompt
from linkup_mcp.mcp.subscriptions import Subscriptions
from linkup_mcp.redact import Redactor
from linkup_mcp.spec.envelope import build, text_form

log = logging.getLogger(__name__)


def tool_result(
    envelope: dict[str, Any], redactor: Redactor, files: list[types.EmbeddedResource] | None = None
) -> types.CallToolResult:
    # The text block (what most clients hand the model) leaves out members at their empty value
    # (spec/envelope.text_form); structuredContent keeps the whole envelope.
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str)
    if redactor.found_in(text) or _SURROGATE.search(text):  # one serialisation serves the checks
        # Masked string by string (a cut escape cannot break the JSON); a lone surrogate from the
        # API (which UTF-8 cannot carry to the client) becomes U+FFFD.
        text = _SURROGATE.sub("\ufffd", json.dumps(redactor.mask(envelope), ensure_ascii=False, default=str))
        envelope = json.loads(text)
    text = json.dumps(text_form(envelope), ensure_ascii=False, separators=(",", ":"), default=str)
    content: list[types.ContentBlock] = [types.TextContent(text=text), *(files or ())]
    return types.CallToolResult(content=content, structured_content=envelope, is_error=not envelope["ok"])


_CONFIRM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"confirm": {"type": "boolean", "title": "Send it", "description": "Check to send"}},
    "required": ["confirm"],
}


def _confirmer(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams, scope: int) -> Confirm:
    """Ask the human through MCP elicitation, when the client supports it: mid-call before the
    2026-07-28 protocol; from that version on, the call ends with an input request
    (`InputRequired`) and the client calls again carrying the answer, which counts once and only
    for the very call it answered (`AnswerStates`)."""

    async def confirm(message: str) -> Answer:
        caps = ctx.session.client_capabilities
        if caps is None or caps.elicitation is None:
            return "unavailable"
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
            answer = (params.input_responses or {}).get(_CONFIRM_KEY)
            if isinstance(answer, types.ElicitResult) and _STATES.redeem(
                params.request_state, _binding(params, scope, message)
            ):
                return _answer(answer)
            raise InputRequired(message)
        return _answer(await ctx.session.elicit_form(message, _CONFIRM_SCHEMA, related_request_id=ctx.request_id))

    return confirm


def _answer(result: types.ElicitResult) -> Answer:
    if result.action == "accept" and not (result.content or {}).get("confirm", False):
        return "decline"
    return result.action


_CONFIRM_KEY = "confirm"
_STATES = AnswerStates()


def _binding(params: types.CallToolRequestParams, scope: int, message: str) -> bytes:
    """What an answer is bound to: the tool, every argument (control ones too: allow_duplicate),
    the runtime (one per API key over HTTP) and the text the human saw."""
    return json.dumps([params.name, params.arguments or {}, scope, message], sort_keys=True, default=str).encode()


def input_required(message: str, binding: bytes) -> types.InputRequiredResult:
    ask = types.ElicitRequest(params=types.ElicitRequestFormParams(message=message, requested_schema=_CONFIRM_SCHEMA))
    return types.InputRequiredResult(input_requests={_CONFIRM_KEY: ask}, request_state=_STATES.issue(binding))


def create_server(
    runtime: Runtime, runtime_for: RuntimeFor | None = None, subscriptions: Subscriptions | None = None
) -> Server[Any]:
    """`runtime_for(ctx)`, when given, picks the runtime of each call (HTTP per-request keys);
    `subscriptions`, when given, serves resource subscriptions (webhook events)."""
    tools = [types.Tool.model_validate(d) for d in runtime.catalog.definitions()]
    # For the SDK's Mcp-Param header check on 2026-07-28 HTTP calls, which would otherwise run
    # this server's whole tools/list for every tools/call just to find one schema.
    input_schemas = {tool.name: tool.input_schema for tool in tools}

    @asynccontextmanager
    async def runtime_of(ctx: ServerRequestContext[Any]) -> AsyncIterator[Runtime]:
        """The request's runtime, held open (HTTP per-request keys) until the handler returns."""
        if runtime_for is None:
            yield runtime
            return
        async with runtime_for(ctx) as picked:
            yield picked

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        async with runtime_of(ctx) as runtime:
            try:
                envelope = await runtime.call(
                    params.name,
                    params.arguments,
                    confirm=_confirmer(ctx, params, id(runtime)),
                    progress=ctx.session.report_progress,
                )
            except InputRequired as pending:
                return input_required(pending.message, _binding(params, id(runtime), pending.message))
            except UnknownToolError:
                hint = did_you_mean(params.name, runtime.catalog.names())
                raise MCPError(
                    types.INVALID_PARAMS, f"Unknown tool: {params.name}. {hint + ' ' if hint else ''}See tools/list."
                ) from None
            except Exception as exc:  # a bug of ours must not take the server down
                log.error("tool %s failed: %s", params.name, runtime.redactor.text(repr(exc)))
                error = ToolError(
                    Code.INTERNAL_ERROR, f"linkup-mcp failed internally ({type(exc).__name__}); please report it."
                )
                envelope = build(tool=params.name, account_id=None, error=error)
            return tool_result(envelope, runtime.redactor, resources.embedded_files(runtime, envelope))

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        async with runtime_of(ctx) as runtime:
            return types.ListResourcesResult(resources=await resources.list_resources(runtime))

    async def list_resource_templates(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        async with runtime_of(ctx) as runtime:
            return types.ListResourceTemplatesResult(resource_templates=resources.list_templates(runtime))

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        async with runtime_of(ctx) as runtime:
            contents = await resources.read_resource(runtime, str(params.uri))
            return types.ReadResourceResult(contents=redact_contents(contents, runtime.redactor))

    async def subscribe(ctx: ServerRequestContext[Any], params: types.SubscribeRequestParams) -> types.EmptyResult:
        assert subscriptions is not None
        async with runtime_of(ctx) as runtime:
            await subscriptions.subscribe_session(runtime, str(params.uri), ctx.session)
        return types.EmptyResult()

    async def unsubscribe(ctx: ServerRequestContext[Any], params: types.UnsubscribeRequestParams) -> types.EmptyResult:
        assert subscriptions is not None
        async with runtime_of(ctx) as runtime:
            subscriptions.unsubscribe_session(runtime, str(params.uri), ctx.session)
        return types.EmptyResult()

    async def listen(
        ctx: ServerRequestContext[Any], params: types.SubscriptionsListenRequestParams
    ) -> types.SubscriptionsListenResult:
        assert subscriptions is not None
        async with runtime_of(ctx) as runtime:
            return await subscriptions.listen(runtime, ctx, params)

    subscription_handlers: dict[str, Any] = (
        {"on_subscribe_resource": subscribe, "on_unsubscribe_resource": unsubscribe, "on_subscriptions_listen": listen}
        if subscriptions is not None
        else {}
    )

    async def list_prompts(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[_prompt(p) for p in PROMPTS.values()])

    async def get_prompt(ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams) -> types.GetPromptResult:
        prompt = PROMPTS.get(params.name)
        if prompt is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown prompt {params.name!r}; known: {', '.join(PROMPTS)}")
        try:
            text = prompt.render(dict(params.arguments or {}))
        except ValueError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None
        message = types.PromptMessage(role="user", content=types.TextContent(text=text))
        return types.GetPromptResult(description=prompt.description, messages=[message])

    return Server(
        "linkup-mcp",
        version=__version__,
        title="LinkupAPI (LinkedIn automation)",
        instructions=instructions(runtime),  # from the settings: the safety an agent cannot see
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
        get_tool_input_schema=input_schemas.get,
        **subscription_handlers,
    )


def _prompt(prompt: WorkflowPrompt) -> types.Prompt:
    args = [types.PromptArgument(name=a.name, description=a.description, required=a.required) for a in prompt.arguments]
    return types.Prompt(name=prompt.name, title=prompt.title, description=prompt.description, arguments=args)


def redact_contents(contents: list[Any], redactor: Redactor) -> list[Any]:
    return [
        c.model_copy(update={"text": _SURROGATE.sub("\ufffd", redactor.json_text(c.text))})
        if isinstance(c, types.TextResourceContents)
        else c
        for c in contents
    ]


_SURROGATE = re.compile("[\ud800-\udfff]")


async def _stop_on_signals(scope: anyio.CancelScope) -> None:
    """SIGTERM/SIGINT end the session like stdin EOF: calls in flight are cancelled and recorded
    in the ledger (a write already sent as OUTCOME_UNKNOWN), then the process exits with 0."""
    try:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                log.info("received %s: shutting down", signal.Signals(signum).name)
                scope.cancel()
                return
    except NotImplementedError:  # Windows event loops have no signal receivers
        return


async def serve_stdio(settings: Settings) -> None:
    from mcp.server.stdio import stdio_server

    from linkup_mcp.mcp.stdio_lines import CheckedStdin

    async with open_runtime(settings) as runtime, Subscriptions.running() as subscriptions:
        server = create_server(runtime, subscriptions=subscriptions)
        # What start-up built lives as long as the process: out of the collector's full passes.
        gc.freeze()
        stdin = CheckedStdin()
        # The signal watcher's scope encloses the transport, so a SIGTERM also stops its reader
        # and writer tasks (stdin EOF ends them by itself).
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_stop_on_signals, tasks.cancel_scope)
            async with stdio_server(stdin=stdin) as (read_stream, write_stream):  # type: ignore[arg-type]
                stdin.attach(write_stream)
                await server.run(read_stream, write_stream, server.create_initialization_options())
            tasks.cancel_scope.cancel()  # stop watching for signals


# The runtime of one request, held while it runs (see `create_server`); mcp/client_keys.py routes
# per-request keys.
RuntimeFor = Callable[[ServerRequestContext[Any]], AbstractAsyncContextManager[Runtime]]
