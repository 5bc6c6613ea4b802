"""Terminal commands that use the catalog and runtime directly (no MCP client needed)."""

from __future__ import annotations

import json
import sys

from linkup_mcp.config import Settings
from linkup_mcp.spec.catalog import Catalog, Exposure


def print_tools(settings: Settings, *, as_json: bool = False, as_markdown: bool = False) -> int:
    from linkup_mcp.call.runtime import build_catalog

    catalog = build_catalog(settings)
    if as_markdown:
        from linkup_mcp.spec.docs import render_markdown

        print(render_markdown(Catalog.build(exposure=Exposure.everything())), end="")
        return 0
    if as_json:  # each tool's documentation page too (not in tools/list: it costs tokens there)
        listed = [{**d, "source": _source(catalog, d["name"])} for d in catalog.definitions()]
        print(json.dumps(listed, indent=2))
        return 0
    for definition in catalog.definitions():
        cost = definition["description"].split("Cost: ", 1)[1].split("\n", 1)[0]
        tool = catalog.get(definition["name"])
        effect = tool.action.spec.side_effect.value if tool else "local"
        print(f"{definition['name']:32} {effect:12} {cost}")
    return 0


def _source(catalog: Catalog, name: str) -> str | None:
    """The LinkupAPI page an API tool follows; None for a tool answered locally."""
    tool = catalog.get(name)
    return tool.action.spec.source if tool else None


async def call_tool(settings: Settings, name: str, raw_args: str) -> int:
    from linkup_mcp.call.dispatch import UnknownToolError
    from linkup_mcp.call.runtime import open_runtime

    if raw_args == "-":  # from stdin: keeps credentials off the command line (ps, shell history)
        raw_args = sys.stdin.read()
    try:
        args = json.loads(raw_args)
    except json.JSONDecodeError as exc:
        print(f"--args is not valid JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(args, dict):
        print('--args must be a JSON object, e.g. \'{"profile_url": "..."}\'', file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime:
        try:
            envelope = await runtime.call(name, args)
        except UnknownToolError:
            print(f"unknown tool {name!r}; run `linkup-mcp tools` to list them", file=sys.stderr)
            return 2
        print(json.dumps(runtime.redactor.scrub(envelope), indent=2, ensure_ascii=False))
        return 0 if envelope["ok"] else 1


def print_ledger(path: str, days: int) -> int:
    from pathlib import Path

    from linkup_mcp.store.drift_log import DriftLog
    from linkup_mcp.store.ledger import is_postgres_url, open_ledger

    if not is_postgres_url(path) and path != ":memory:" and not Path(path).exists():
        print(f"no ledger at {path} yet (it is created by the first tool call)")
        return 0
    try:
        ledger = open_ledger(path)
    except OSError as exc:  # a PostgreSQL ledger that cannot be reached
        print(f"linkup-mcp ledger: {exc}", file=sys.stderr)
        return 1
    try:
        rows = ledger.spend_report(days)
        drifted = DriftLog(ledger).recent(days)
    finally:
        ledger.close()
    print(f"ledger: {ledger.location} (last {days} days, UTC)")
    print(f"{'day':10}  {'tool':32} {'account':16} {'calls':>5} {'est.':>5} {'charged':>7}")
    total = 0
    for day, tool, account, calls, estimated, charged in rows:
        total += charged
        print(f"{day:10}  {tool:32} {account:16} {calls:>5} {estimated:>5} {charged:>7}")
    print(f"total charged: {total} credits")
    if drifted:
        print(f"answers that differed from LinkupAPI's docs ({len(drifted)}, newest first; please report them):")
        for row in drifted:
            print(f"  {row['time']}  {row['tool']}: {'; '.join(row['differences'])}")
    return 0
