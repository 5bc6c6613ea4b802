"""Compile resolved specs into MCP tools, once at start-up, and filter what is exposed.

Each compiled tool keeps its resolved action (for the call pipeline) next to the exact
definition clients see: name, title, description with the cost line, Draft 2020-12 input
schema with `additionalProperties: false` and `account_id`, the envelope as output schema,
and annotations derived from the side-effect class.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from linkup_mcp.spec.credits import cost_line
from linkup_mcp.spec.envelope import OUTPUT_SCHEMA
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.spec.models import ID_PATTERN, PaginationStyle, ResolvedAction, SideEffect, Toolset

# Arguments that steer the server and never reach the API's `params`.
CONTROL_ARGS = ("account_id", "allow_duplicate", "fresh", "fields", "confirm_token", "max_credits", "skip", "seen")

AUTO_PAGE = {
    "max_credits": {"type": "integer", "minimum": 1, "description": "Auto-page within this many credits"},
}

FRESH = {"type": "boolean", "description": "Bypass the free cached answer"}

# Where `next` resumes without repeating what the agent has (call/pagination.py).
SKIP = {"type": "integer", "minimum": 1, "description": "From next: results of the first page already returned"}
SEEN = {"type": "array", "items": {"type": "string"}, "description": "From next: event_ids already returned"}

CONFIRM_TOKEN = {"type": "string", "description": "Token from this call's preview (LINKUP_CONFIRM=preview)"}

# `items` is required by VS Code and OpenAI function calling (an array without it is refused).
FIELDS_SCHEMA = {"type": "array", "items": {"type": "string"}, "description": "Keep only these data paths (a.b.c)"}

ALLOW_DUPLICATE = {
    "type": "boolean",
    "description": "Send despite an identical send in 24 h or a known connected/invited state",
}

# Short on purpose (x50 tools per tools/list); the server instructions say the default is
# LINKUP_ACCOUNT_ID.
_ACCOUNT_DESCRIPTIONS = {
    "required": "Acting account",
    "optional": "Billing account",
    "path": "Account",
    "none": "Unused",
}

_EFFECT_NOTES = {
    SideEffect.outreach: "Seen by others; sent at most once.",
    SideEffect.destructive: "Irreversible; sent at most once.",
    SideEffect.write: "Changes state; sent at most once.",
}

PAGING_NOTE = "Paging: call again with the result's `next`."
FEED_NOTE = "Later: call again with the result's `next` for newer events only."


@dataclass(frozen=True)
class CompiledTool:
    action: ResolvedAction
    input_schema: dict[str, Any]  # what clients see: portable (see schema_rules.py)
    definition: dict[str, Any]  # the MCP Tool as JSON (camelCase keys)
    # "give A or B": the spec's root `anyOf` of `required` lists. Anthropic's API refuses a root
    # combinator, so it is said in the description and enforced by `checked_schema` instead.
    alternatives: tuple[tuple[str, ...], ...] = ()

    @functools.cached_property
    def checked_schema(self) -> dict[str, Any]:
        """What local validation enforces: the published schema plus the alternatives."""
        if not self.alternatives:
            return self.input_schema
        return {**self.input_schema, "anyOf": [{"required": list(group)} for group in self.alternatives]}

    @property
    def name(self) -> str:
        return self.action.tool


def alternatives(action: ResolvedAction) -> tuple[tuple[str, ...], ...]:
    """The spec's "give one of these groups of parameters" (a root `anyOf` of `required` lists)."""
    return tuple(tuple(option.get("required", ())) for option in action.spec.params.get("anyOf", ()))


def alternatives_line(groups: tuple[tuple[str, ...], ...]) -> str:
    return "Give " + " or ".join(" + ".join(group) for group in groups) + "." if groups else ""


