"""The spec files: complete, valid against the meta-schema, and loud about mistakes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from linkup_mcp.spec.loader import SpecError, default_specs_dir, load_specs
from linkup_mcp.spec.models import SideEffect, spec_format_schema

SPECS = default_specs_dir()
META = SPECS / "spec.schema.json"

# Every V2 action of the migration guide, plus the non-category endpoints (design.md names).
EXPECTED = {
    "profiles": "get_me get get_contact visit search_people search_companies get_company get_viewers get_reactions",
    "messages": "send list_inbox get_conversation",
    "network": "invite accept list_connections list_invitations list_sent withdraw check_invitation recommendations",
    "content": "create create_company search get_feed like react comment answer_comment repost get_comments "
    "get_reactions time_spent",
    "recruiter": "get_posts get_candidates get_cv publish_job close_job",
    "mail": "find_email reverse_email validate_email",
    "accounts": "list get",
    "credits": "get",
    "webhooks": "create list update delete start stop events",
    "auth": "login checkpoint",
}
OUTREACH = {
    "messages_send",
    "network_invite",
    "content_create",
    "content_create_company",
    "content_like",
    "content_react",
    "content_comment",
    "content_answer_comment",
    "content_repost",
    "recruiter_publish_job",
}
DESTRUCTIVE = {"network_withdraw", "recruiter_close_job", "webhooks_delete"}
WRITE = {"profiles_visit", "network_accept", "content_time_spent", "webhooks_create", "webhooks_update"}
WRITE |= {"webhooks_start", "webhooks_stop", "auth_login", "auth_checkpoint"}


def test_every_action_has_a_spec() -> None:
    tools = {a.tool for a in load_specs()}
    assert tools == {f"{cat}_{name}" for cat, names in EXPECTED.items() for name in names.split()}


def test_side_effect_classes() -> None:
    by_class = {a.tool: a.spec.side_effect for a in load_specs()}
    assert {t for t, c in by_class.items() if c is SideEffect.outreach} == OUTREACH
    assert {t for t, c in by_class.items() if c is SideEffect.destructive} == DESTRUCTIVE
    assert {t for t, c in by_class.items() if c is SideEffect.write} == WRITE


def test_outreach_actions_say_how_to_verify_and_what_identifies_them() -> None:
    for action in load_specs():
        if action.spec.side_effect is SideEffect.outreach:
            assert action.spec.outreach is not None, action.tool
            assert action.spec.verify_with, action.tool


def test_meta_schema_is_current() -> None:
    """tool_specs/spec.schema.json is generated from the models: regenerate with UPDATE_SNAPSHOTS=1."""
    current = json.dumps(spec_format_schema(), indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        META.write_text(current, encoding="utf-8")
    assert META.read_text(encoding="utf-8") == current


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_spec_file_matches_meta_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(META.read_text(encoding="utf-8"))).validate(data)
    for action in data["actions"]:
        jsonschema.Draft202012Validator.check_schema(action.get("params", {}))


def _broken(tmp_path: Path, edit: str, replacement: str) -> Path:
    shutil.copy(SPECS / "network.yaml", tmp_path / "network.yaml")
    shutil.copy(SPECS / "mail.yaml", tmp_path / "mail.yaml")
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
            "outreach: {kind: invitation, target: [profile_url",
            "outreach: {kind: invitation, target: [nobody",
            "outreach names unknown params ['nobody']",
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


def test_parsed_specs_are_cached_and_invalidated_by_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linkup_mcp.spec import loader as specs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    directory = tmp_path / "specs"
    shutil.copytree(SPECS, directory, ignore=shutil.ignore_patterns("*.json"))
    first = load_specs(directory)
    assert len(list((tmp_path / "cache" / "linkup-mcp").glob("specs-*.json"))) == 1

    def no_yaml(files: list[Path]) -> list[tuple[str, object]]:
        raise AssertionError("the YAML parser ran although nothing changed")

    monkeypatch.setattr(specs, "_parse_yaml", no_yaml)
    assert load_specs(directory) == first  # served from the cache
    edited = directory / "mail.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Find a work email", "Find an email"), "utf-8")
    with pytest.raises(AssertionError, match="the YAML parser ran"):
        load_specs(directory)  # a changed file is parsed again
