"""Paid-read cache: a lookup already paid for is answered again for free while it is fresh.

Kept in the ledger (table `read_cache`, SQLite or PostgreSQL), so it is shared by the processes
that share the ledger and disappears with `LINKUP_LEDGER=:memory:`. Entries are keyed by a digest of
(tool, account, arguments); the subject (the profile, company, email... the call is about) is
stored as a digest too, so a write can invalidate what it changes: an invite to a person drops
the cached `network_check_invitation` for that person.

Which params name the subject is each action's `subject:` in its spec (most specific first);
callers pass it as the last argument of `put` and `invalidate` (`action.spec.subject`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from linkup_mcp.config import parse_ttls
from linkup_mcp.spec.identity import BARE_MEMBER_PARAMS, normalise
from linkup_mcp.store.records import Store, digest


def subject_of(args: dict[str, Any], names: Sequence[str]) -> str | None:
    """Digest of the first of the `names` params given a non-empty string, normalised by
    spec/identity.py (every URL form of one profile is one subject)."""
    for name in names:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            return digest(normalise(value, bare_member=name in BARE_MEMBER_PARAMS))
    return None


def ttl_of(tool: str, spec_ttl: int | None, every: int | None, per_tool: dict[str, int]) -> int:
    """Seconds results of `tool` stay fresh under LINKUP_CACHE_TTL (`every`, `per_tool`: parse_ttls);
    0 = not cached. The catalog reads it too: a tool that is not cached takes no `fresh`."""
    if spec_ttl is None:
        return 0
    if tool in per_tool:
        return per_tool[tool]
    return spec_ttl if every is None else min(every, spec_ttl) if every else 0


class ReadCache:
    def __init__(self, ledger: Store, ttl_override: str | None = None):
        self.ledger = ledger
        self.every, self.per_tool = parse_ttls(ttl_override)

    def ttl(self, tool: str, spec_ttl: int | None) -> int:
        """Seconds results of `tool` stay fresh; 0 = not cached."""
        return ttl_of(tool, spec_ttl, self.every, self.per_tool)

    @staticmethod
    def key(tool: str, account: str | None, params: dict[str, Any]) -> str:
        return digest([tool, account, params])

    def get(self, key: str, ttl: int) -> tuple[Any, float] | None:
        """(data, age in seconds) when fresh."""
        now = self.ledger.now()
        row = self.ledger.cache_get(key)
        if row is None or now - row[1] > ttl:
            return None
        return json.loads(row[0]), now - row[1]

    def put(
        self,
        key: str,
        tool: str,
        account: str | None,
        args: dict[str, Any],
        data: Any,
        subject: Sequence[str],
    ) -> None:
        """Keep `data` under `key`, with the subject named by the `subject` params of `args`."""
        self.ledger.cache_put(key, tool, account, subject_of(args, subject), json.dumps(data))

    def invalidate(self, tools: list[str], account: str | None, args: dict[str, Any], subject: Sequence[str]) -> int:
        """Drop cached results of `tools` about this call's subject (named by its `subject`
        params; all of them when the call names none)."""
        return self.ledger.cache_drop(tools, account, subject_of(args, subject))
