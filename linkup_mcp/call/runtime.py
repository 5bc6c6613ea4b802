"""The runtime: the parts one server process (or one API key over HTTP) runs tool calls with —
catalog, API client, credit meter, ledger, read cache, outreach state, files — and
`open_runtime`, which builds them from the settings.

Everything a call touches hangs off the runtime, so the MCP layer, resources, subscriptions
and the CLI take a `Runtime` and nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Literal

import anyio

from linkup_mcp.api.client import LinkupClient
from linkup_mcp.api.retry import RetryPolicy
from linkup_mcp.call import dispatch, safety
from linkup_mcp.call.confirmation import Confirm
from linkup_mcp.call.dispatch import UnknownToolError
from linkup_mcp.call.files import FileStore
from linkup_mcp.call.heartbeat import Progress
from linkup_mcp.call.outreach import Guards, PreviewTokens, RecipientCap
from linkup_mcp.call.people import Ties
from linkup_mcp.config import Settings, parse_pacing, parse_ttls
from linkup_mcp.redact import Redactor
from linkup_mcp.spec.catalog import Catalog, Exposure, default_actions
from linkup_mcp.spec.credits import CreditMeter
from linkup_mcp.store.drift_log import DriftLog
from linkup_mcp.store.ledger import Ledger, Store, open_ledger
from linkup_mcp.store.read_cache import ReadCache, ttl_of

ConfirmMode = Literal["off", "outreach", "all", "preview"]

NOT_CONFIGURED = "LINKUP_API_KEY is not set. Set it to your LinkupAPI key, or start with --sandbox."
NO_KEY_WITH_CLIENT_KEYS = (
    "No LinkupAPI key: send yours in the X-Linkup-Api-Key header (this server takes one per request "
    "and has none of its own)."
)


class Runtime:
    def __init__(
        self,
        catalog: Catalog,
        *,
        client: LinkupClient | None,
        meter: CreditMeter,
        ledger: Store | None = None,
        guards: Guards | None = None,
        confirm_mode: ConfirmMode = "off",
        default_account: str | None = None,
        sandbox: bool = False,
        max_result_bytes: int | None = None,
        upload_dir: str | None = None,
        max_upload_bytes: int = 10_000_000,
        cache_ttl: str | None = None,
        max_recipients: int | None = None,
        not_configured: str = NOT_CONFIGURED,
        redactor: Redactor | None = None,
    ):
        self.catalog = catalog
        self.client = client
        self.meter = meter
        self.ledger: Store = ledger or Ledger(":memory:")
        self.guards = guards or Guards()
        self.confirm_mode = confirm_mode
        self.default_account = default_account
        self.sandbox = sandbox
        self.max_result_bytes = max_result_bytes
        self.upload_dir, self.max_upload_bytes = upload_dir, max_upload_bytes
        self.not_configured = not_configured
        self.redactor = redactor or Redactor([])
        self.files = FileStore()
        self.previews = PreviewTokens(clock=self.ledger.now, store=self.ledger)  # any process may redeem
        self.recipients = RecipientCap(max_recipients)
        self.ties = Ties()  # profile URLs and member URNs answers showed to be one person
        self.cache = ReadCache(self.ledger, cache_ttl) if cache_ttl != "0" else None
        self.drift_log = DriftLog(self.ledger)  # answers that differ from the docs
        self.wait_poll_s = 2.0  # webhooks_wait polling interval

    @property
    def confirm_mode(self) -> ConfirmMode:
        return self._confirm_mode

    @confirm_mode.setter
    def confirm_mode(self, mode: ConfirmMode) -> None:
        """LINKUP_CONFIRM; the catalog follows it (confirm_token is listed only where it acts, in
        preview mode), so a runtime never lists an argument its mode ignores."""
        self._confirm_mode = mode
        self.catalog = self.catalog.with_previews(mode == "preview")

    async def call(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        *,
        confirm: Confirm | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """A listed tool by name: its result envelope (UnknownToolError if it is not listed)."""
        return await dispatch.call(self, name, arguments, confirm=confirm, progress=progress)

    async def run(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """An API tool by name, listed or not (compact mode): for the server's own resources."""
        tool = self.catalog.get(name)
        if tool is None:
            raise UnknownToolError(name)
        return await dispatch.run_tool(self, tool, dict(arguments))

    def daily_left(self, spent_today: int | None = None) -> int | None:
        """What is left of LINKUP_DAILY_CREDITS today (blocking: reads the ledger unless given)."""
        daily = self.guards.daily_credits
        if daily is None:
            return None
        return max(0, daily - (self.ledger.spent_today() if spent_today is None else spent_today))

    def own_spend(self) -> dict[str, Any]:
        """What this server spent and may still spend, and its safety settings (call/safety.py):
        credits_get's `this_server` (blocking: reads the ledger). A budget that is not configured
        is left out, not null (every result is paid in tokens); `note` says which number is
        "spent today"."""
        today = self.ledger.spent_today()
        spend = {
            "session_spent": self.meter.spent,
            "max_credits": self.meter.max_credits,
            "budget_remaining": self.meter.remaining(),
            "max_credits_per_call": self.guards.max_credits_per_call,
            "spent_today": today,
            "daily_credits": self.guards.daily_credits,
            "daily_remaining": self.daily_left(today),
        }
        return {**{k: v for k, v in spend.items() if v is not None}, **safety.status(self), "note": safety.SPENT_NOTE}


