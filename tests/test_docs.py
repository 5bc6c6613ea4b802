"""Generated documentation stays in step with the specs: `docs/tools.md` and the README's tool
section (counts and table), both rewritten by one command."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkup_mcp.spec.catalog import Catalog, Exposure, toolset_specs
from linkup_mcp.spec.docs import README_END, README_START, readme_tools, render_markdown, with_readme_tools
from scripts.regenerate import COMMAND

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "tools.md"
README = ROOT / "README.md"


def test_tools_md_is_current(catalog: Catalog) -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(catalog), f"docs/tools.md is stale: {COMMAND}"


def test_tools_md_lists_every_tool(catalog: Catalog) -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in catalog.names():
        assert f"## {name}" in text or f"### {name}\n" in text, name


def test_readme_tool_section_is_current() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme == with_readme_tools(readme, readme_tools()), f"README.md's tool table is stale: {COMMAND}"


def test_readme_tool_section_counts_what_is_listed() -> None:
    section = readme_tools()
    listed = Catalog.build(exposure=Exposure())
    assert f"By default {len(listed.tools)} API tools in " in section
    for name, info in toolset_specs().items():
        row = next(line for line in section.splitlines() if line.startswith(f"| {name} "))
        assert info.description in row and ("*(opt-in)*" in row) is (not info.default)


def test_readme_markers_are_required() -> None:
    with pytest.raises(ValueError, match="lacks the"):
        with_readme_tools("# no markers\n", "x\n")
    assert with_readme_tools(f"a\n{README_START}\nold\n{README_END}\nb\n", "new\n") == (
        f"a\n{README_START}\nnew\n{README_END}\nb\n"
    )
