"""Settings come from LINKUP_* variables; CLI flags of the same name override them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from linkup_mcp.__main__ import _settings, build_parser
from linkup_mcp.config import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("LINKUP_"):
            monkeypatch.delenv(key)


def test_environment_is_read_and_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKUP_API_KEY", "secret-123456")
    monkeypatch.setenv("LINKUP_MAX_CREDITS", "200")
    monkeypatch.setenv("LINKUP_TOOLSETS", "profiles, mail")
    monkeypatch.setenv("LINKUP_READ_ONLY", "true")
    s = load_settings()
    assert s.api_key_value() == "secret-123456" and "secret-123456" not in repr(s)
    assert (s.max_credits, s.toolsets, s.read_only, s.timeout) == (200, ["profiles", "mail"], True, 60.0)


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKUP_MAX_CREDITS", "200")
    monkeypatch.setenv("LINKUP_TIMEOUT", "5")
    ns = build_parser().parse_args(["--max-credits", "7", "--sandbox", "tools", "--toolsets", "mail"])
    s = _settings(ns)
    assert (s.max_credits, s.timeout, s.sandbox, s.toolsets) == (7, 5.0, True, ["mail"])


def test_every_setting_but_the_key_has_a_flag() -> None:
    flags = {a.dest for a in build_parser()._actions}
    assert set(Settings.model_fields) - flags == {"api_key", "mcp_token"}


@pytest.mark.parametrize(
    ("var", "value", "field"),
    [("LINKUP_TIMEOUT", "-1", "timeout"), ("LINKUP_CONFIRM", "maybe", "confirm"), ("LINKUP_PACING", "x=1", "pacing")],
)
def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch, var: str, value: str, field: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ValidationError) as err:
        load_settings()
    assert err.value.errors()[0]["loc"] == (field,)


def test_cli_reports_each_bad_setting_by_its_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkup_mcp.__main__ import main

    monkeypatch.setenv("LINKUP_TIMEOUT", "-3")
    monkeypatch.setenv("LINKUP_CONFIRM", "maybe")
    assert main(["tools"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "linkup-mcp: invalid configuration:"
    assert lines[1] == "  LINKUP_TIMEOUT: Input should be greater than 0 (got '-3')"
    assert lines[2] == "  LINKUP_CONFIRM: Input should be 'off', 'outreach', 'all' or 'preview' (got 'maybe')"
