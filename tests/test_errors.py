"""One error vocabulary: every code the server produces is a `Code` with its retryability and hint."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from linkup_mcp.errors import HINTS, RETRYABLE, Code, ToolError, is_retryable

PACKAGE = Path(__file__).resolve().parents[1] / "linkup_mcp"
README = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")


def test_the_table_is_complete_and_derived() -> None:
    assert set(RETRYABLE) == {c.value for c in Code}
    assert all(isinstance(c.retryable, bool) for c in Code)
    assert HINTS["ACCOUNT_INACTIVE"] == Code.ACCOUNT_INACTIVE.hint
    # Local refusals are permanent until the caller changes something; no answer is worth retrying.
    for code in ("DUPLICATE_SUPPRESSED", "PACING_LIMIT", "RECIPIENT_LIMIT", "ALREADY_CONNECTED", "DECLINED"):
        assert Code(code).retryable is False
    assert [is_retryable(c) for c in ("TIMEOUT", "NETWORK_ERROR", "BAD_RESPONSE", "OUTCOME_UNKNOWN")] == [
        True,
        True,
        True,
        False,
    ]


def test_unknown_api_codes_pass_through_judged_by_status() -> None:
    assert ToolError("SOMETHING_NEW", "x", http_status=503).to_dict()["retryable"] is True
    assert ToolError("SOMETHING_NEW", "x", http_status=400).to_dict() == {
        "code": "SOMETHING_NEW",
        "message": "x",
        "retryable": False,
        "http_status": 400,
    }
    assert f"{Code.TIMEOUT}|{Code.TIMEOUT!s}" == "TIMEOUT|TIMEOUT" and Code.TIMEOUT == "TIMEOUT"


def test_no_module_spells_a_code_as_a_string() -> None:
    """ToolError, refusals and ledger refusals take a `Code`, so a new code cannot miss the table."""
    makers = {"ToolError", "refuse", "Refusal"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.parts or path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                first = node.args[0]
                if name in makers and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {first.value}")
    assert found == []


def test_the_readme_documents_every_local_code() -> None:
    local = [c for c in Code if re.search(rf"`{c.value}`", README) is None]
    assert local == []
