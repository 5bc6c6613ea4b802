"""Every category's actions: `CATEGORIES[category][action]` is an `ActionDef`.

Mail lookups are data enrichment, not LinkedIn-account actions: `account_id` is optional there
(`ACCOUNT_OPTIONAL`). The param tables here are the sandbox's own: the sandbox is the
independent referee the MCP server's specs are tested against, so nothing is read from them.
"""

from __future__ import annotations

from linkup_mcp.sandbox.handlers import content, mail, messages, network, profiles, recruiter
from linkup_mcp.sandbox.handlers.common import ActionDef, Ctx, Outcome

CATEGORIES: dict[str, dict[str, ActionDef]] = {
    name: {a.name: a for a in module.ACTIONS}
    for name, module in (
        ("profiles", profiles),
        ("messages", messages),
        ("network", network),
        ("content", content),
        ("recruiter", recruiter),
        ("mail", mail),
    )
}
ACCOUNT_OPTIONAL = frozenset({"mail"})

__all__ = ["ACCOUNT_OPTIONAL", "CATEGORIES", "ActionDef", "Ctx", "Outcome"]
