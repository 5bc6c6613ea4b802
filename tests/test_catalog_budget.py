"""The default catalog's size in context tokens: paid on every turn of every session (issue 19).

Counted as benchmarks/ counts it: o200k_base tokens (bpe-openai, built in) of the tools/list
`tools` array as compact JSON. A tool, parameter or description that pushes the catalog over its
budget fails here; make room elsewhere (or raise the budget on purpose, with the reason) rather
than let every session pay for it silently. What stays in each tool whatever the budget — its cost
line, its side-effect class, a meaning for every parameter — is tests/test_catalog.py's business.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from linkup_mcp.spec.catalog import Catalog

FULL_BUDGET = 8_000  # o200k tokens, LINKUP_TOOL_MODE=full with the default toolsets (12,087 before issue 19)
COMPACT_BUDGET = 1_500  # the four meta-tools of LINKUP_TOOL_MODE=compact


def tokens(definitions: list[dict[str, Any]]) -> int:
    import bpe_openai  # o200k_base built in (tiktoken would download it at run time)

    text = json.dumps(definitions, separators=(",", ":"), ensure_ascii=False)
    return len(bpe_openai.get_encoding("o200k_base").encode(text))


@pytest.mark.parametrize(("compact", "budget"), [(False, FULL_BUDGET), (True, COMPACT_BUDGET)])
def test_default_catalog_fits_its_token_budget(compact: bool, budget: int) -> None:
    listed = Catalog.build(compact=compact).definitions()
    used = tokens(listed)
    biggest = ", ".join(f"{d['name']} ({tokens([d])})" for d in sorted(listed, key=lambda d: -tokens([d]))[:3])
    assert used <= budget, (
        f"tools/list is {used:,} o200k tokens, over its budget of {budget:,}: every session pays them on "
        f"every turn. Biggest tools: {biggest}"
    )