def build_catalog(settings: Settings) -> Catalog:
    """The catalog these settings expose; one object for all runtimes with the same exposure (HTTP
    per-request keys open many: a catalog each, and the validators cached for its schemas, would
    grow the process with every key)."""
    return _catalog(
        tuple(settings.toolsets or ()) if settings.toolsets is not None else None,
        settings.read_only,
        tuple(settings.tools) if settings.tools is not None else None,
        tuple(settings.exclude_tools) if settings.exclude_tools is not None else None,
        settings.tool_mode == "compact",
        settings.confirm == "preview",
        uncached(settings.cache_ttl),
    )


def uncached(cache_ttl: str | None) -> tuple[str, ...]:
    """Cached reads whose cache LINKUP_CACHE_TTL turns off: their `fresh` would do nothing."""
    every, per_tool = parse_ttls(cache_ttl)
    return tuple(
        a.tool
        for a in default_actions()
        if a.spec.cache_ttl is not None and ttl_of(a.tool, a.spec.cache_ttl, every, per_tool) == 0
    )


@functools.lru_cache(maxsize=8)
def _catalog(
    toolsets: tuple[str, ...] | None,
    read_only: bool,
    tools: tuple[str, ...] | None,
    exclude_tools: tuple[str, ...] | None,
    compact: bool,
    previews: bool = False,
    off: tuple[str, ...] = (),
) -> Catalog:
    exposure = Exposure.of(toolsets, read_only, tools, exclude_tools)
    return Catalog.build(exposure=exposure, compact=compact, previews=previews, uncached=off)


async def _shielded(work: Any) -> None:
    """Blocking clean-up in a worker thread, finished even when the closing scope is cancelled."""
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(work)


@asynccontextmanager
async def open_runtime(settings: Settings, *, transport: Any = None) -> AsyncIterator[Runtime]:
    """The runtime of these settings, against the real API or the built-in sandbox; closed on exit."""
    async with AsyncExitStack() as stack:
        base_url, api_key = settings.base_url, settings.api_key_value()
        default_account = settings.account_id
        if settings.sandbox:
            from linkup_mcp.sandbox import SandboxServer  # web stack only in sandbox mode

            sandbox = stack.enter_context(SandboxServer())
            base_url, api_key = sandbox.base_url, sandbox.config.api_key
            default_account = default_account or sandbox.config.account_id
        # Off the event loop: a new SQLite file costs fsyncs (~30 ms), and HTTP per-request keys
        # may open runtimes while other calls are served.
        with anyio.CancelScope(shield=True):
            ledger = await anyio.to_thread.run_sync(open_ledger, settings.ledger_path())
        stack.push_async_callback(_shielded, ledger.close)
        client = None
        if api_key:
            client = LinkupClient(
                base_url=base_url,
                api_key=api_key,
                timeout=settings.timeout,
                policy=RetryPolicy(max_retries=settings.max_retries, deadline_s=settings.retry_deadline),
                transport=transport,
                requests_per_minute=settings.rate_limit,
                limiter=ledger.rate_limiter(api_key, settings.rate_limit),  # shared by replicas on PostgreSQL
            )
            stack.push_async_callback(client.aclose)
        yield Runtime(
            build_catalog(settings),
            client=client,
            meter=CreditMeter(settings.max_credits),
            ledger=ledger,
            guards=Guards(
                max_credits_per_call=settings.max_credits_per_call,
                daily_credits=settings.daily_credits,
                pacing=parse_pacing(settings.pacing),
            ),
            confirm_mode=settings.confirm,
            default_account=default_account,
            sandbox=settings.sandbox,
            max_result_bytes=settings.max_result_bytes,
            upload_dir=settings.upload_dir,
            max_upload_bytes=settings.max_upload_bytes,
            cache_ttl=settings.cache_ttl,
            max_recipients=settings.max_recipients,
            not_configured=NO_KEY_WITH_CLIENT_KEYS if settings.client_keys and not api_key else NOT_CONFIGURED,
            redactor=Redactor([api_key]),
        )
