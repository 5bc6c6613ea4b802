"""Read `tool_specs/*.yaml` into spec models, reporting every problem with its file and path
instead of stopping at the first."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from linkup_mcp.spec.models import CategorySpec, ResolvedAction


class SpecError(Exception):
    """Every problem found in the spec files, each with its file and path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid tool specs:\n" + "\n".join(f"  - {p}" for p in problems))


def default_specs_dir() -> Path:
    """`tool_specs/` next to the package in a checkout, or inside it in a wheel."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "tool_specs", package.parent / "tool_specs"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("tool_specs directory not found next to the linkup_mcp package")


def parse_category(data: Any, source: str) -> tuple[CategorySpec | None, list[str]]:
    try:
        return CategorySpec.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top)"
            problems.append(f"{source}: {where}: {err['msg']}")
        return None, problems


def resolve(categories: list[CategorySpec]) -> list[ResolvedAction]:
    resolved: list[ResolvedAction] = []
    for cat in categories:
        for action in cat.actions:
            route = action.route or cat.route
            assert route is not None  # checked by CategorySpec
            resolved.append(
                ResolvedAction(
                    tool=f"{cat.category}_{action.name}",
                    category=cat.category,
                    toolset=cat.toolset or cat.category,
                    spec=action,
                    route=route,
                )
            )
    return resolved


def load_specs(directory: Path | None = None, *, cache: bool = True) -> list[ResolvedAction]:
    """Parse and validate every `*.yaml` in `directory`; raise SpecError listing all problems.

    The parsed YAML is cached as JSON (user cache dir, keyed by the files' names, sizes and
    mtimes), so a normal start skips importing and running the YAML parser (~20 ms).
    """
    directory = directory or default_specs_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise SpecError([f"{directory}: no *.yaml spec files"])
    cached = _read_cache(files) if cache else None
    documents = cached if cached is not None else _parse_yaml(files)
    categories: list[CategorySpec] = []
    problems: list[str] = []
    for name, data in documents:
        if isinstance(data, str):  # a YAML error, already described
            problems.append(data)
            continue
        cat, errs = parse_category(data, name)
        problems.extend(errs)
        if cat is not None:
            categories.append(cat)
    actions = resolve(categories)
    tools = [a.tool for a in actions]
    problems.extend(f"tool name {t!r} defined twice" for t in sorted({t for t in tools if tools.count(t) > 1}))
    if problems:
        raise SpecError(problems)
    if cache and cached is None:
        _write_cache(files, documents)
    return actions


def _parse_yaml(files: list[Path]) -> list[tuple[str, Any]]:
    import yaml  # only when the specs changed since the last start

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~8x faster than pure Python
    documents: list[tuple[str, Any]] = []
    for path in files:
        try:
            documents.append((path.name, yaml.load(path.read_text(encoding="utf-8"), Loader=loader)))
        except yaml.YAMLError as exc:
            documents.append((path.name, f"{path.name}: not valid YAML: {exc}"))
    return documents


def _cache_file(files: list[Path]) -> Path | None:
    import hashlib

    from platformdirs import user_cache_path

    try:
        stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    except OSError:
        return None
    key = hashlib.sha256(json.dumps([str(files[0].parent), stamp]).encode()).hexdigest()[:20]
    return user_cache_path("linkup-mcp") / f"specs-{key}.json"


def _read_cache(files: list[Path]) -> list[tuple[str, Any]] | None:
    path = _cache_file(files)
    try:
        return [(name, data) for name, data in json.loads(path.read_text(encoding="utf-8"))] if path else None
    except (OSError, ValueError, TypeError):
        return None


def _write_cache(files: list[Path], documents: list[tuple[str, Any]]) -> None:
    path = _cache_file(files)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(documents), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a concurrent start reads the old file or the new one
    except OSError:
        pass  # a read-only cache dir only costs the YAML parse next time
