"""The settings of a command, checked as a whole before anything starts: each value's type and
range (config.py), and the tool and toolset names against the specs. Every problem names its
variable and the fix; the server, `doctor` and the other commands report them the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pydantic import ValidationError

from linkup_mcp.config import ENV_PREFIX, Settings
from linkup_mcp.spec.catalog import unknown_name_problem

# Settings that name tools or toolsets, and the kind of name each holds.
NAMED = {"toolsets": "toolset", "tools": "tool", "exclude_tools": "tool"}


class Problem(NamedTuple):
    variable: str  # LINKUP_X
    message: str
    given: Any

    def line(self) -> str:
        return f"{self.variable}: {self.message} (got {self.given!r})"


class InvalidSettings(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.line() for p in problems))
        self.problems = problems


def checked(load: Callable[[], Settings]) -> Settings:
    """`load()`'s settings, or InvalidSettings listing every problem."""
    try:
        settings = load()
    except ValidationError as exc:
        raise InvalidSettings([_problem(err) for err in exc.errors()]) from None
    problems = []
    for field, kind in NAMED.items():
        given = getattr(settings, field)
        message = unknown_name_problem(kind, given) if given else None
        if message:
            problems.append(Problem(ENV_PREFIX + field.upper(), message, ",".join(given)))
    if problems:
        raise InvalidSettings(problems)
    return settings


def _problem(err: Any) -> Problem:
    variable = ENV_PREFIX + "_".join(str(p) for p in err["loc"][:1]).upper()
    return Problem(variable, str(err["msg"]).removeprefix("Value error, "), err.get("input"))
