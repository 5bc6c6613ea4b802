"""Documented responses: the `response:` block of a spec, and how an answer is compared with it.

A spec records the `data` its LinkupAPI page shows, field by field, in a compact notation:

    data:
      results: [{public_id: string, linkedin_url: string, invitation_state: string?}]
      total_results: integer
      next_cursor: string?

- a mapping is an object with exactly these fields;
- `[X]` is an array of X (`array` when the items are not documented);
- a leaf is `string`, `integer`, `number`, `boolean`, `object` (fields not documented),
  `array`, `any` or `null`; `a|b` is either; `|null` (or, for an object or array, a `?` after
  the field name) means the field may be null or absent;
- `epoch_ms` is an integer time in milliseconds since 1970 UTC: the drift check takes it as an
  integer, and results gain its ISO 8601 form beside it, `<field>_iso` (call/shaping.py).

`paths()` names what `fields` can select in such an answer (call/shaping.py checks it).

`documented: false` marks a shape no LinkupAPI page shows (the one the sandbox answers and we
assume). The sandbox answers in exactly these names and types (tests check every action), and
`drift()` names what a real answer does differently: the envelope's `drift` member, the ledger's
drift table and `linkup-mcp verify` all come from it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

LEAVES = frozenset({"string", "integer", "number", "boolean", "object", "array", "any", "null", "epoch_ms"})
EPOCH_MS = "epoch_ms"  # an integer on the wire; `<field>_iso` beside it in results
ISO_SUFFIX = "_iso"
OPEN = frozenset({"object", "array", "any"})  # leaves whose inside the docs do not show
FIELD = r"^[A-Za-z_][A-Za-z0-9_]*\??$"
MAX_ITEMS = 20  # array items compared per list: enough to see a renamed field, cheap on big pages
MAX_PROBLEMS = 6  # what one envelope reports; the rest is "…"


class ResponseSpec(BaseModel):
    """The `data` of a successful answer, as the action's documentation page shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    documented: bool = Field(
        True, description="false when no LinkupAPI page shows the answer: the shape we assume (the sandbox's)"
    )
    data: Any = Field(
        ...,
        description="the data object in the compact notation: {field: type}, [item], string, integer, number, "
        "boolean, object, array, any; a|b = either; |null (or field? for an object) = may be null or absent",
    )

    @model_validator(mode="after")
    def _check(self) -> ResponseSpec:
        problems = shape_problems(self.data)
        if problems:
            raise ValueError("response.data: " + "; ".join(problems))
        return self

    def fields(self) -> set[str]:
        """Every field name at any depth (what a tool description may name)."""
        return field_names(self.data)


def _leaf(text: str) -> tuple[list[str], bool]:
    """(the non-null types, whether null or absence is allowed)."""
    kinds = text.split("|")
    return [k for k in kinds if k != "null"], "null" in kinds


def is_epoch_ms(shape: Any) -> bool:
    """A leaf holding a time in epoch milliseconds (`epoch_ms` or `epoch_ms|null`)."""
    return isinstance(shape, str) and EPOCH_MS in _leaf(shape)[0]


def paths(shape: Any, prefix: str = "") -> tuple[list[str], list[str]]:
    """(every dotted path an answer of this shape has — a list's items reached through the list,
    as `fields` reads them, and each epoch_ms field's `_iso` sibling —, the paths whose inside
    the docs do not show: object, array or any, below which any path may exist)."""
    if isinstance(shape, list):
        return paths(shape[0], prefix) if shape else ([], [])
    if isinstance(shape, str):
        return [], [prefix] if set(_leaf(shape)[0]) & OPEN else []
    known: list[str] = []
    below: list[str] = []
    for raw, sub in shape.items() if isinstance(shape, dict) else ():
        path = f"{prefix}.{raw.rstrip('?')}" if prefix else raw.rstrip("?")
        known.append(path)
        if is_epoch_ms(sub):
            known.append(path + ISO_SUFFIX)
        inner, open_ = paths(sub, path)
        known += inner
        below += open_
    return known, below


