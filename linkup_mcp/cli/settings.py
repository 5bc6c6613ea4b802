"""The settings of a command, checked as a whole before anything starts: each value's type and
range (config.py), and the tool and toolset names against the specs. Every problem names its
variable and the fix; the server, `doctor` and the other commands report them the same way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from pydantic import ValidationError

from linkup_mcp.config import ENV_PREFIX, POSTGRES_SCHEMES, Settings
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
    if (settings.ledger or "").startswith(POSTGRES_SCHEMES) and not _have_postgres_driver():
        problems.append(Problem("LINKUP_LEDGER", POSTGRES_DRIVER_MISSING, _masked(settings.ledger)))
    if problems:
        raise InvalidSettings(problems)
    return settings


def _problem(err: Any) -> Problem:
    variable = ENV_PREFIX + "_".join(str(p) for p in err["loc"][:1]).upper()
    given = err.get("input")
    return Problem(
        variable, str(err["msg"]).removeprefix("Value error, "), _masked(given) if isinstance(given, str) else given
    )


POSTGRES_DRIVER_MISSING = (
    "a PostgreSQL ledger needs the postgres extra: install linkup-mcp[postgres] "
    "(pip install 'linkup-mcp[postgres]', uv tool install 'linkup-mcp[postgres]', or uvx --from 'linkup-mcp[postgres]' linkup-mcp)"
)


def _have_postgres_driver() -> bool:
    from importlib.util import find_spec

    return find_spec("psycopg") is not None and find_spec("psycopg_pool") is not None


def _masked(value: str | None) -> str | None:
    """A URL's password out of messages (LINKUP_LEDGER=postgresql://user:secret@host/db)."""
    return re.sub(r"([^:/@?#]+:)[^@/?#]*@", r"\1****@", value) if value else value
