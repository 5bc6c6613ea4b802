"""Compile resolved specs into MCP tools, once at start-up, and filter what is exposed.

Each compiled tool keeps its resolved action (for the call pipeline) next to the exact
definition clients see: name, title, description with the cost line, a Draft 2020-12 input
schema with `additionalProperties: false`, and annotations derived from the side-effect class.

Every tools/list is paid in context tokens on every turn of every session
(tests/test_catalog_budget.py holds the default catalog to its budget), so the definition says
each thing once: no `outputSchema` (MCP makes it optional; the result envelope is described in
the server instructions and every result carries it), no hint equal to MCP's default, control
arguments only on the tools where they act and described there in a few words or none (the
server instructions explain them once), and bounds that tell an agent nothing (`minLength: 1`,
`minimum: 1`) enforced by the local validation instead of published.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from linkup_mcp.errors import did_you_mean
from linkup_mcp.spec.credits import cost_line
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.spec.models import ID_PATTERN, PaginationStyle, ResolvedAction, SideEffect, Toolset

# Arguments that steer the server and never reach the API's `params`.
CONTROL_ARGS = ("account_id", "allow_duplicate", "fresh", "fields", "confirm_token", "max_credits", "skip", "seen")

# Their descriptions are short on purpose (each is paid once per tool on every tools/list); the
# server instructions (mcp/instructions.py) explain them once.
AUTO_PAGE = {
    "max_credits": {"type": "integer", "minimum": 1, "description": "Credits to auto-page"},
}

FRESH = {"type": "boolean", "description": "Bypass cache"}

# Where `next` resumes without repeating what the agent has (call/pagination.py).
SKIP = {"type": "integer", "minimum": 1, "description": "Set by next"}
SEEN = {"type": "array", "items": {"type": "string"}, "description": "Set by next"}

# No description: the name says it, and the answers that lead to it say how to use it (a preview's
# next_step; DUPLICATE_SUPPRESSED and ALREADY_* name allow_duplicate). UNDESCRIBED lists them.
CONFIRM_TOKEN = {"type": "string"}

# `items` is required by VS Code and OpenAI function calling (an array without it is refused).
FIELDS_SCHEMA = {"type": "array", "items": {"type": "string"}, "description": "Data paths to keep"}

ALLOW_DUPLICATE = {"type": "boolean"}
UNDESCRIBED = frozenset({"account_id", "confirm_token", "allow_duplicate"})

# The acting account, LINKUP_ACCOUNT_ID when not given: the server instructions say it once rather
# than ~40 tools each (it is in UNDESCRIBED). An action that acts as no account (route account
# `none`: the mail lookups, credits, the account list) has no account_id at all; one that is sent
# only when given (`optional`, no spec uses it now) says so.
_ACCOUNT_DESCRIPTIONS = {"optional": "Sent only when given", "path": "Account"}

# The side-effect class; the server instructions add that side effects are sent at most once.
_EFFECT_NOTES = {
    SideEffect.outreach: "Outreach: seen by others.",
    SideEffect.destructive: "Destructive: irreversible.",
    SideEffect.write: "Write: changes state.",
}

# A list's paging needs no line of its own: every answer of a list carries `next` (the next page's
# arguments, or null) and `has_more`, and the server instructions say so once. An event feed's
# `next` means something else (later events, never twice), so that one is said.
FEED_NOTE = "Later: `next` for newer events only."


@dataclass(frozen=True)
class CompiledTool:
    action: ResolvedAction
    input_schema: dict[str, Any]  # what clients see: portable (see schema_rules.py)
    definition: dict[str, Any]  # the MCP Tool as JSON (camelCase keys)
    # "give A or B": the spec's root `anyOf` of `required` lists. Anthropic's API refuses a root
    # combinator, so it is said in the description and enforced by `checked_schema` instead.
    alternatives: tuple[tuple[str, ...], ...] = ()

    full_schema: dict[str, Any] | None = None  # the input schema with what publishing leaves out

    @functools.cached_property
    def checked_schema(self) -> dict[str, Any]:
        """What local validation enforces: the full schema plus the alternatives."""
        schema = self.full_schema or self.input_schema
        if not self.alternatives:
            return schema
        return {**schema, "anyOf": [{"required": list(group)} for group in self.alternatives]}

    @property
    def name(self) -> str:
        return self.action.tool


def alternatives(action: ResolvedAction) -> tuple[tuple[str, ...], ...]:
    """The spec's "give one of these groups of parameters" (a root `anyOf` of `required` lists)."""
    return tuple(tuple(option.get("required", ())) for option in action.spec.params.get("anyOf", ()))


