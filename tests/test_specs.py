"""The spec files: complete, valid against the meta-schema, and loud about mistakes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from linkup_mcp.spec.catalog import toolset_specs
from linkup_mcp.spec.loader import SpecError, default_specs_dir, load_specs
from linkup_mcp.spec.models import SideEffect
from scripts.regenerate import COMMAND, spec_schema

SPECS = default_specs_dir()
META = SPECS / "spec.schema.json"

ACTIONS = load_specs()


def test_each_spec_file_is_named_after_its_category() -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["category"] == path.stem, path.name


def test_outreach_and_destructive_actions_say_how_to_verify() -> None:
    """What OUTCOME_UNKNOWN names: how to tell whether an unconfirmed send happened."""
    for action in ACTIONS:
        if action.spec.side_effect in (SideEffect.outreach, SideEffect.destructive):
            assert action.spec.verify_with, action.tool


def test_side_effect_class_fits_the_route() -> None:
    for action in ACTIONS:
        if action.route.method == "GET":
            assert action.spec.side_effect is SideEffect.read, action.tool
        if action.route.method == "DELETE":
            assert action.spec.side_effect is SideEffect.destructive, action.tool


def test_what_a_write_invalidates_is_cached_by_subject() -> None:
    """A write's `invalidates` drops cached answers about its subject: the tools it names are
    cached reads that say what their subject is, in a param the write has too."""
    by_tool = {a.tool: a for a in ACTIONS}
    for action in ACTIONS:
        for name in action.spec.invalidates:
            cached = by_tool[name].spec
            assert cached.cache_ttl is not None, (action.tool, name)
            if action.spec.subject:
                assert cached.subject, (action.tool, name)
                assert set(cached.subject) & set(action.spec.subject), (action.tool, name)


def test_toolsets_are_described_and_some_are_on_by_default() -> None:
    infos = toolset_specs(ACTIONS)
    assert any(t.default for t in infos.values())
    assert len({t.description for t in infos.values()}) == len(infos)


def test_meta_schema_is_current() -> None:
    """tool_specs/spec.schema.json is generated from the models."""
    assert META.read_text(encoding="utf-8") == spec_schema(), f"tool_specs/spec.schema.json is stale: {COMMAND}"


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_spec_file_matches_meta_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(META.read_text(encoding="utf-8"))).validate(data)
    for action in data["actions"]:
        jsonschema.Draft202012Validator.check_schema(action.get("params", {}))


def _broken(tmp_path: Path, edit: str, replacement: str) -> Path:
    for path in SPECS.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / "network.yaml"
    text = target.read_text(encoding="utf-8")
    assert edit in text
    target.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "replacement", "expected"),
    [
        ("side_effect: outreach", "side_effect: outward", "network.yaml: actions.0.side_effect: Input should be"),
        (
            "profile_url:\n          type: string\n          minLength: 1\n          description: LinkedIn profile URL of the person to invite",
            "profileUrl:\n          type: string\n          description: camel",
            "param name 'profileUrl' must be lower snake case",
        ),
        (
            "param: count, default: 10}",
            "param: limit, default: 10}",
            "credits.per_results.param 'limit' is not a param",
        ),
        (
            "      target: [profile_url, identifier]\n      text: [message]",
            "      target: [nobody, identifier]\n      text: [message]",
            "outreach names unknown params ['nobody']",
        ),
        ("toolset:\n  default: true\n", "toolset:\n", "network.yaml: toolset.default: Field required"),
        (
            "subject: [profile_url, identifier]",
            "subject: [profile_url, person]",
            "subject names unknown params ['person']",
        ),
        (
            "refuse_when: [connected, invited, invited_you]",
            "refuse_when: [connected, pending]",
            "outreach.refuse_when.1: Input should be 'connected', 'invited', 'invited_you' or 'none'",
        ),
        (
            "{person: 'param:profile_url', state: invitation_type,",
            "{person: 'param:profile', state: invitation_type,",
            "relations person 'param:profile' is not a param",
        ),
        (
            "invalidates: [network_check_invitation]  # a",
            "invalidates: [network_check_invitations]  # a",
            "network_invite: invalidates names unknown tools ['network_check_invitations']",
        ),
    ],
)
def test_spec_mistakes_are_reported_with_file_and_reason(
    tmp_path: Path, edit: str, replacement: str, expected: str
) -> None:
    with pytest.raises(SpecError) as info:
        load_specs(_broken(tmp_path, edit, replacement))
    assert expected in str(info.value)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    directory = _broken(tmp_path, "side_effect: outreach", "side_effect: outward")
    mail = directory / "mail.yaml"
    mail.write_text(mail.read_text(encoding="utf-8").replace("title: Find a work email", "title: X"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_specs(directory)
    assert [p.split(":")[0] for p in info.value.problems] == ["mail.yaml", "network.yaml"]


def test_an_edited_spec_file_takes_effect_at_the_next_load(tmp_path: Path) -> None:
    directory = tmp_path / "specs"
    shutil.copytree(SPECS, directory, ignore=shutil.ignore_patterns("*.json"))
    first = load_specs(directory)
    edited = directory / "mail.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Find a work email", "Find an email"), "utf-8")
    second = load_specs(directory)
    assert second != first
    assert [a.spec.title for a in second if a.tool == "mail_find_email"] == ["Find an email"]


PAGED = {
    "name": "search",
    "title": "Search things",
    "description": "Search things by keyword; returns a page of results with their ids and names.",
    "side_effect": "read",
    "credits": {"per_results": {"every": 10, "param": "total_results", "default": 10}},
    "pagination": {"style": "pages", "page_size": 10, "items": "results", "count": "total_results"},
    "source": "https://docs.linkupapi.com/api-reference/v2/things/search",
    "response": {"data": {"results": [{"id": "string", "name": "string|null"}], "total_results": "integer"}},
    "params": {
        "type": "object",
        "properties": {
            "total_results": {"type": "integer", "description": "How many"},
            "start_page": {"type": "integer", "description": "First page"},
            "end_page": {"type": "integer", "description": "Last page"},
        },
    },
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"pagination": {**PAGED["pagination"], "count": None}}, "needs pagination.count (the same param)"),
        ({"pagination": {**PAGED["pagination"], "count": "end_page"}}, "and credits.per_results.param"),
        ({"pagination": {"style": "none", "count": "total_results"}}, "pagination.count is for pagination style pages"),
        ({"subject": ["total_results"]}, "subject is for cached reads (cache_ttl) and actions that invalidate"),
        ({"adds_server_spend": True, "side_effect": "write"}, "adds_server_spend is for read actions"),
        (
            {"relations": [{"person": "url", "states": {"*": "connected"}}], "side_effect": "write"},
            "relations are learnt from reads",
        ),
        ({"side_effect": "outreach"}, "side_effect outreach and an outreach block go together"),
        ({"source": "https://example.com/docs"}, "String should match pattern"),
        ({"source": "http://docs.linkupapi.com/x"}, "String should match pattern"),
        ({"response": {"data": {"results": "string"}}}, "pagination.items 'results' is not an array field"),
        ({"response": {"data": {"results": [{"id": "text"}]}}}, "data.results[].id: unknown type text"),
        ({"response": {"data": {"results": ["string", "integer"]}}}, "an array is written [item]"),
        ({"response": {"documented": False}}, "data"),
    ],
)
def test_action_field_rules(change: dict[str, object], expected: str) -> None:
    from pydantic import ValidationError

    from linkup_mcp.spec.models import ActionSpec

    ActionSpec.model_validate(PAGED)
    with pytest.raises(ValidationError, match=re.escape(expected)):
        ActionSpec.model_validate({**PAGED, **change})
