"""Settings come from LINKUP_* variables; CLI flags of the same name override them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from linkup_mcp.__main__ import _settings, build_parser
from linkup_mcp.cli.settings import InvalidSettings, Problem, checked
from linkup_mcp.config import Settings, load_settings
from linkup_mcp.spec.catalog import toolset_specs


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


# every toolset of the specs, in catalog order, opt-in ones marked (derived: a new category needs no edit here)
VALID_TOOLSETS = "valid toolsets: " + ", ".join(
    name if info.default else f"{name} (opt-in)" for name, info in toolset_specs().items()
)


def test_a_misspelled_toolset_stops_the_server_with_the_name_and_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkup_mcp.__main__ import main

    monkeypatch.setenv("LINKUP_TOOLSETS", "profiles,mesages")
    assert main([]) == 2  # the stdio server: nothing served
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[1] == (
        f"  LINKUP_TOOLSETS: unknown toolset 'mesages' (did you mean messages?); {VALID_TOOLSETS} "
        "(got 'profiles,mesages')"
    )


def test_the_toolsets_flag_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    ns = build_parser().parse_args(["--toolsets", "profile", "--transport", "http"])
    with pytest.raises(InvalidSettings) as err:
        checked(lambda: _settings(ns))
    assert err.value.problems == [
        Problem("LINKUP_TOOLSETS", f"unknown toolset 'profile' (did you mean profiles?); {VALID_TOOLSETS}", "profile")
    ]


@pytest.mark.parametrize("var", ["LINKUP_TOOLS", "LINKUP_EXCLUDE_TOOLS"])
def test_unknown_tool_names_are_refused_with_close_matches(monkeypatch: pytest.MonkeyPatch, var: str) -> None:
    monkeypatch.setenv(var, "profiles_get,credits_estimate,mail_find_emails,zzz")
    with pytest.raises(InvalidSettings) as err:
        checked(load_settings)
    (problem,) = err.value.problems
    assert problem.variable == var
    assert problem.message.startswith(
        "unknown tool 'mail_find_emails' (did you mean mail_find_email or mail_validate_email?), 'zzz'; "
        "valid tools: accounts_list, accounts_get, "
    )
    assert problem.message.endswith(", credits_estimate, webhooks_wait")


def test_known_names_pass() -> None:
    s = checked(lambda: Settings(toolsets=["webhooks", "auth"], tools=["webhooks_wait"], exclude_tools=["credits_get"]))
    assert (s.toolsets, s.tools, s.exclude_tools) == (["webhooks", "auth"], ["webhooks_wait"], ["credits_get"])


def test_empty_values_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client passes an optional setting left blank as "": no default account, no budget."""
    for var in ("LINKUP_ACCOUNT_ID", "LINKUP_MAX_CREDITS", "LINKUP_TOOLSETS"):
        monkeypatch.setenv(var, "")
    monkeypatch.setenv("LINKUP_DAILY_CREDITS", "  ")
    s = checked(load_settings)
    assert (s.account_id, s.max_credits, s.toolsets, s.daily_credits) == (None, None, None, None)


def test_the_sandbox_keeps_its_own_ledger(tmp_path: Any) -> None:
    real = str(tmp_path / "books" / "ledger.sqlite3")
    assert Settings(ledger=real).ledger_path() == real
    assert Settings(ledger=real, sandbox=True).ledger_path() == str(tmp_path / "books" / "ledger.sandbox.sqlite3")
    assert Settings(ledger=":memory:", sandbox=True).ledger_path() == ":memory:"
    default, sandboxed = Settings().ledger_path(), Settings(sandbox=True).ledger_path()
    assert (
        default.endswith("/ledger.sqlite3")
        and sandboxed == default.removesuffix("ledger.sqlite3") + "ledger.sandbox.sqlite3"
    )