def alternatives_line(groups: tuple[tuple[str, ...], ...]) -> str:
    """'Give profile_url or identifier.'; groups that differ only in their last name are said once:
    'first_name + last_name + company_domain/company_name'."""
    merged: list[list[str]] = []
    for group in groups:
        last = merged[-1] if merged else None
        if last is not None and len(group) > 1 and len(last) == len(group) and last[:-1] == list(group[:-1]):
            last[-1] += "/" + group[-1]
        else:
            merged.append(list(group))
    return "Give " + " or ".join(" + ".join(group) for group in merged) + "." if merged else ""


def input_schema(action: ResolvedAction, *, previews: bool = False, cached: bool = True) -> dict[str, Any]:
    """The full schema: the spec's params plus the control arguments that act on this tool, without
    root combinators (what tools/list shows is `published` of it). Each listed argument is paid on
    every tools/list, so one that would do nothing is left out: `confirm_token` unless outreach
    previews (`previews`: LINKUP_CONFIRM=preview), `fresh` unless the read cache keeps this tool
    (`cached`: LINKUP_CACHE_TTL may turn it off), `fields` on an answer with nothing to cut (a flat
    one, or a file, which leaves as a resource), `max_credits` on a list whose pages are free."""
    params = {k: v for k, v in copy.deepcopy(action.spec.params).items() if k != "anyOf"}
    props: dict[str, Any] = params.setdefault("properties", {})
    if action.route.account != "none":
        props["account_id"] = {"type": "string"}
        if action.route.account in _ACCOUNT_DESCRIPTIONS:
            props["account_id"]["description"] = _ACCOUNT_DESCRIPTIONS[action.route.account]
    if action.route.account == "path":  # goes into the URL path: say what is allowed
        props["account_id"]["pattern"] = ID_PATTERN
    for name in action.route.path_params():  # every value placed in a URL path, likewise
        if name in props and name != "account_id":
            props[name] = {**props[name], "pattern": ID_PATTERN}
    if action.spec.outreach is not None:
        props["allow_duplicate"] = ALLOW_DUPLICATE
        if previews:
            props["confirm_token"] = CONFIRM_TOKEN
    if action.spec.cache_ttl is not None and cached:
        props["fresh"] = FRESH
    if action.spec.side_effect is SideEffect.read and nested(action.spec.response.data) and not action.spec.binary:
        props["fields"] = FIELDS_SCHEMA
    style = action.spec.pagination.style
    if style is PaginationStyle.since:
        props["seen"] = dict(SEEN)
    elif style is not PaginationStyle.none and not free(action):
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


def free(action: ResolvedAction) -> bool:
    """Every call costs 0 credits: a credit cap (`max_credits`) caps nothing."""
    rule = action.spec.credits
    return rule.base == 0 and rule.per_results is None and rule.surcharge is None


def nested(data: Any) -> bool:
    """A documented answer with a list or an object inside: what `fields` can cut. A flat answer of
    a few values has nothing to cut that would pay for the parameter on every tools/list."""
    if isinstance(data, list) or data in ("array", "object", "any"):
        return True
    return isinstance(data, dict) and any(
        isinstance(v, (dict, list)) or v in ("array", "object", "any") for v in data.values()
    )


_SAYS_NOTHING = (("minLength", 1), ("minimum", 1))


