"""Generated documentation stays in step with the specs."""

from __future__ import annotations

from pathlib import Path

from linkup_mcp.spec.catalog import Catalog
from linkup_mcp.spec.docs import render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "tools.md"


def test_tools_md_is_current(catalog: Catalog) -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(catalog), (
        "docs/tools.md is stale: uv run linkup-mcp tools --markdown > docs/tools.md"
    )


def test_tools_md_lists_every_tool(catalog: Catalog) -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in catalog.names():
        assert f"## {name}" in text or f"### {name}\n" in text, name
