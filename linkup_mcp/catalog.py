"""Compile resolved specs into MCP tools, once at start-up, and filter what is exposed.

Each compiled tool keeps its resolved action (for the dispatcher) next to the exact
definition clients see: name, title, description with the cost line, Draft 2020-12 input
schema with `additionalProperties: false` and `account_id`, the envelope as output schema,
and annotations derived from the side-effect class.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from linkup_mcp.credits import cost_line
from linkup_mcp.envelope import OUTPUT_SCHEMA
from linkup_mcp.specs import ResolvedAction, SideEffect, load_specs

# Arguments that steer the server and never reach the API's `params`.
CONTROL_ARGS = ("account_id",)

_ACCOUNT_DESCRIPTIONS = {
    "required": "Account to act as (default: LINKUP_ACCOUNT_ID)",
    "optional": "Account to bill; sent only when given",
    "path": "Account to inspect (default: LINKUP_ACCOUNT_ID)",
    "none": "Not used by this endpoint",
}

_EFFECT_NOTES = {
    SideEffect.outreach: "Seen by other people; sent at most once, never retried automatically.",
    SideEffect.destructive: "Irreversible; never retried automatically.",
    SideEffect.write: "Changes state on LinkedIn; never retried automatically.",
}

# Toolsets that exist but are off unless named in LINKUP_TOOLSETS.
OPT_IN_TOOLSETS = frozenset({"auth"})


@dataclass(frozen=True)
class CompiledTool:
    action: ResolvedAction
    input_schema: dict[str, Any]
    definition: dict[str, Any]  # the MCP Tool as JSON (camelCase keys)

    @property
    def name(self) -> str:
        return self.action.tool


def input_schema(action: ResolvedAction) -> dict[str, Any]:
    params = copy.deepcopy(action.spec.params)
    props: dict[str, Any] = params.setdefault("properties", {})
    props["account_id"] = {"type": "string", "minLength": 1, "description": _ACCOUNT_DESCRIPTIONS[action.route.account]}
    params["additionalProperties"] = False
    ordered = {"type": "object", "properties": props}
    ordered.update({k: v for k, v in params.items() if k not in ordered})
    return ordered


def description(action: ResolvedAction) -> str:
    lines = [action.spec.description.strip(), cost_line(action.spec.credits)]
    note = _EFFECT_NOTES.get(action.spec.side_effect)
    if note:
        lines.append(note)
    return "\n".join(lines)


def annotations(action: ResolvedAction) -> dict[str, Any]:
    effect = action.spec.side_effect
    read_only = effect is SideEffect.read
    idempotent = action.spec.idempotent if action.spec.idempotent is not None else read_only
    out: dict[str, Any] = {
        "title": action.spec.title,
        "readOnlyHint": read_only,
        "idempotentHint": idempotent,
        "openWorldHint": True,
    }
    if not read_only:
        out["destructiveHint"] = effect is SideEffect.destructive
    return out


def compile_tool(action: ResolvedAction) -> CompiledTool:
    schema = input_schema(action)
    definition = {
        "name": action.tool,
        "title": action.spec.title,
        "description": description(action),
        "inputSchema": schema,
        "outputSchema": OUTPUT_SCHEMA,
        "annotations": annotations(action),
    }
    return CompiledTool(action=action, input_schema=schema, definition=definition)


def is_exposed(action: ResolvedAction, toolsets: Iterable[str] | None, read_only: bool) -> bool:
    """The one checklist deciding whether a tool is listed and callable."""
    if read_only and not action.read_only:
        return False
    if toolsets is None:
        return action.toolset not in OPT_IN_TOOLSETS
    return action.toolset in set(toolsets)


class Catalog:
    """The compiled tools this process exposes, by name."""

    def __init__(self, tools: Iterable[CompiledTool]):
        self.tools: dict[str, CompiledTool] = {t.name: t for t in tools}

    @classmethod
    def build(
        cls,
        actions: Iterable[ResolvedAction] | None = None,
        *,
        toolsets: Iterable[str] | None = None,
        read_only: bool = False,
    ) -> Catalog:
        actions = load_specs() if actions is None else actions
        return cls(compile_tool(a) for a in actions if is_exposed(a, toolsets, read_only))

    def get(self, name: str) -> CompiledTool | None:
        return self.tools.get(name)

    def definitions(self) -> list[dict[str, Any]]:
        return [t.definition for t in self.tools.values()]