def published(schema: Any) -> Any:
    """`schema` as tools/list shows it, without the bounds that tell an agent nothing (`minLength: 1`:
    an empty id or URL is no one's idea; `minimum: 1` on a credit cap or a count) and cost ~5
    tokens each; local validation (`CompiledTool.checked_schema`) still enforces them."""
    if isinstance(schema, list):
        return [published(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        k: published(v) if k in ("properties", "items") or isinstance(v, (dict, list)) else v
        for k, v in schema.items()
        if (k, v) not in _SAYS_NOTHING
    }


def description(action: ResolvedAction) -> str:
    purpose = " ".join(filter(None, [action.spec.description.strip(), alternatives_line(alternatives(action))]))
    lines = [purpose, cost_line(action.spec.credits, brief=True)]
    note = _EFFECT_NOTES.get(action.spec.side_effect)
    if note:
        lines.append(note)
    if action.spec.pagination.style is PaginationStyle.since:
        lines.append(FEED_NOTE)
    return "\n".join(lines)


def tool_annotations(action: ResolvedAction) -> dict[str, Any]:
    """MCP hints; a hint equal to MCP's default (readOnly false, idempotent false, openWorld true)
    is left out, as is idempotentHint on a read (MCP: meaningful only when not read-only): each
    costs tokens on every tools/list and says nothing."""
    effect = action.spec.side_effect
    read_only = effect is SideEffect.read
    idempotent = action.spec.idempotent if action.spec.idempotent is not None else read_only
    out: dict[str, Any] = {"readOnlyHint": True} if read_only else {}
    if idempotent and not read_only:  # MCP: meaningful only when not read-only
        out["idempotentHint"] = True
    if not read_only:
        out["destructiveHint"] = effect is SideEffect.destructive
    return out


def compile_tool(action: ResolvedAction, *, previews: bool = False, cached: bool = True) -> CompiledTool:
    """`previews` and `cached`: see `input_schema`."""
    full = input_schema(action, previews=previews, cached=cached)
    schema = published(full)
    definition = {
        "name": action.tool,
        "title": action.spec.title,
        "description": description(action),
        "inputSchema": schema,
        "annotations": tool_annotations(action),
    }
    return CompiledTool(
        action=action,
        input_schema=schema,
        definition=definition,
        alternatives=alternatives(action),
        full_schema=full if full != schema else None,
    )


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
    valid = exposure_names()[kind]
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        hint = did_you_mean(name, valid, n=2, cutoff=0.6)
        parts.append(f"{name!r}" + (f" ({hint})" if hint else ""))
    opt_in = opt_in_toolsets()
    listed = ", ".join(f"{v} (opt-in)" if v in opt_in else v for v in valid)
    return f"unknown {kind} {', '.join(parts)}; valid {kind}s: {listed}"


class Catalog:
    """The compiled tools this process exposes, by name, plus the local tools it answers itself."""

    def __init__(
        self,
        tools: Iterable[CompiledTool],
        local: dict[str, dict[str, Any]] | None = None,
        *,
        compact: bool = False,
        previews: bool = False,
        uncached: frozenset[str] = frozenset(),
    ):
        self.tools: dict[str, CompiledTool] = {t.name: t for t in tools}
        self.local: dict[str, dict[str, Any]] = local or {}
        self.compact = compact  # list only the local meta-tools; API tools run through them
        self.previews, self.uncached = previews, uncached  # how the tools were compiled (`input_schema`)

    @classmethod
    def build(
        cls,
        actions: Iterable[ResolvedAction] | None = None,
        exposure: Exposure | None = None,
        *,
        compact: bool = False,
        previews: bool = False,
        uncached: Iterable[str] = (),
    ) -> Catalog:
        """`previews`: LINKUP_CONFIRM=preview (outreach tools take confirm_token); `uncached`: tools
        whose read cache the settings turn off (no `fresh`)."""
        from linkup_mcp.spec.local_tools import LOCAL_TOOLS, meta_definitions

        exposure = exposure or Exposure()
        actions = list(default_actions() if actions is None else actions)
        defaults = {name: toolset.default for name, toolset in toolset_specs(actions).items()}
        off = frozenset(uncached)
        tools = [
            compile_tool(a, previews=previews, cached=a.tool not in off)
            for a in actions
            if exposure.allows(a.tool, a.toolset, a.read_only, on_by_default=defaults[a.toolset])
        ]
        if compact:
            toolsets = sorted({t.action.category for t in tools})
            local = {d["name"]: d for d in meta_definitions(toolsets)}
            return cls(tools, local, compact=True, previews=previews, uncached=off)
        local = {
            n: d
            for n, (d, toolset, ro) in LOCAL_TOOLS.items()
            if exposure.allows(n, toolset, ro, on_by_default=defaults.get(toolset))
        }
        return cls(tools, local, previews=previews, uncached=off)

    def with_previews(self, previews: bool) -> Catalog:
        """The same tools compiled for another confirmation mode (a runtime's `confirm_mode` and its
        catalog go together: confirm_token is listed only where it acts)."""
        if previews == self.previews:
            return self
        tools = [
            compile_tool(t.action, previews=previews, cached=t.name not in self.uncached) for t in self.tools.values()
        ]
        return Catalog(tools, self.local, compact=self.compact, previews=previews, uncached=self.uncached)

    def get(self, name: str) -> CompiledTool | None:
        return self.tools.get(name)

    def definitions(self) -> list[dict[str, Any]]:
        """What tools/list shows."""
        listed = [] if self.compact else [t.definition for t in self.tools.values()]
        return listed + list(self.local.values())

    def names(self) -> list[str]:
        return [d["name"] for d in self.definitions()]
