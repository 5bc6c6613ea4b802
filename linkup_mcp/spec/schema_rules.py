"""What every major MCP client accepts in a tool definition: the rules, each with its source.

A client that refuses one tool's schema may drop the tool silently (Claude Code), refuse it
with a log line (VS Code) or fail the whole request (OpenAI, Anthropic's API with every tool
sent on each turn). So every tool we list, in every toolset and tool mode, must pass all of
these; `tests/test_schema_rules.py` lints the whole catalog with `problems`.

Deliberate deviations from Gemini's function-declaration subset (the strictest), kept because
they cost the other clients nothing only when present: `additionalProperties: false` (the
public contract: unknown arguments are refused, not ignored; Gemini's `parametersJsonSchema`
accepts it and Gemini CLI drops what its subset lacks) and `writeOnly` (marks the two
credential parameters of the opt-in `auth` toolset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    id: str
    clients: str
    text: str
    source: str


# Gemini's Schema subset, plus the two deviations explained above.
ALLOWED = frozenset(
    {"type", "description", "properties", "required", "items", "enum", "default", "minimum", "maximum"}
    | {"minLength", "maxLength", "pattern", "minItems", "maxItems", "format", "title", "nullable"}
    | {"additionalProperties", "writeOnly"}
)

ROOT_OBJECT = Rule(
    "root-object",
    "Anthropic, OpenAI, Gemini",
    'the input schema is an object schema: `"type": "object"` at the root',
    "https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use (input_schema); "
    "https://platform.openai.com/docs/guides/function-calling (parameters)",
)
NO_ROOT_COMBINATOR = Rule(
    "no-root-combinator",
    "Anthropic (Claude Code drops the tool), OpenAI",
    "no `anyOf`, `oneOf`, `allOf`, `not`, `enum`, `if`/`then`/`else` at the root; say 'give A or B' in "
    "the description and enforce it locally",
    "Anthropic API error 'input_schema does not support oneOf, allOf, or anyOf at the top level' "
    "(https://github.com/anthropics/claude-code/issues/4886); "
    "https://platform.openai.com/docs/guides/structured-outputs (root objects must not be anyOf)",
)
ARRAY_ITEMS = Rule(
    "array-items",
    "VS Code, OpenAI",
    "every `array` schema has an `items` schema",
    "VS Code: 'tool parameters array type must have items' (https://github.com/microsoft/vscode/issues/246119); "
    "OpenAI: 'array schema missing items' (https://github.com/langchain4j/langchain4j/pull/624)",
)
SINGLE_TYPE = Rule(
    "single-type",
    "Gemini, OpenAI (non-strict)",
    '`type` is one type name, not a list such as ["string", "null"]',
    "https://ai.google.dev/api/caching#Schema (type: one Type enum value)",
)
KNOWN_KEYWORDS = Rule(
    "known-keywords",
    "Gemini; VS Code and OpenAI ignore or refuse others",
    "only these keywords: " + ", ".join(sorted(ALLOWED)),
    "https://ai.google.dev/api/caching#Schema (the subset Gemini reads); no `$ref`/`$defs`: several clients "
    "do not resolve references",
)
STRING_FORMAT = Rule(
    "string-format",
    "Gemini",
    "a string `format` is only `date-time` or `enum`",
    "https://ai.google.dev/api/caching#Schema (format: 'for STRING type only enum and date-time')",
)
TOOL_NAME = Rule(
    "tool-name",
    "Anthropic, OpenAI, Gemini",
    "the tool name matches ^[a-zA-Z0-9_-]{1,64}$",
    "https://docs.anthropic.com/en/api/messages (tools.name); https://ai.google.dev/api/caching#FunctionDeclaration",
)

RULES = (ROOT_OBJECT, NO_ROOT_COMBINATOR, ARRAY_ITEMS, SINGLE_TYPE, KNOWN_KEYWORDS, STRING_FORMAT, TOOL_NAME)

_ROOT_FORBIDDEN = ("anyOf", "oneOf", "allOf", "not", "enum", "if", "then", "else")
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _walk(schema: Any, where: str) -> list[str]:
    if not isinstance(schema, dict):
        return [f"{KNOWN_KEYWORDS.id}: {where}: a schema must be an object"]
    found = [f"{KNOWN_KEYWORDS.id}: {where}: keyword {key!r}" for key in schema if key not in ALLOWED]
    kind = schema.get("type")
    if isinstance(kind, list):
        found.append(f"{SINGLE_TYPE.id}: {where}: type {kind}")
    if kind == "array" and not isinstance(schema.get("items"), dict):
        found.append(f"{ARRAY_ITEMS.id}: {where}: array without items")
    if "format" in schema and schema["format"] not in ("date-time", "enum"):
        found.append(f"{STRING_FORMAT.id}: {where}: format {schema['format']!r}")
    for name, sub in schema.get("properties", {}).items():
        found += _walk(sub, f"{where}.{name}")
    if "items" in schema:
        found += _walk(schema["items"], f"{where}[]")
    return found


def problems(definition: dict[str, Any]) -> list[str]:
    """Every rule an MCP tool definition (wire JSON) breaks, as 'rule-id: where: what'; [] when portable."""
    name = definition.get("name", "")
    schema = definition.get("inputSchema", {})
    found = [] if _NAME.fullmatch(name) else [f"{TOOL_NAME.id}: {name!r}"]
    if schema.get("type") != "object":
        found.append(f"{ROOT_OBJECT.id}: {name}: root type {schema.get('type')!r}")
    found += [f"{NO_ROOT_COMBINATOR.id}: {name}: root {key!r}" for key in _ROOT_FORBIDDEN if key in schema]
    return found + _walk(schema, name)