def input_schema(action: ResolvedAction) -> dict[str, Any]:
    """The published schema: the spec's params plus control arguments, without root combinators."""
    params = {k: v for k, v in copy.deepcopy(action.spec.params).items() if k != "anyOf"}
    props: dict[str, Any] = params.setdefault("properties", {})
    props["account_id"] = {"type": "string", "description": _ACCOUNT_DESCRIPTIONS[action.route.account]}
    if action.route.account == "path":  # goes into the URL path: say what is allowed
        props["account_id"]["pattern"] = ID_PATTERN
    for name in action.route.path_params():  # every value placed in a URL path, likewise
        if name in props and name != "account_id":
            props[name] = {**props[name], "pattern": ID_PATTERN}
    if action.spec.outreach is not None:
        props["allow_duplicate"] = ALLOW_DUPLICATE
        props["confirm_token"] = CONFIRM_TOKEN
    if action.spec.cache_ttl is not None:
        props["fresh"] = FRESH
    if action.spec.side_effect is SideEffect.read:
        props["fields"] = FIELDS_SCHEMA
    style = action.spec.pagination.style
    if style is PaginationStyle.since:
        props["seen"] = dict(SEEN)
    elif style is not PaginationStyle.none:
        props.update(copy.deepcopy(AUTO_PAGE))
    if style is PaginationStyle.pages:
        props["skip"] = dict(SKIP)
    local = action.spec.local_file
    if local is not None:
        props[local.arg] = {"type": "string", "minLength": 1, "description": local.description}
    params["additionalProperties"] = False
    ordered = {"type": "object", "properties": props}
    ordered.update({k: v for k, v in params.items() if k not in ordered})
    return ordered


def description(action: ResolvedAction) -> str:
    purpose = " ".join(filter(None, [action.spec.description.strip(), alternatives_line(alternatives(action))]))
    lines = [purpose, cost_line(action.spec.credits)]
    note = _EFFECT_NOTES.get(action.spec.side_effect)
    if note:
        lines.append(note)
    style = action.spec.pagination.style
    if style is not PaginationStyle.none:
        lines.append(FEED_NOTE if style is PaginationStyle.since else PAGING_NOTE)
    return "\n".join(lines)


def tool_annotations(action: ResolvedAction) -> dict[str, Any]:
    """MCP hints; a hint equal to the spec's default (readOnly false, idempotent false) is left
    out, as it costs tokens on every tools/list and says nothing."""
    effect = action.spec.side_effect
    read_only = effect is SideEffect.read
    idempotent = action.spec.idempotent if action.spec.idempotent is not None else read_only
    out: dict[str, Any] = {"readOnlyHint": True} if read_only else {}
    if idempotent:
        out["idempotentHint"] = True
    out["openWorldHint"] = True
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
        "annotations": tool_annotations(action),
    }
    return CompiledTool(action=action, input_schema=schema, definition=definition, alternatives=alternatives(action))


@dataclass(frozen=True)
class Exposure:
    """Which tools this process lists and accepts (LINKUP_TOOLSETS, _READ_ONLY, _TOOLS, _EXCLUDE_TOOLS)."""

    toolsets: frozenset[str] | None = None
    read_only: bool = False
    tools: frozenset[str] | None = None
    exclude_tools: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        toolsets: Iterable[str] | None = None,
        read_only: bool = False,
        tools: Iterable[str] | None = None,
        exclude_tools: Iterable[str] | None = None,
    ) -> Exposure:
        return cls(
            frozenset(toolsets) if toolsets is not None else None,
            read_only,
            frozenset(tools) if tools is not None else None,
            frozenset(exclude_tools or ()),
        )

    @classmethod
    def everything(cls) -> Exposure:
        """Every toolset of the packaged specs, opt-in ones included (docs, tests)."""
        return cls(frozenset(toolset_specs()))

    def allows(self, name: str, toolset: str, read_only: bool, *, on_by_default: bool | None = None) -> bool:
        """The one checklist deciding whether a tool is listed and callable. `on_by_default` is
        its toolset's `default` in the specs (looked up in the packaged specs when not given)."""
        if name in self.exclude_tools or (self.read_only and not read_only):
            return False
        if self.tools is not None and name not in self.tools:
            return False
        if self.toolsets is None:
            return on_by_default if on_by_default is not None else toolset not in opt_in_toolsets()
        return toolset in self.toolsets


