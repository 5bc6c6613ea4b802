"""MCP resources: the connected accounts, the credit status, and files from recent results.

`linkup://accounts` and `linkup://credits` are read live through the dispatcher (both endpoints
are free, and the reads are in the ledger like any call); `linkup://files/...` are the binary
results (a CV) kept by the dispatcher's file store.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from linkup_mcp.dispatcher import Dispatcher

LIVE = {
    "linkup://accounts": ("accounts_list", "Connected LinkedIn accounts", "The accounts this API key can act as."),
    "linkup://credits": ("credits_get", "Credit status", "LinkupAPI balance plus this server's spend and budgets."),
}


def list_resources(dispatcher: Dispatcher) -> list[types.Resource]:
    live = [
        types.Resource(name=tool, title=title, uri=uri, description=text, mime_type="application/json")
        for uri, (tool, title, text) in LIVE.items()
        if tool in dispatcher.catalog.tools
    ]
    files = [
        types.Resource(name=f.filename, uri=f.uri, mime_type=f.mime_type, size=len(f.content))
        for f in dispatcher.files.all()
    ]
    return live + files


async def read_resource(
    dispatcher: Dispatcher, uri: str
) -> list[types.TextResourceContents | types.BlobResourceContents]:
    if uri in LIVE and LIVE[uri][0] in dispatcher.catalog.tools:
        envelope = await dispatcher.run(LIVE[uri][0], {})
        body: Any = envelope["data"] if envelope["ok"] else {"error": envelope["error"]}
        return [types.TextResourceContents(uri=uri, mime_type="application/json", text=json.dumps(body))]
    stored = dispatcher.files.get(uri)
    if stored is None:
        raise MCPError(types.INVALID_PARAMS, f"Unknown resource {uri}; see resources/list (files are kept for a while)")
    blob = base64.b64encode(stored.content).decode()
    return [types.BlobResourceContents(uri=uri, mime_type=stored.mime_type, blob=blob)]


def embedded_files(dispatcher: Dispatcher, envelope: dict[str, Any]) -> list[types.EmbeddedResource]:
    """The files a result names, as embedded resources of the tool result."""
    out = []
    for ref in envelope.get("files", []):
        stored = dispatcher.files.get(ref["uri"])
        if stored is not None:
            blob = base64.b64encode(stored.content).decode()
            contents = types.BlobResourceContents(uri=stored.uri, mime_type=stored.mime_type, blob=blob)
            out.append(types.EmbeddedResource(type="resource", resource=contents))
    return out
