"""`linkup-mcp demo`: a scripted agent session against the built-in sandbox.

It starts the real server (`linkup-mcp --sandbox`) as a subprocess and drives it over stdio
with the official MCP client, exactly as Claude or Cursor would, printing each call and the
credits it cost.
"""

from __future__ import annotations

import json
import sys
from typing import Any

STEPS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("Check the credit balance", "credits_get", {}),
    (
        "Find engineering leaders in Paris",
        "profiles_search_people",
        {"title": "CTO", "location": ["Paris"], "total_results": 15},
    ),
    ("Read the first lead's profile", "profiles_get", None),
    ("Invite them with a note", "network_invite", None),
    ("See the pending invitation", "network_list_sent", {"count": 5}),
    ("Send a message", "messages_send", None),
    ("The conversation shows it", "messages_get_conversation", None),
    ("Invalid arguments are refused locally (no request, no credits)", "profiles_search_people", {"location": "Paris"}),
    ("Balance afterwards", "credits_get", {}),
]


def _show(title: str, tool: str, args: dict[str, Any], envelope: dict[str, Any]) -> None:
    credits = envelope["credits"]
    status = "ok" if envelope["ok"] else f"{envelope['error']['code']}: {envelope['error']['message'][:100]}"
    print(f"\n▶ {title}\n  {tool} {json.dumps(args, ensure_ascii=False)}")
    print(f"  → {status}")
    print(
        f"  credits: charged {credits['charged']}, estimated {credits['estimated']}, "
        f"session total {credits['session_spent']}"
    )
    data = envelope.get("data")
    if isinstance(data, dict):
        preview = json.dumps(data, ensure_ascii=False)
        print("  data: " + (preview if len(preview) < 160 else preview[:157] + "..."))


async def _run() -> int:
    from mcp.client import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "linkup_mcp", "--sandbox"])
    transport: Any = stdio_client(params)
    async with Client(transport, mode="legacy") as client:
        listed = await client.list_tools()
        print(f"linkup-mcp sandbox: {len(listed.tools)} tools listed over MCP stdio")
        lead: dict[str, Any] = {}
        for title, tool, args in STEPS:
            if args is None:
                url = lead.get("profile_url", "")
                args = {
                    "profiles_get": {"profile_url": url},
                    "network_invite": {"profile_url": url, "message": "Hi! Enjoyed your talk on platform teams."},
                    "messages_send": {"profile_url": url, "message_text": "Thanks for connecting!"},
                    "messages_get_conversation": {"profile_url": url, "count": 3},
                }[tool]
            result = await client.call_tool(tool, args)
            envelope = result.structured_content
            if not isinstance(envelope, dict):
                print(f"unexpected result for {tool}: {result}", file=sys.stderr)
                return 1
            _show(title, tool, args, envelope)
            results = (envelope.get("data") or {}).get("results") if tool == "profiles_search_people" else None
            if results and not lead:
                lead = results[0]
    print("\nEverything above ran through the real MCP server against the built-in sandbox.")
    return 0


def run_demo() -> int:
    import anyio

    return anyio.run(_run)
