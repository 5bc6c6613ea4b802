"""Validate tool arguments against the compiled input schema and explain every problem.

One validator (jsonschema, Draft 2020-12), built on first use per schema and cached. Each
problem names the field and how to fix it, so the agent can correct the call in one step. An
unknown argument is answered with the argument meant: the tool's misnames (`misnames`: the
spec's own, and the names agents give a result count, `limit` and the like), else the closest
valid names (`errors.did_you_mean`), else every valid name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from linkup_mcp.call.shaping import unknown_paths
from linkup_mcp.errors import did_you_mean, sentences

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    from linkup_mcp.spec.catalog import CompiledTool
    from linkup_mcp.spec.models import ActionSpec

# What agents call a result count, from other APIs' habits; difflib finds none of them from
# `total_results` or `count`.
COUNT_MISNAMES = ("limit", "max_results", "count", "page_size", "num_results", "per_page")

_validators: dict[int, Validator] = {}  # by id(schema); each validator holds its schema, so ids stay unique


def _validator(schema: dict[str, Any]) -> Validator:
    key = id(schema)
    found = _validators.get(key)
    if found is None:
        found = _validator_class()(schema)
        _validators[key] = found
    return found


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 with `pattern` as JSON Schema means it (ECMA-262): `$` ends the input. Python's
    `$` also matches before a final newline, so `^[A-Z]{2}$` would pass "FR\n"."""
    from jsonschema import Draft202012Validator, ValidationError, validators  # imported by the first call

    def pattern(validator: Any, value: str, instance: Any, schema: dict[str, Any]) -> Any:
        if validator.is_type(instance, "string") and not _ecma(value).search(instance):
            yield ValidationError(f"{instance!r} does not match {value!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


@functools.cache
def _ecma(pattern: str) -> re.Pattern[str]:
    """A trailing `$` (not escaped) as `\\Z`, the end of the input only (our patterns anchor at the end)."""
    if pattern.endswith("$"):
        body = pattern[:-1]
        if (len(body) - len(body.rstrip("\\"))) % 2 == 0:
            pattern = body + r"\Z"
    return re.compile(pattern)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _field(err: ValidationError) -> str:
    path = ".".join(str(p) for p in err.absolute_path)
    return path or "(arguments)"


def misnames(spec: ActionSpec) -> dict[str, str]:
    """Wrong argument names -> advice for this action: the spec's `misnames`, and the usual names
    of a result count pointing to its count param (pagination.count or the per-result credit's)."""
    count = spec.pagination.count or (spec.credits.per_results.param if spec.credits.per_results else None)
    out: dict[str, str] = {}
    if count:
        said = f"did you mean {count}? It sets how many results come back (and what they cost)."
        out = {name: said for name in COUNT_MISNAMES if name != count}
    return {**out, **spec.misnames}


def _unknown(name: str, allowed: list[str], hints: Mapping[str, str]) -> str:
    advice = hints.get(name) or did_you_mean(name, allowed)
    return f"unknown field; {advice}" if advice else f"unknown field; allowed fields: {', '.join(allowed)}"


def _explain(err: ValidationError, schema: dict[str, Any], hints: Mapping[str, str]) -> list[dict[str, str]]:
    props: dict[str, Any] = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
    kind = err.validator
    parent = ".".join(str(p) for p in err.absolute_path)
    prefix = parent + "." if parent else ""  # a nested object's fields are named by their full path
    if kind == "required":
        missing = [m for m in err.validator_value if m not in (err.instance or {})]
        return [
            {
                "field": prefix + m,
                "problem": f"required field is missing; pass {m} ({props.get(m, {}).get('description', '')})",
            }
            for m in missing
        ]
    if kind == "additionalProperties":
        extra = sorted(set(err.instance) - set(props))
        known = hints if not parent else {}  # misnames are top-level argument names
        return [{"field": prefix + x, "problem": _unknown(x, list(props), known)} for x in extra]
    field = _field(err)
    if isinstance(err.schema, dict) and err.schema.get("writeOnly"):  # a credential: never echo its value
        wanted = (
            f"{err.validator_value}, got {type(err.instance).__name__}"
            if kind == "type"
            else f"{kind} {err.validator_value}"
        )
        return [{"field": field, "problem": f"expected {wanted} (value not shown)"}]
    if kind == "type":
        wanted = err.validator_value
        got = type(err.instance).__name__
        problem = f"expected {wanted}, got {got} {_short(err.instance)}"
        if wanted == "array" and isinstance(err.instance, str):
            problem += f"; wrap it in a list, e.g. [{_short(err.instance)}]"
        return [{"field": field, "problem": problem}]
    if kind == "enum":
        return [{"field": field, "problem": f"{_short(err.instance)} is not allowed; {_choices(err)}"}]
    if kind in ("anyOf", "oneOf"):
        options = [" + ".join(s.get("required", [])) for s in err.validator_value if s.get("required")]
        if options:
            return [{"field": field, "problem": "pass one of: " + " or ".join(options)}]
    return [{"field": field, "problem": _bounded(err)}]


def _bounded(err: ValidationError) -> str:
    """jsonschema's message, with the offending value shortened: a 1 MB string must not come
    back whole in the error (it would flood the agent's context)."""
    message = err.message
    shown = repr(err.instance)
    return message.replace(shown, _short(err.instance)) if len(shown) > 60 else message


def problems(
    schema: dict[str, Any], arguments: dict[str, Any], hints: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """Every problem with `arguments`, one entry per field; empty when valid. `hints`: wrong
    argument names -> advice (`misnames`)."""
    out: list[dict[str, str]] = []
    errors = sorted(_validator(schema).iter_errors(arguments), key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors:
        out.extend(_explain(err, schema, hints or {}))
    return out


def summary(found: list[dict[str, str]]) -> str:
    """One sentence: each problem after its field, `;` between them, a period at the end."""
    return sentences("Invalid arguments: " + "; ".join(f"{p['field']}: {p['problem'].rstrip('.')}" for p in found))


def _choices(err: Any) -> str:
    """All allowed values when few; else the closest ones (long enums such as tool names)."""
    allowed = list(err.validator_value)
    if len(allowed) <= 12:
        return f"use one of {allowed}"
    hint = did_you_mean(str(err.instance), [str(a) for a in allowed])
    return f"{hint + ' ' if hint else ''}({len(allowed)} allowed values, listed in the input schema)"


def call_problems(tool: CompiledTool, args: dict[str, Any]) -> list[dict[str, str]]:
    """Every problem with a call's arguments, as the validate step and credits_estimate both judge
    them: the schema (with "give A or B"), misnamed arguments, and a `fields` path the documented
    answer cannot have (refused before paying)."""
    found = problems(tool.checked_schema, args, misnames(tool.action.spec))
    response = tool.action.spec.response
    if not found and args.get("fields") and response.documented:
        bad = unknown_paths(args["fields"], response.data)
        found = [bad] if bad else []
    return found
