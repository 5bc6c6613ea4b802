"""Read `tool_specs/*.yaml` into spec models, reporting every problem with its file and path
instead of stopping at the first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from linkup_mcp.spec.models import CategorySpec, ResolvedAction, Toolset


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
    return [action for cat in categories for action in cat.resolved()]


def load_specs(directory: Path | None = None) -> list[ResolvedAction]:
    """Parse and validate every `*.yaml` in `directory`; raise SpecError listing all problems."""
    directory = directory or default_specs_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise SpecError([f"{directory}: no *.yaml spec files"])
    categories: list[CategorySpec] = []
    problems: list[str] = []
    for name, data in _parse_yaml(files):
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
    if not problems:  # references into a file that failed would only repeat its problems
        problems.extend(reference_problems(actions))
    if problems:
        raise SpecError(problems)
    return actions


def _parse_yaml(files: list[Path]) -> list[tuple[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
    documents: list[tuple[str, Any]] = []
    for path in files:
        try:
            documents.append((path.name, yaml.load(path.read_text(encoding="utf-8"), Loader=loader)))
        except yaml.YAMLError as exc:
            documents.append((path.name, f"{path.name}: not valid YAML: {exc}"))
    return documents


def reference_problems(actions: list[ResolvedAction]) -> list[str]:
    """What the per-file checks cannot see: `invalidates` names existing tools, and a toolset is
    described once."""
    by_tool = {a.tool: a for a in actions}
    problems = []
    for action in actions:
        unknown = [t for t in action.spec.invalidates if t not in by_tool]
        if unknown:
            problems.append(f"{action.tool}: invalidates names unknown tools {unknown}")
    described: dict[str, Toolset] = {}
    for action in actions:
        first = described.setdefault(action.toolset, action.toolset_info)
        if first != action.toolset_info:
            problems.append(f"toolset {action.toolset!r} is described twice, differently")
            described[action.toolset] = action.toolset_info
    return problems
