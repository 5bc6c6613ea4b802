"""The compiled catalog: schemas, annotations, descriptions, filtering, and a snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mcp_types as types
from jsonschema import Draft202012Validator

from linkup_mcp.spec.catalog import UNDESCRIBED, Catalog, Exposure, published
from linkup_mcp.spec.loader import load_specs
from scripts.regenerate import COMMAND, catalog_snapshot

SNAPSHOT = Path(__file__).parent / "snapshots" / "catalog.json"


def _properties(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, sub in schema.get("properties", {}).items():
        out.append((path + name, sub))
        out.extend(_properties(sub, path + name + "."))
        if isinstance(sub.get("items"), dict):
            out.extend(_properties(sub["items"], path + name + "[]."))
    return out


def test_every_tool_schema_is_strict_draft_2020_12(catalog: Catalog) -> None:
    for tool in catalog.tools.values():
        schema = tool.definition["inputSchema"]
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False, tool.name
        if tool.action.route.account == "none":  # acts as no account: nothing to choose
            assert "account_id" not in schema["properties"], tool.name
        else:
            assert schema["properties"]["account_id"]["type"] == "string"
            assert "account_id" not in schema.get("required", [])
        for name, prop in _properties(schema):  # the server instructions describe the UNDESCRIBED once
            assert prop.get("description") or name in UNDESCRIBED, f"{tool.name}: {name} has no description"
        assert "outputSchema" not in tool.definition  # optional in MCP; structuredContent needs none
        types.Tool.model_validate(tool.definition)


def test_published_schema_leaves_out_only_bounds_that_say_nothing(catalog: Catalog) -> None:
    """`minLength: 1` and `minimum: 1` are enforced by local validation, not published."""
    for tool in catalog.tools.values():
        text = str(tool.definition["inputSchema"])
        assert "'minLength': 1," not in text and "'minLength': 1}" not in text, tool.name
        assert tool.checked_schema.get("properties", {}).keys() == tool.input_schema["properties"].keys()
        assert published(tool.full_schema or tool.input_schema) == tool.input_schema
    invite = catalog.tools["profiles_get"]
    assert invite.checked_schema["properties"]["profile_url"]["minLength"] == 1


def test_descriptions_have_purpose_and_cost_line(catalog: Catalog) -> None:
    for tool in catalog.tools.values():
        text = tool.definition["description"]
        purpose, cost = text.split("\n")[:2]
        assert len(purpose) >= 40, tool.name
        assert cost.startswith("Cost: ") and cost.endswith("."), tool.name


def test_annotations_follow_side_effect_class(catalog: Catalog) -> None:
    def notes(name: str) -> dict[str, Any]:
        return catalog.tools[name].definition["annotations"]

    # hints equal to MCP's defaults (readOnly false, idempotent false, openWorld true) are left out,
    # and idempotentHint on a read (MCP: meaningful only when not read-only)
    assert notes("profiles_get") == {"readOnlyHint": True}
    assert notes("messages_send") == {"destructiveHint": False}
    assert notes("network_withdraw") == {"destructiveHint": True}
    assert notes("profiles_visit") == {"idempotentHint": True, "destructiveHint": False}
    for tool in catalog.tools.values():
        a = tool.definition["annotations"]
        assert a.get("openWorldHint", True) is True and tool.definition["title"]
        assert a.get("readOnlyHint", False) is (tool.action.spec.side_effect.value == "read")
        effect = tool.action.spec.side_effect.value  # the side-effect class is said in words too
        lines = tool.definition["description"].split("\n")
        if effect == "read":
            assert not any(line.startswith(("Outreach:", "Write:", "Destructive:")) for line in lines), tool.name
        else:
            assert f"{effect.capitalize()}: " in tool.definition["description"], tool.name


def test_filters_toolsets_and_read_only() -> None:
    actions = load_specs()
    only = Catalog.build(actions, Exposure.of(toolsets=["mail", "credits"]))
    assert sorted(only.names()) == [
        "credits_estimate",
        "credits_get",
        "mail_find_email",
        "mail_reverse_email",
        "mail_validate_email",
    ]
    reads = Catalog.build(actions, Exposure.of(read_only=True))
    assert (
        "profiles_get" in reads.tools and "messages_send" not in reads.tools and "network_withdraw" not in reads.tools
    )
    assert all(t.action.read_only for t in reads.tools.values())


def test_catalog_snapshot() -> None:
    """Schema drift is an API change for agents: regenerate on purpose and review the diff."""
    assert SNAPSHOT.exists(), f"no snapshot yet: {COMMAND}"
    assert SNAPSHOT.read_text(encoding="utf-8") == catalog_snapshot(), (
        f"tool catalog changed: review, then {COMMAND} (and look at the diff of tests/snapshots/catalog.json)"
    )


def test_filters_exact_tool_names() -> None:
    actions = load_specs()
    picked = Catalog.build(actions, Exposure.of(tools=["profiles_get", "credits_estimate", "nope"]))
    assert picked.names() == ["profiles_get", "credits_estimate"]
    minus = Catalog.build(actions, Exposure.of(exclude_tools=["messages_send", "credits_estimate"]))
    assert "messages_send" not in minus.names() and "credits_estimate" not in minus.names()
    assert "messages_list_inbox" in minus.names()
    both = Catalog.build(
        actions, Exposure.of(toolsets=["network"], read_only=True, exclude_tools=["network_list_sent"])
    )
    assert sorted(both.names()) == [
        "network_check_invitation",
        "network_list_connections",
        "network_list_invitations",
        "network_recommendations",
    ]


def test_toolset_defaults_come_from_the_specs(tmp_path: Path) -> None:
    """`toolset.default: false` makes a toolset opt-in: off unless LINKUP_TOOLSETS names it
    (its local tools too); `Exposure.everything()` and OPT_IN_TOOLSETS follow the specs."""
    from linkup_mcp.spec import catalog as catalog_module
    from linkup_mcp.spec.catalog import opt_in_toolsets, toolset_specs
    from linkup_mcp.spec.loader import default_specs_dir

    for path in default_specs_dir().glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "credits":  # credits becomes opt-in, webhooks on by default
            text = text.replace("toolset:\n  default: true", "toolset:\n  default: false", 1)
        if path.stem == "webhooks":
            text = text.replace("toolset:\n  default: false", "toolset:\n  default: true", 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    actions = load_specs(tmp_path)
    assert opt_in_toolsets(actions) == {a.toolset for a in actions if not a.toolset_info.default}
    assert "credits" in opt_in_toolsets(actions) and "webhooks" not in opt_in_toolsets(actions)
    listed = Catalog.build(actions, Exposure()).names()
    assert "credits_get" not in listed and "credits_estimate" not in listed
    assert "webhooks_events" in listed and "webhooks_wait" in listed
    assert "credits_get" in Catalog.build(actions, Exposure.of(toolsets=["credits"])).names()
    packaged = toolset_specs()
    assert Exposure.everything().toolsets == set(packaged)
    assert {name for name, info in packaged.items() if not info.default} == catalog_module.OPT_IN_TOOLSETS
