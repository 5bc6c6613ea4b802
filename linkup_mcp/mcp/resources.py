"""MCP resources: the connected accounts, the credit status, hosted webhooks' events, and files
from recent results.

`linkup://accounts`, `linkup://credits` and `linkup://webhooks/{webhook_id}/events` are read
live through the runtime (the endpoints are free, and the reads are in the ledger like any
call); webhook events are there only when the webhooks toolset is (the user's exposure choice
holds for resources too), and can be subscribed to (`subscriptions.py`).
`linkup://files/...` are the binary results (a CV) kept by the runtime's file store.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from linkup_mcp.call.runtime import Runtime
from linkup_mcp.spec.models import ID_PATTERN

log = logging.getLogger(__name__)

WEBHOOK_EVENTS_TEMPLATE = "linkup://webhooks/{webhook_id}/events"
_WEBHOOK_EVENTS = re.compile(rf"^linkup://webhooks/({ID_PATTERN[1:-1]})/events$")  # ids fit in a URL path
EVENTS_PAGE = 200  # the API's largest page
EVENTS_PAGES = 5  # polls per read at most: 1,000 events, more than a day of one account's replies
EVENTS_KEPT = 100  # the newest events a read returns

LIVE = {
    "linkup://accounts": ("accounts_list", "Connected LinkedIn accounts", "The accounts this API key can act as."),
    "linkup://credits": ("credits_get", "Credit status", "LinkupAPI balance plus this server's spend and budgets."),
}


def webhook_events_uri(webhook_id: str) -> str:
    return WEBHOOK_EVENTS_TEMPLATE.format(webhook_id=webhook_id)


def webhook_of(uri: str) -> str | None:
    """The webhook id of a `linkup://webhooks/{id}/events` URI, else None."""
    match = _WEBHOOK_EVENTS.match(uri)
    return match.group(1) if match else None


def webhooks_exposed(runtime: Runtime) -> bool:
    return "webhooks_events" in runtime.catalog.tools


def list_templates(runtime: Runtime) -> list[types.ResourceTemplate]:
    if not webhooks_exposed(runtime):
        return []
    template = types.ResourceTemplate(
        name="webhook_events",
        title="Webhook events",
        uri_template=WEBHOOK_EVENTS_TEMPLATE,
        description=(
            "The newest events (replies, accepted invitations) of a hosted webhook, oldest first, and "
            "`next` to continue with webhooks_events. Subscribe to be notified when new ones arrive."
        ),
        mime_type="application/json",
    )
    return [template]


async def list_resources(runtime: Runtime) -> list[types.Resource]:
    live = [
        types.Resource(name=tool, title=title, uri=uri, description=text, mime_type="application/json")
        for uri, (tool, title, text) in LIVE.items()
        if tool in runtime.catalog.tools
    ]
    files = [
        types.Resource(name=f.filename, uri=f.uri, mime_type=f.mime_type, size=len(f.content))
        for f in runtime.files.all()
    ]
    return live + await _webhook_resources(runtime) + files


async def _webhook_resources(runtime: Runtime) -> list[types.Resource]:
    """One resource per hosted webhook of this key (a free `webhooks_list` call)."""
    if not webhooks_exposed(runtime) or runtime.client is None:
        return []
    envelope = await runtime.run("webhooks_list", {})
    if not envelope["ok"]:
        log.warning("resources/list: webhooks_list failed: %s", envelope["error"]["message"])
        return []
    data = envelope["data"]
    hooks = data.get("webhooks", []) if isinstance(data, dict) else data
    return [
        types.Resource(
            name=f"webhook_events_{hook['webhook_id']}",
            title=f"Events of webhook {hook['webhook_id']}",
            uri=webhook_events_uri(hook["webhook_id"]),
            description=(
                f"Newest events of hosted webhook {hook['webhook_id']} (account {hook.get('account_id')}"
                f"{'' if hook.get('is_active', True) else ', stopped'}); subscribe for updates."
            ),
            mime_type="application/json",
        )
        for hook in hooks
        if isinstance(hook, dict) and isinstance(hook.get("webhook_id"), str) and not hook.get("url")
    ]


async def read_resource(runtime: Runtime, uri: str) -> list[types.TextResourceContents | types.BlobResourceContents]:
    body: Any = None
    if uri in LIVE and LIVE[uri][0] in runtime.catalog.tools:
        envelope = await runtime.run(LIVE[uri][0], {})
        body = envelope["data"] if envelope["ok"] else {"error": envelope["error"]}
    elif (webhook_id := webhook_of(uri)) is not None and webhooks_exposed(runtime):
        body = await read_webhook_events(runtime, webhook_id)
    if body is not None:
        return [types.TextResourceContents(uri=uri, mime_type="application/json", text=json.dumps(body))]
    stored = runtime.files.get(uri)
    if stored is None:
        raise MCPError(types.INVALID_PARAMS, f"Unknown resource {uri}; see resources/list (files are kept for a while)")
    blob = base64.b64encode(stored.content).decode()
    return [types.BlobResourceContents(uri=uri, mime_type=stored.mime_type, blob=blob)]


def embedded_files(runtime: Runtime, envelope: dict[str, Any]) -> list[types.EmbeddedResource]:
    """The files a result names, as embedded resources of the tool result."""
    out = []
    for ref in envelope.get("files", []):
        stored = runtime.files.get(ref["uri"])
        if stored is not None:
            blob = base64.b64encode(stored.content).decode()
            contents = types.BlobResourceContents(uri=stored.uri, mime_type=stored.mime_type, blob=blob)
            out.append(types.EmbeddedResource(type="resource", resource=contents))
    return out


async def read_webhook_events(runtime: Runtime, webhook_id: str) -> dict[str, Any]:
    """The newest `EVENTS_KEPT` events (kept 24 h by the API, which pages them oldest first and
    sends no cursor), and `next`: the `webhooks_events` / `webhooks_wait` arguments that continue
    after them without repeating one (derived from the events themselves, call/pagination.py)."""
    items: list[Any] = []
    args: dict[str, Any] = {"webhook_id": webhook_id, "limit": EVENTS_PAGE}
    for _ in range(EVENTS_PAGES):
        envelope = await runtime.run("webhooks_events", args)
        if not envelope["ok"]:
            return {"webhook_id": webhook_id, "error": envelope["error"]}
        page = envelope["data"] if isinstance(envelope["data"], dict) else {}
        items = (items + list(page.get("items") or []))[-EVENTS_KEPT:]
        args = envelope.get("next") or args
        if not envelope.get("has_more"):
            break
    return {"webhook_id": webhook_id, "items": items, "next": {k: v for k, v in args.items() if k != "limit"}}
