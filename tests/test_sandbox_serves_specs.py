"""The sandbox and the specs describe the same API: every spec action reaches a sandbox handler
(its route, method and wire action), and every V2 category action the sandbox serves has a spec.

The sandbox is the independent referee the specs are tested against, so it imports nothing from
the core; this test imports both and compares what the one sends with what the other answers.
A new action needs its YAML and its sandbox handler, and no edit here."""

from __future__ import annotations

import re

import pytest

from linkup_mcp.sandbox.app import served
from linkup_mcp.sandbox.handlers import CATEGORIES
from linkup_mcp.spec.loader import load_specs
from linkup_mcp.spec.models import ResolvedAction

ACTIONS = load_specs()


def request_of(action: ResolvedAction) -> tuple[str, str, str | None]:
    """Method, path (path parameters filled with a placeholder) and body action a call sends."""
    path = re.sub(r"{[a-z_]+}", "id_1", action.route.path)
    return action.route.method, path, action.wire_action if action.route.body == "action" else None


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.tool)
def test_every_spec_action_is_served_by_the_sandbox(action: ResolvedAction) -> None:
    method, path, wire = request_of(action)
    assert served(method, path, wire) is not None, (
        f"the sandbox does not serve {action.tool} ({method} {path}"
        + (f", action {wire!r})" if wire else ")")
        + ": add a handler in linkup_mcp/sandbox/handlers/ (or its route in sandbox/app.py)"
    )


def test_every_sandbox_category_action_has_a_spec() -> None:
    """The referee's V2 actions (POST /v2/{category} {action}) are all offered as tools."""
    specified = {served(*request_of(a)) for a in ACTIONS}
    missing = sorted(
        f"{category}.{name}"
        for category, actions in CATEGORIES.items()
        for name in actions
        if (category, name) not in specified
    )
    assert not missing, f"served by the sandbox but in no tool_specs/*.yaml: {missing}"


def test_an_unknown_action_or_route_is_not_served() -> None:
    assert served("POST", "/v2/profiles", "no_such_action") is None
    assert served("POST", "/v2/nowhere", "get") is None
    assert served("GET", "/v2/profiles", "get") is None
    assert served("POST", "/v2/webhooks/id_1/rewind") is None
    assert served("POST", "/v2/enrich", "find_email") == ("mail", "find_email")
