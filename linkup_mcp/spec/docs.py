"""Render the tool catalog as Markdown: `docs/tools.md` and the README's tool table, both
rewritten by `uv run scripts/regenerate.py` (a test fails when either is stale)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from linkup_mcp.spec.catalog import Catalog, Exposure, default_actions, toolset_specs
from linkup_mcp.spec.credits import rule_text
from linkup_mcp.spec.models import ActionSpec, ResolvedAction
from linkup_mcp.spec.response import paths

REGENERATE = "uv run scripts/regenerate.py"

HEADER = f"""# Tool catalog

Generated from `tool_specs/*.yaml` by `{REGENERATE}`; a test fails when this file is
stale. Every tool that acts as an account also accepts `account_id` (defaults to
`LINKUP_ACCOUNT_ID`), and every tool returns the result envelope described in the README. The
parameters below are the tools' full schemas: tools/list leaves out `minLength: 1` and
`minimum: 1` (enforced locally all the same) and describes the control arguments in a few words
or none, once in the server instructions (a catalog paid on every turn stays small). With
`LINKUP_CONFIRM=preview`, outreach tools also take `confirm_token` (the token of the call's
preview, to send it); it is listed only in that mode, the only one where it acts.
"""

# The control arguments in full, for this page (tools/list describes them in a few words or none).
CONTROL_DOCS = {
    "fields": "Keep only these data paths (dotted, e.g. results.headline)",
    "max_credits": "Auto-page: follow `next` within this many credits",
    "fresh": "Ask the API again instead of the free cached answer",
    "allow_duplicate": "Send despite an identical send in 24 h or a known connected/invited state",
    "confirm_token": "The token of this call's preview (LINKUP_CONFIRM=preview), to send it",
    "skip": "Set by `next`: results of the first page already returned",
    "seen": "Set by `next`: event_ids already returned",
}

OPT_IN_NOTE = "*Opt-in toolset: listed only when `LINKUP_TOOLSETS` names `{}`.*\n"

# The README's tool section between these markers is generated (`readme_tools`).
README_START, README_END = "<!-- tools:start -->", "<!-- tools:end -->"


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: " + " \\| ".join(str(v) for v in schema["enum"])
    return str(kind)


def _fields_doc(spec: ActionSpec) -> str:
    """`fields` with the data paths it may name, so they can be read before a paid call."""
    known, below = paths(spec.response.data)
    checked = "" if spec.response.documented else " (of the assumed answer; others go through)"
    more = "; any path below " + ", ".join(f"`{b}`" for b in below) if below else ""
    return f"{CONTROL_DOCS['fields']}. Paths{checked}: " + ", ".join(f"`{k}`" for k in known) + more


def _param_rows(schema: dict[str, Any], texts: dict[str, str] | None = None) -> list[str]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        if name == "account_id":
            continue
        bits = [_type(prop)]
        if "default" in prop:
            bits.append(f"default `{json.dumps(prop['default'])}`")
        if "minimum" in prop or "maximum" in prop:
            bits.append(f"{prop.get('minimum', '')}..{prop.get('maximum', '')}")
        req = "yes" if name in required else ""
        text = (texts or {}).get(name) or CONTROL_DOCS.get(name) or prop.get("description", "")
        rows.append(f"| `{name}` | {', '.join(bits)} | {req} | {text} |")
    return rows


def render_markdown(catalog: Catalog) -> str:
    out = [HEADER]
    by_toolset: dict[str, list[Any]] = {}
    for tool in catalog.tools.values():
        by_toolset.setdefault(tool.action.toolset, []).append(tool)
    out.append("| tool | side effect | cost |\n|---|---|---|")
    for tool in catalog.tools.values():
        spec = tool.action.spec
        out.append(f"| [`{tool.name}`](#{tool.name}) | {spec.side_effect.value} | {rule_text(spec.credits)} |")
    for toolset, tools in by_toolset.items():
        info = tools[0].action.toolset_info
        out.append(f"\n## {toolset}\n")
        out.append(f"{info.description}\n")
        if not info.default:
            out.append(OPT_IN_NOTE.format(toolset))
        for tool in tools:
            spec, route = tool.action.spec, tool.action.route
            wire = f"`{route.method} {route.path}`" + (
                f", action `{tool.action.wire_action}`" if route.body == "action" else ""
            )
            out.append(f"### {tool.name}\n")
            out.append(f"**{spec.title}** — {spec.description.strip()}\n")
            assumed = "" if spec.response.documented else " (no page shows the answer: its shape is assumed)"
            out.append(
                f"- Cost: {rule_text(spec.credits)}\n- Side effect: {spec.side_effect.value}\n"
                f"- Pagination: {spec.pagination.style.value}\n- Wire: {wire}\n"
                f"- Docs: <{spec.source}>{assumed}\n"
            )
            rows = _param_rows(tool.full_schema or tool.input_schema, {"fields": _fields_doc(spec)})
            if rows:
                out.append("| parameter | type | required | description |\n|---|---|---|---|")
                out.extend(rows)
                if tool.alternatives:
                    needs = " or ".join(" + ".join(group) for group in tool.alternatives)
                    out.append(f"\nRequires one of: {needs}.")
            out.append("")
    for definition in catalog.local.values():
        out.append(f"\n## {definition['name']} (answered locally)\n")
        out.append(f"**{definition['title']}** — {definition['description']}\n")
        out.append("| parameter | type | required | description |\n|---|---|---|---|")
        schema = dict(definition["inputSchema"])
        schema["properties"] = {
            k: {kk: vv for kk, vv in v.items() if kk != "enum"} for k, v in schema["properties"].items()
        }  # the tool enum is every tool above
        out.extend(_param_rows(schema))
    return "\n".join(out).rstrip() + "\n"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def readme_tools(actions: Iterable[ResolvedAction] | None = None) -> str:
    """The README's tool summary: counts and one row per toolset, opt-in toolsets last."""
    from linkup_mcp.spec.local_tools import LOCAL_TOOLS

    actions = list(default_actions() if actions is None else actions)
    infos = toolset_specs(actions)
    order = [t for t, info in infos.items() if info.default] + [t for t, info in infos.items() if not info.default]
    names = {t: [a.spec.name for a in actions if a.toolset == t] for t in order}
    local = {t: [n for n, (_, toolset, _ro) in LOCAL_TOOLS.items() if toolset == t] for t in order}
    listed = Catalog.build(actions, Exposure())
    on = [t for t in order if infos[t].default]
    default_local = " and ".join(f"`{n}`" for n in listed.local)
    lines = [
        f"<!-- generated from tool_specs/*.yaml by `{REGENERATE}`: edit the specs, not this part -->",
        f"One tool per LinkupAPI V2 action, named `{{category}}_{{action}}`. By default "
        f"{_count(len(listed.tools), 'API tool')} in {_count(len(on), 'toolset')}"
        + (f", plus {default_local} (answered locally)." if default_local else "."),
    ]
    opt_in = [t for t in order if not infos[t].default]
    if opt_in:
        parts = []
        for t in opt_in:
            extra = "".join(f" and `{n}` (local)" for n in local[t])
            parts.append(f"`{t}` adds {_count(len(names[t]), 'API tool')}{extra}")
        lines.append(f"Opt-in toolsets, listed only when `LINKUP_TOOLSETS` names them: {'; '.join(parts)}.")
    lines += ["", "| toolset | for | tools |", "|---|---|---|"]
    for t in order:
        label = t if infos[t].default else f"{t} *(opt-in)*"
        tools = ", ".join(f"`{n}`" for n in names[t]) + "".join(f", and `{n}` (local)" for n in local[t])
        lines.append(f"| {label} | {infos[t].description} | {tools} |")
    return "\n".join(lines) + "\n"


def with_readme_tools(readme: str, block: str) -> str:
    """`readme` with the text between the tool markers replaced by `block`."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the {README_START} ... {README_END} markers")
    return readme[: start + len(README_START)] + "\n" + block + readme[end:]
