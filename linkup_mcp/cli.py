"""Terminal commands that use the catalog and dispatcher directly (no MCP client needed)."""

from __future__ import annotations

import json
import sys

from linkup_mcp.catalog import Catalog
from linkup_mcp.config import Settings


def print_tools(settings: Settings, *, as_json: bool) -> int:
    catalog = Catalog.build(toolsets=settings.toolsets, read_only=settings.read_only)
    if as_json:
        print(json.dumps(catalog.definitions(), indent=2))
        return 0
    for tool in catalog.tools.values():
        cost = tool.definition["description"].split("Cost: ", 1)[1].split("\n", 1)[0]
        print(f"{tool.name:32} {tool.action.spec.side_effect.value:12} {cost}")
    return 0


async def call_tool(settings: Settings, name: str, raw_args: str) -> int:
    from linkup_mcp.dispatcher import UnknownToolError
    from linkup_mcp.server import open_runtime

    try:
        args = json.loads(raw_args)
    except json.JSONDecodeError as exc:
        print(f"--args is not valid JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(args, dict):
        print("--args must be a JSON object, e.g. '{\"profile_url\": \"...\"}'", file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime:
        try:
            envelope = await runtime.dispatcher.call(name, args)
        except UnknownToolError:
            print(f"unknown tool {name!r}; run `linkup-mcp tools` to list them", file=sys.stderr)
            return 2
        print(json.dumps(runtime.redactor.scrub(envelope), indent=2, ensure_ascii=False))
        return 0 if envelope["ok"] else 1
