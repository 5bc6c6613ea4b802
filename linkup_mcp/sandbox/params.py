"""Parameter checking as the API does it: required, types, enums, ranges, unknown names.

Each action declares its params with `P(...)`; `check(params, spec)` returns the params with
defaults applied, or raises `ApiError(INVALID_PARAMS)` whose message names the parameter the
way LinkupAPI does ("Missing required parameter: profile_url").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linkup_mcp.sandbox.errors import ApiError

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}


@dataclass(frozen=True)
class P:
    """One parameter: JSON type, and the constraints the sandbox enforces."""

    type: str
    required: bool = False
    default: Any = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    items: str | None = None  # item type of an array
    item_enum: tuple[str, ...] | None = None
    max_items: int | None = None
    keys: tuple[str, ...] | None = None  # required keys of an object
    optional_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParamSpec:
    """The params of one action; `one_of` groups need at least one member present."""

    params: Mapping[str, P] = field(default_factory=dict)
    one_of: tuple[tuple[str, ...], ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # accepted alias -> canonical name


def json_object(body: bytes, *, empty: bytes = b"{}", shape: str = "") -> dict[str, Any]:
    """The request body as a JSON object, or INVALID_PARAMS saying what was expected (`shape`)."""
    suffix = f": {shape}" if shape else ""
    try:
        payload = json.loads(body or empty)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError("INVALID_PARAMS", f"Request body must be JSON{suffix}") from None
    if not isinstance(payload, dict):
        raise ApiError("INVALID_PARAMS", f"Request body must be a JSON object{suffix}")
    return payload


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise ValueError(kind)


def _invalid(message: str) -> ApiError:
    return ApiError("INVALID_PARAMS", f"Invalid parameter: {message}")


def _check_value(name: str, value: Any, p: P) -> None:
    if not _is_type(value, p.type):
        raise _invalid(f"{name} must be {_TYPE_NAMES[p.type]}")
    if p.enum is not None and value not in p.enum:
        raise _invalid(f"{name} must be one of {', '.join(p.enum)} (got {value!r})")
    if p.type == "integer":
        if p.minimum is not None and value < p.minimum:
            raise _invalid(f"{name} must be >= {p.minimum}")
        if p.maximum is not None and value > p.maximum:
            raise _invalid(f"{name} must be <= {p.maximum}")
    if p.type == "string":
        if p.min_length is not None and len(value.strip()) < p.min_length:
            raise _invalid(f"{name} must not be empty" if p.min_length == 1 else f"{name} is too short")
        if p.max_length is not None and len(value) > p.max_length:
            raise _invalid(f"{name} must be at most {p.max_length} characters")
    if p.type == "array":
        if p.max_items is not None and len(value) > p.max_items:
            raise _invalid(f"{name} must have at most {p.max_items} items")
        for i, item in enumerate(value):
            if p.items and not _is_type(item, p.items):
                raise _invalid(f"{name}[{i}] must be {_TYPE_NAMES[p.items]}")
            if p.item_enum is not None and item not in p.item_enum:
                raise _invalid(f"{name}[{i}] must be one of {', '.join(p.item_enum)} (got {item!r})")
    if p.type == "object" and p.keys is not None:
        for key in p.keys:
            if key not in value:
                raise ApiError("INVALID_PARAMS", f"Missing required parameter: {name}.{key}")
        allowed = set(p.keys) | set(p.optional_keys)
        for key, sub in value.items():
            if key not in allowed:
                raise _invalid(f"{name}.{key} is not a known field (expected {', '.join(sorted(allowed))})")
            if not isinstance(sub, str):
                raise _invalid(f"{name}.{key} must be a string")


def check(raw: Mapping[str, Any], spec: ParamSpec) -> dict[str, Any]:
    """Validated params with defaults filled in; ApiError(INVALID_PARAMS) on the first problem."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        canonical = spec.aliases.get(key, key)
        if canonical not in spec.params:
            valid = ", ".join(sorted(spec.params)) or "none"
            raise ApiError("INVALID_PARAMS", f"Unknown parameter: {key} (valid parameters: {valid})")
        if canonical in params and canonical != key:
            continue  # the canonical name wins over its alias
        params[canonical] = value
    for name, p in spec.params.items():
        if name not in params or params[name] is None:
            if p.required:
                raise ApiError("INVALID_PARAMS", f"Missing required parameter: {name}")
            params.pop(name, None)
            if p.default is not None:
                params[name] = p.default
            continue
        _check_value(name, params[name], p)
    for group in spec.one_of:
        if not any(g in params for g in group):
            raise ApiError("INVALID_PARAMS", f"Missing required parameter: {' or '.join(group)}")
    return params
