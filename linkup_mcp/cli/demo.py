"""`linkup-mcp demo`: a scripted agent session against the built-in sandbox.

It starts the real server (`linkup-mcp --sandbox`) as a subprocess and drives it over stdio
with the official MCP client, exactly as Claude or Cursor would, printing each call and the
credits it cost.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

INVITE_NOTE = "Hi! Enjoyed your talk on platform teams."
GREETING = "Thanks for connecting! Would a short call next week work?"

# (title, tool, arguments from what earlier steps returned)
Step = tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]
STEPS: list[Step] = [
    ("Check the credit balance", "credits_get", lambda seen: {}),
    (
        "Find 2nd-degree CTOs in Paris",
        "profiles_search_people",
        lambda seen: {"title": "CTO", "location": ["Paris"], "network": ["S"], "total_results": 15},
    ),
    ("Read the first lead's profile", "profiles_get", lambda seen: {"profile_url": seen["lead"]}),
    ("Invite them with a note", "network_invite", lambda seen: {"profile_url": seen["lead"], "message": INVITE_NOTE}),
    ("The invitation is pending", "network_check_invitation", lambda seen: {"profile_url": seen["lead"]}),
    (
        "Inviting again is refused (no double sends)",
        "network_invite",
        lambda seen: {"profile_url": seen["lead"], "message": INVITE_NOTE},
    ),
    ("Pick a 1st-degree connection", "network_list_connections", lambda seen: {"count": 1}),
    ("Message them", "messages_send", lambda seen: {"profile_url": seen["friend"], "message_text": GREETING}),
    (
        "The conversation shows it",
        "messages_get_conversation",
        lambda seen: {"profile_url": seen["friend"], "count": 2},
    ),
    (
        "What would a big search cost? (estimate, nothing sent)",
        "credits_estimate",
        lambda seen: {"tool": "profiles_search_people", "arguments": {"keyword": "founder", "total_results": 300}},
    ),
    (
        "Invalid arguments are refused locally (no request, no credits)",
        "profiles_search_people",
        lambda seen: {"location": "Paris"},
    ),
    ("Balance afterwards", "credits_get", lambda seen: {}),
]


def _remember(tool: str, data: Any, seen: dict[str, Any]) -> None:
    """Keep the ids later steps need: the first lead found, the first connection listed."""
    if not isinstance(data, dict):
        return
    if tool == "profiles_search_people" and data.get("results"):
        seen.setdefault("lead", data["results"][0]["linkedin_url"])  # the documented field of a search result
    if tool == "network_list_connections" and data.get("connections"):
        seen.setdefault("friend", data["connections"][0]["profile_url"])


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

    # A throw-away ledger: the sandbox starts fresh each run, so must the duplicate memory.
    env = {**os.environ, "LINKUP_LEDGER": ":memory:"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "linkup_mcp", "--sandbox"], env=env)
    transport: Any = stdio_client(params)
    async with Client(transport, mode="legacy") as client:
        listed = await client.list_tools()
        print(f"linkup-mcp sandbox: {len(listed.tools)} tools listed over MCP stdio")
        seen: dict[str, Any] = {}
        for title, tool, make_args in STEPS:
            args = make_args(seen)
            result = await client.call_tool(tool, args)
            envelope = result.structured_content
            if not isinstance(envelope, dict):
                print(f"unexpected result for {tool}: {result}", file=sys.stderr)
                return 1
            _show(title, tool, args, envelope)
            _remember(tool, envelope.get("data"), seen)
    print("\nEverything above ran through the real MCP server against the built-in sandbox.")
    return 0


def run_demo() -> int:
    import anyio

    return anyio.run(_run)
