"""Command line: pick a mode and run it.

    linkup-mcp [flags]                  stdio MCP server (what MCP clients launch)
    linkup-mcp --sandbox                the same, against the built-in sandbox
    linkup-mcp --transport http         streamable HTTP on --host/--port (127.0.0.1:8000)
    linkup-mcp sandbox [--port N]       serve the sandbox API alone
    linkup-mcp tools [--json]           list the tools and their cost
    linkup-mcp call TOOL --args JSON    call one tool and print its envelope
    linkup-mcp demo                     run a scripted agent session against the sandbox
    linkup-mcp doctor                   check the set-up (key, URL, account, credits, ledger, specs)
    linkup-mcp login [--country FR]     connect a LinkedIn account (asks for its login token)
    linkup-mcp verify [--max-credits 5] call a few actions; report answers that differ from the docs

Flags mirror the LINKUP_* environment variables and override them. The API key has no flag
on purpose: command lines are visible to other users of the machine (use LINKUP_API_KEY).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from linkup_mcp import __version__

# Settings that have no flag: secrets must not appear on command lines (visible to other users).
_NO_FLAG = frozenset({"api_key", "mcp_token"})


def _settings_flags(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """One `--x-y` flag per Settings field `x_y` (env LINKUP_X_Y), derived so they never drift."""
    from linkup_mcp.config import Settings

    # On subcommands the flags default to SUPPRESS, so `--sandbox tools` keeps the top-level value.
    if sub:
        parser.argument_default = argparse.SUPPRESS
    for name, field in Settings.model_fields.items():
        if name in _NO_FLAG:
            continue
        flag = "--" + name.replace("_", "-")
        env = "LINKUP_" + name.upper()
        if field.annotation is bool:
            parser.add_argument(flag, dest=name, action="store_const", const=True, help=f"{field.description} ({env})")
        else:
            parser.add_argument(flag, dest=name, metavar=name.upper(), help=f"{field.description} ({env})")
    parser.add_argument(
        "--compact", dest="tool_mode", action="store_const", const="compact", help="same as --tool-mode compact"
    )


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
    tools.add_argument("--markdown", action="store_true", help="print the catalog as Markdown (docs/tools.md)")
    _settings_flags(tools, sub=True)
    call = sub.add_parser("call", help="call one tool and print the result envelope")
    call.add_argument("tool")
    call.add_argument("--args", default="{}", help="tool arguments as a JSON object; - reads them from stdin")
    _settings_flags(call, sub=True)
    sub.add_parser("demo", help="a scripted agent session against the sandbox, over MCP stdio")
    ledger = sub.add_parser("ledger", help="print credit spend by day, tool and account")
    ledger.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    _settings_flags(ledger, sub=True)
    doctor = sub.add_parser("doctor", help="check configuration, key, account, credits, ledger and specs")
    _settings_flags(doctor, sub=True)
    login = sub.add_parser(
        "login", help="connect a LinkedIn account: asks for its login token (no echo) or reads it from stdin"
    )
    login.add_argument("--country", help="two-letter country of the account, e.g. FR (asked when not given)")
    login.add_argument("--platform", default="linkedin", choices=["linkedin"], help="platform (default linkedin)")
    _settings_flags(login, sub=True)
    verify = sub.add_parser(
        "verify", help="call a few actions (free first, --max-credits 5 at most) and report drift from the docs"
    )
    _settings_flags(verify, sub=True)
    return parser


def _settings(ns: argparse.Namespace) -> Any:
    from linkup_mcp.config import Settings, load_settings

    return load_settings(**{name: getattr(ns, name, None) for name in Settings.model_fields if name not in _NO_FLAG})


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    if ns.command == "sandbox":
        from linkup_mcp.sandbox import serve_forever

        serve_forever(ns.host, ns.port)
        return 0
    if ns.command == "demo":
        from linkup_mcp.cli.demo import run_demo

        return run_demo()
    from linkup_mcp.cli.settings import InvalidSettings, checked

    if ns.command == "doctor":  # before settings load: an invalid configuration is one of its checks
        from linkup_mcp.cli.doctor import run_doctor

        return run_doctor(lambda: checked(lambda: _settings(ns)))
    try:
        settings = checked(lambda: _settings(ns))
    except InvalidSettings as exc:
        print("linkup-mcp: invalid configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.line()}", file=sys.stderr)
        return 2
    from linkup_mcp.redact import setup_logging

    setup_logging(settings.log_level, [settings.api_key_value()])
    import anyio

    if ns.command == "ledger":
        from linkup_mcp.cli.commands import print_ledger

        return print_ledger(settings.ledger_path(), ns.days)
    if ns.command == "tools":
        from linkup_mcp.cli.commands import print_tools

        try:
            return print_tools(settings, as_json=ns.json, as_markdown=ns.markdown)
        except BrokenPipeError:  # `linkup-mcp tools | head`: the reader left; not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    if ns.command == "login":
        from linkup_mcp.cli.login import run_login

        return run_login(settings, country=ns.country, platform=ns.platform)
    if ns.command == "verify":  # --max-credits caps what it may spend (default 5, not the server's budget)
        from linkup_mcp.cli.verify import run_verify

        return anyio.run(run_verify, settings, getattr(ns, "max_credits", None) and int(ns.max_credits))
    if ns.command == "call":
        from linkup_mcp.cli.commands import call_tool

        return anyio.run(call_tool, settings, ns.tool, ns.args)
    if settings.transport == "http":
        from linkup_mcp.mcp.http import serve_http

        return serve_http(settings)
    from linkup_mcp.mcp.server import serve_stdio

    try:
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(serve_stdio, settings)
    except BaseException as exc:
        if not _only_broken_pipes(exc):
            raise
        # The client closed our stdout: the session is over, as on stdin EOF (calls in flight
        # were cancelled and recorded on the way out).
        logging.getLogger("linkup_mcp").info("the client closed stdout; session over")
    # Everything is closed (ledger committed, HTTP pool shut). A stdin read abandoned by a
    # SIGTERM may still block a worker thread that interpreter shutdown would wait for.
    logging.shutdown()
    sys.stdout.flush()
    os._exit(0)


def _only_broken_pipes(exc: BaseException) -> bool:
    """`exc` is a BrokenPipeError, or a group (nested) of nothing else."""
    inner = getattr(exc, "exceptions", None)
    if inner is None:
        return isinstance(exc, BrokenPipeError)
    return bool(inner) and all(_only_broken_pipes(e) for e in inner)


if __name__ == "__main__":
    sys.exit(main())
