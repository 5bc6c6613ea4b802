"""Command line: pick a mode and run it.

    linkup-mcp [flags]                  stdio MCP server (what MCP clients launch)
    linkup-mcp --sandbox                the same, against the built-in sandbox
    linkup-mcp sandbox [--port N]       serve the sandbox API alone
    linkup-mcp tools [--json]           list the tools and their cost
    linkup-mcp call TOOL --args JSON    call one tool and print its envelope
    linkup-mcp demo                     run a scripted agent session against the sandbox

Flags mirror the LINKUP_* environment variables and override them. The API key has no flag
on purpose: command lines are visible to other users of the machine (use LINKUP_API_KEY).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from linkup_mcp import __version__


def _settings_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sandbox", action="store_const", const=True, help="use the built-in sandbox API")
    parser.add_argument("--base-url", help="API base URL (LINKUP_BASE_URL)")
    parser.add_argument("--account-id", help="default account_id (LINKUP_ACCOUNT_ID)")
    parser.add_argument("--max-credits", type=int, help="credit budget for this process (LINKUP_MAX_CREDITS)")
    parser.add_argument("--toolsets", help="comma list of categories to expose (LINKUP_TOOLSETS)")
    parser.add_argument("--read-only", action="store_const", const=True, help="expose read-only tools only")
    parser.add_argument("--timeout", type=float, help="per-request timeout in seconds (LINKUP_TIMEOUT)")
    parser.add_argument("--log-level", help="stderr log level (LINKUP_LOG_LEVEL)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linkup-mcp", description="LinkupAPI V2 MCP server")
    parser.add_argument("--version", action="version", version=f"linkup-mcp {__version__}")
    _settings_flags(parser)
    sub = parser.add_subparsers(dest="command")
    sandbox = sub.add_parser("sandbox", help="serve the simulated LinkupAPI V2 alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    tools = sub.add_parser("tools", help="list tools")
    tools.add_argument("--json", action="store_true", help="print the full MCP tool definitions")
    _settings_flags(tools)
    call = sub.add_parser("call", help="call one tool and print the result envelope")
    call.add_argument("tool")
    call.add_argument("--args", default="{}", help="tool arguments as a JSON object")
    _settings_flags(call)
    sub.add_parser("demo", help="a scripted agent session against the sandbox, over MCP stdio")
    return parser


def _settings(ns: argparse.Namespace) -> Any:
    from linkup_mcp.config import load_settings

    return load_settings(
        sandbox=ns.sandbox,
        base_url=ns.base_url,
        account_id=ns.account_id,
        max_credits=ns.max_credits,
        toolsets=ns.toolsets,
        read_only=ns.read_only,
        timeout=ns.timeout,
        log_level=ns.log_level,
    )


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    if ns.command == "sandbox":
        from linkup_mcp.sandbox import serve_forever

        serve_forever(ns.host, ns.port)
        return 0
    if ns.command == "demo":
        from linkup_mcp.demo import run_demo

        return run_demo()
    from pydantic import ValidationError

    try:
        settings = _settings(ns)
    except ValidationError as exc:
        print(f"linkup-mcp: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    from linkup_mcp.redact import setup_logging

    setup_logging(settings.log_level, [settings.api_key_value()])
    import anyio

    if ns.command == "tools":
        from linkup_mcp.cli import print_tools

        return print_tools(settings, as_json=ns.json)
    if ns.command == "call":
        from linkup_mcp.cli import call_tool

        return anyio.run(call_tool, settings, ns.tool, ns.args)
    from linkup_mcp.server import serve_stdio

    try:
        anyio.run(serve_stdio, settings)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
