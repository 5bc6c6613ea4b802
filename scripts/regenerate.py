"""Regenerate every file generated from the specs and the code, in one command.

    uv run scripts/regenerate.py           # rewrite the stale files, naming each
    uv run scripts/regenerate.py --check   # change nothing; exit 1 naming each stale file

The files (each has a test that fails, naming this command, when it is stale):

- `tool_specs/spec.schema.json`: the spec format, from the models (`spec_format_schema()`);
- `tests/snapshots/catalog.json`: every compiled tool as clients see it (review its diff: a
  schema change is an API change for agents);
- `docs/tools.md`: the tool catalog (`linkup_mcp/spec/docs.py`);
- `README.md`, between `<!-- tools:start -->` and `<!-- tools:end -->`: tool counts and table;
- `docs/reliability.md`: the fault matrix's contract (`tests/test_fault_matrix.py` ROWS).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "uv run scripts/regenerate.py"
if str(ROOT) not in sys.path[:1]:  # this checkout's package and tests, also when run as a script
    sys.path.insert(0, str(ROOT))


def spec_schema() -> str:
    from linkup_mcp.spec.models import spec_format_schema

    return json.dumps(spec_format_schema(), indent=1, sort_keys=True) + "\n"


def catalog_snapshot() -> str:
    from linkup_mcp.spec.catalog import Catalog, Exposure

    definitions = Catalog.build(exposure=Exposure.everything()).definitions()
    return json.dumps(definitions, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def tools_md() -> str:
    from linkup_mcp.spec.catalog import Catalog, Exposure
    from linkup_mcp.spec.docs import render_markdown

    return render_markdown(Catalog.build(exposure=Exposure.everything()))


def readme() -> str:
    from linkup_mcp.spec.docs import readme_tools, with_readme_tools

    return with_readme_tools((ROOT / "README.md").read_text(encoding="utf-8"), readme_tools())


def reliability_md() -> str:
    render: Callable[[], str] = importlib.import_module("tests.test_fault_matrix").render
    return render()


GENERATED: dict[str, Callable[[], str]] = {
    "tool_specs/spec.schema.json": spec_schema,
    "tests/snapshots/catalog.json": catalog_snapshot,
    "docs/tools.md": tools_md,
    "README.md": readme,
    "docs/reliability.md": reliability_md,
}


def stale() -> dict[Path, str]:
    """Each generated file whose content differs from what it is generated from, with that content."""
    out = {}
    for name, render in GENERATED.items():
        path, text = ROOT / name, render()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out[path] = text
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is stale")
    args = parser.parse_args(argv)
    changed = stale()
    for path, text in changed.items():
        name = path.relative_to(ROOT)
        if args.check:
            print(f"stale: {name}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {name}")
    if not changed:
        print("every generated file is current")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