def shape_problems(shape: Any, where: str = "data") -> list[str]:
    if isinstance(shape, dict):
        out = []
        for key, sub in shape.items():
            if not isinstance(key, str) or not re.match(FIELD, key):
                out.append(f"{where}: {key!r} is not a field name")
            else:
                out += shape_problems(sub, f"{where}.{key.rstrip('?')}")
        return out
    if isinstance(shape, list):
        if len(shape) != 1:
            return [f"{where}: an array is written [item] (one item shape)"]
        return shape_problems(shape[0], f"{where}[]")
    if isinstance(shape, str):
        kinds, _ = _leaf(shape)
        unknown = [k for k in kinds if k not in LEAVES]
        return [f"{where}: unknown type {', '.join(unknown)} (known: {', '.join(sorted(LEAVES))})"] if unknown else []
    return [f"{where}: {shape!r} is not a type, a mapping or [item]"]


def field_names(shape: Any) -> set[str]:
    if isinstance(shape, dict):
        return {k.rstrip("?") for k in shape} | {n for sub in shape.values() for n in field_names(sub)}
    if isinstance(shape, list) and shape:
        return field_names(shape[0])
    return set()


def json_schema(shape: Any) -> dict[str, Any]:
    """The shape as a strict JSON Schema (every documented field required unless `?`; no others)."""
    if isinstance(shape, dict):
        props = {k.rstrip("?"): _nullable(json_schema(v), k.endswith("?")) for k, v in shape.items()}
        required = [k for k, v in shape.items() if not _optional(k, v)]
        return {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    if isinstance(shape, list):
        return {"type": "array", "items": json_schema(shape[0])}
    kinds, optional = _leaf(shape)
    if "any" in kinds:
        return {}
    kinds = ["integer" if k == EPOCH_MS else k for k in kinds]
    types = kinds + (["null"] if optional else [])
    return {"type": types if len(types) > 1 else types[0]}


def _nullable(schema: dict[str, Any], optional: bool) -> dict[str, Any]:
    if not optional or not schema:
        return schema
    kind = schema.get("type")
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


# -- drift: how an answer differs from its documented shape ----------------------------------


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else type(value).__name__


def _fits(value: Any, kinds: list[str]) -> bool:
    actual = type_of(value)
    return "any" in kinds or actual in kinds or (actual == "integer" and ("number" in kinds or EPOCH_MS in kinds))


def drift(shape: Any, data: Any) -> list[str]:
    """What `data` does differently from `shape`: missing, extra and renamed fields, type changes.
    Short strings, at most MAX_PROBLEMS (then "…"); [] when the answer matches."""
    found: list[str] = []
    _walk(shape, data, "data", found)
    unique = list(dict.fromkeys(found))
    return unique if len(unique) <= MAX_PROBLEMS else [*unique[:MAX_PROBLEMS], "…"]


def _walk(shape: Any, value: Any, path: str, out: list[str]) -> None:
    if isinstance(shape, str):
        kinds, optional = _leaf(shape)
        if not (value is None and optional) and not _fits(value, kinds):
            out.append(f"{path}: {type_of(value)}, documented {'|'.join(kinds)}")
        return
    if value is None:
        out.append(f"{path}: null, documented {'array' if isinstance(shape, list) else 'object'}")
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            out.append(f"{path}: {type_of(value)}, documented array")
            return
        for item in value[:MAX_ITEMS]:
            _walk(shape[0], item, f"{path}[]", out)
        return
    if not isinstance(value, dict):
        out.append(f"{path}: {type_of(value)}, documented object")
        return
    documented = {k.rstrip("?"): (k, v) for k, v in shape.items()}
    missing = [k for k, (raw, sub) in documented.items() if k not in value and not _optional(raw, sub)]
    extra = [k for k in value if k not in documented]
    if len(missing) == 1 and len(extra) == 1:
        out.append(f"renamed {path}.{missing[0]} -> {path}.{extra[0]}")
    else:
        out += [f"missing {path}.{k}" for k in missing] + [f"extra {path}.{k}" for k in extra]
    for key, (raw, sub) in documented.items():
        if key in value and not (value[key] is None and _optional(raw, sub)):
            _walk(sub, value[key], f"{path}.{key}", out)


def _optional(raw_key: str, sub: Any) -> bool:
    return raw_key.endswith("?") or (isinstance(sub, str) and _leaf(sub)[1])