@functools.cache
def default_actions() -> tuple[ResolvedAction, ...]:
    """The packaged specs, loaded once per process (settings checks and the catalog share them)."""
    return tuple(load_specs())


def toolset_specs(actions: Iterable[ResolvedAction] | None = None) -> dict[str, Toolset]:
    """Each toolset's `default` and `description` from its spec file, in catalog order."""
    return {a.toolset: a.toolset_info for a in (default_actions() if actions is None else actions)}


def opt_in_toolsets(actions: Iterable[ResolvedAction] | None = None) -> frozenset[str]:
    """Toolsets listed only when LINKUP_TOOLSETS names them (`default: false` in their spec)."""
    return frozenset(name for name, toolset in toolset_specs(actions).items() if not toolset.default)


def __getattr__(name: str) -> frozenset[str]:
    """`OPT_IN_TOOLSETS`, derived from the specs when first read (not at import)."""
    if name == "OPT_IN_TOOLSETS":
        return opt_in_toolsets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def exposure_names() -> dict[str, list[str]]:
    """What LINKUP_TOOLSETS and LINKUP_TOOLS / LINKUP_EXCLUDE_TOOLS may name, in catalog order."""
    from linkup_mcp.spec.local_tools import LOCAL_TOOLS

    actions = default_actions()
    toolsets = list(dict.fromkeys(a.toolset for a in actions))
    return {"toolset": toolsets, "tool": [a.tool for a in actions] + list(LOCAL_TOOLS)}


def unknown_name_problem(kind: str, given: Iterable[str]) -> str | None:
    """None when every name is known; else the unknown names, close matches and the valid choices."""
    import difflib

    valid = exposure_names()[kind]
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, valid, n=2, cutoff=0.6)
        parts.append(f"{name!r}" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
    opt_in = opt_in_toolsets()
    listed = ", ".join(f"{v} (opt-in)" if v in opt_in else v for v in valid)
    return f"unknown {kind} {', '.join(parts)}; valid {kind}s: {listed}"


class Catalog:
    """The compiled tools this process exposes, by name, plus the local tools it answers itself."""

    def __init__(
        self, tools: Iterable[CompiledTool], local: dict[str, dict[str, Any]] | None = None, *, compact: bool = False
    ):
        self.tools: dict[str, CompiledTool] = {t.name: t for t in tools}
        self.local: dict[str, dict[str, Any]] = local or {}
        self.compact = compact  # list only the local meta-tools; API tools run through them

    @classmethod
    def build(
        cls, actions: Iterable[ResolvedAction] | None = None, exposure: Exposure | None = None, *, compact: bool = False
    ) -> Catalog:
        from linkup_mcp.spec.local_tools import LOCAL_TOOLS, meta_definitions

        exposure = exposure or Exposure()
        actions = list(default_actions() if actions is None else actions)
        defaults = {name: toolset.default for name, toolset in toolset_specs(actions).items()}
        tools = [
            compile_tool(a)
            for a in actions
            if exposure.allows(a.tool, a.toolset, a.read_only, on_by_default=defaults[a.toolset])
        ]
        if compact:
            toolsets = sorted({t.action.category for t in tools})
            return cls(tools, {d["name"]: d for d in meta_definitions(toolsets)}, compact=True)
        local = {
            n: d
            for n, (d, toolset, ro) in LOCAL_TOOLS.items()
            if exposure.allows(n, toolset, ro, on_by_default=defaults.get(toolset))
        }
        return cls(tools, local)

    def get(self, name: str) -> CompiledTool | None:
        return self.tools.get(name)

    def definitions(self) -> list[dict[str, Any]]:
        """What tools/list shows."""
        listed = [] if self.compact else [t.definition for t in self.tools.values()]
        return listed + list(self.local.values())

    def names(self) -> list[str]:
        return [d["name"] for d in self.definitions()]
