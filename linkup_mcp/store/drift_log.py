"""Where LinkupAPI's answers differed from its documentation: one row per call that drifted
(time, tool, account, what differed), in the ledger (table `drift`, SQLite or PostgreSQL), so a
user can report it; `linkup-mcp ledger` lists the recent ones. Written by the call pipeline's
drift step."""

from __future__ import annotations

import json
from typing import Any

from linkup_mcp.store.records import Store, iso, utc_day


class DriftLog:
    def __init__(self, ledger: Store):
        self.ledger = ledger

    def record(self, tool: str, account: str | None, differences: list[str]) -> None:
        self.ledger.drift_add(tool, account, json.dumps(differences, ensure_ascii=False))

    def recent(self, days: int = 30, limit: int = 50) -> list[dict[str, Any]]:
        """The newest rows first: {time, tool, account, differences}."""
        since = utc_day(self.ledger.now() - days * 86400)
        rows = self.ledger.drift_recent(since, limit)
        return [{"time": iso(ts), "tool": t, "account": a, "differences": json.loads(d)} for ts, t, a, d in rows]
