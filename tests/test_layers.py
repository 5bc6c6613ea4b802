"""The package's layers and the direction of its imports (docs/architecture.md).

Lowest first; a module may import its own layer and the layers below, never above. `store` and
`api` are side by side: neither imports the other. The sandbox plays LinkupAPI: it imports
nothing from the core, and the core loads it only to start it. Imports inside functions count
too (a lazy import upward is still an upward dependency); `if TYPE_CHECKING:` imports do not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "linkup_mcp"

LAYERS: list[set[str]] = [
    {"linkup_mcp", "linkup_mcp.config", "linkup_mcp.errors", "linkup_mcp.redact"},  # foundation
    {"linkup_mcp.spec"},  # specs as data, the compiler
    {"linkup_mcp.store", "linkup_mcp.api"},  # what outlasts a call; LinkupAPI over HTTP
    {"linkup_mcp.call"},  # one tool call: the runtime and its pipeline
    {"linkup_mcp.mcp"},  # MCP wiring and transports
    {"linkup_mcp.cli", "linkup_mcp.__main__"},  # commands
]
SIDE_BY_SIDE = {"linkup_mcp.store", "linkup_mcp.api"}
SANDBOX = "linkup_mcp.sandbox"
MAX_TOP_LEVEL_MODULES = 8
MAX_CORE_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit(module: str) -> str:
    """The layer unit a module belongs to: its subpackage, or the top-level module itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def rank(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if unit(module) in layer:
            return i
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS in tests/test_layers.py")


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every linkup_mcp import, outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("linkup_mcp")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("linkup_mcp"):
                # `from linkup_mcp.call import local` imports linkup_mcp.call.local
                found += [(node.lineno, f"{base}.{a.name}" if base.count(".") == 1 else base) for a in node.names]
    return found


def core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if SANDBOX.split(".")[1] not in p.relative_to(PACKAGE).parts]


def test_imports_point_down() -> None:
    upward = []
    for path in core_modules():
        here = module_name(path)
        for line, target in imports(path):
            if target.startswith(SANDBOX):
                continue  # the core starts the sandbox (open_runtime, `linkup-mcp sandbox`)
            there = target if unit(target) != "linkup_mcp" else "linkup_mcp"
            sideways = {unit(here), unit(there)} == SIDE_BY_SIDE
            if rank(there) > rank(here) or sideways:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert upward == []


def test_the_sandbox_imports_nothing_from_the_core() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for path in (PACKAGE / "sandbox").rglob("*.py")
        for line, target in imports(path)
        if not target.startswith(SANDBOX)
    ]
    assert found == []


def test_the_layout_shows_the_layers() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert packages == ["api", "call", "cli", "mcp", "sandbox", "spec", "store"]
    for path in core_modules():
        rank(module_name(path))  # every module is in a layer
    long = [
        f"{p.relative_to(PACKAGE.parent)}: {n}"
        for p in core_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_CORE_LINES
    ]
    assert long == []


def test_the_readme_layout_matches_the_tree() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- layout:start -->")[1].split("<!-- layout:end -->")[0]
    listed = {line.split()[0] for line in block.splitlines() if line.startswith("  ") and line[2] != " "}
    top = {p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    packages = {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert listed == top | packages
    for sub in sorted(packages - {"sandbox/"}):
        entry = re.split(r"\n  (?! )", block[block.index(f"  {sub}") :])[0]
        for module in sorted(p.stem for p in (PACKAGE / sub).glob("*.py") if p.stem != "__init__"):
            assert re.search(rf"\b{module}\b", entry), f"README layout: {sub}{module}.py is not listed"
