"""The server instructions, sent once per session at initialize, built from the runtime.

They say what the tool definitions leave out to stay small on every tools/list (spec/catalog.py):
the envelope (no outputSchema), paging by `next`, the arguments the server reads itself — and,
before the first call, the safety settings an agent cannot see: whether an outreach call sends
at once, previews first or waits for the user (LINKUP_CONFIRM), the budgets, the pacing caps and
the recipient cap. They name only what this session can call: a tool hidden by the exposure
settings is not mentioned, and in compact mode an action is "the X action", never a tool.
Paid once per session, so each sentence is there only when it applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from linkup_mcp.call.safety import effects, outreach_kinds
from linkup_mcp.spec.local_tools import READ, RUN
from linkup_mcp.spec.models import SideEffect

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime
    from linkup_mcp.spec.catalog import Catalog

OUTREACH = "(messages, invitations, posts, comments, reactions)"

# What each confirmation mode means for an outreach call, in plain words ({what}: tools or actions).
CONFIRM_SENTENCES = {
    "off": "Outreach {what} {OUTREACH} are seen by real people and SEND at once — there is no preview; "
    "show the user what you will send before calling.",
    "preview": "Outreach {what} {OUTREACH} are seen by real people: the first call of an outreach {one} sends "
    "nothing and returns a preview with a confirm_token; call again with it to send.",
    "outreach": "Outreach {what} {OUTREACH} are seen by real people: the user is asked to confirm each send "
    "in the client.",
    "all": "Outreach {what} {OUTREACH} are seen by real people: the user is asked to confirm each send, and "
    "every other change, in the client.",
}

ENGAGEMENT = "engagement (posts, comments, reactions, reposts)"

ENVELOPE = (
    "Every result is one envelope {ok, tool, account_id, data, error, credits {charged, estimated, "
    "session_spent, budget_remaining}, next, sandbox}; a list's `next` holds the complete arguments of its "
    "next page (null at the end): pass it as is."
)

# The arguments the server reads itself, each said only when an exposed tool takes it.
CONTROL = {
    "fields": "fields (dotted data paths to keep, e.g. results.headline: fewer tokens)",
    "max_credits": "max_credits (page through a list within this many credits)",
    "fresh": "fresh (a paid lookup is answered again for free while fresh; fresh: true asks the API)",
    "allow_duplicate": "allow_duplicate (send despite the duplicate guard or a known connected/invited state)",
    "confirm_token": "confirm_token (from a preview, to send it)",
}


def _namer(catalog: Catalog) -> Callable[[str], str | None]:
    """How to name a tool in this session: as a tool if listed, as `the X action` in compact mode
    if it can be run, else not at all (None)."""
    listed = set(catalog.names())

    def name(tool: str) -> str | None:
        if catalog.compact:
            return f"the {tool} action" if tool in catalog.tools else None
        return tool if tool in listed else None

    return name


def instructions(rt: Runtime) -> str:
    catalog, name = rt.catalog, _namer(rt.catalog)
    what, one = ("actions", "action") if catalog.compact else ("tools", "tool")
    accounts = name("accounts_list")
    parts = [
        f"LinkupAPI V2 {what} for LinkedIn/B2B automation, acting as a connected LinkedIn account: account_id "
        f"(where {'an action' if catalog.compact else 'a tool'} takes one) defaults to the configured account "
        "(LINKUP_ACCOUNT_ID)" + (f"; {accounts} lists them." if accounts else ".")
    ]
    if catalog.compact:
        writes = f", and what sends or changes something with {RUN}" if effects(catalog) - {SideEffect.read} else ""
        parts.append(
            f"Find actions with linkup_search_actions; run reads with {READ}{writes}. A tool name in a result "
            "or an error is such an action; its control arguments (confirm_token, allow_duplicate...) go in "
            "`arguments`."
        )
        parts.append(
            "Every call costs credits (each action's cost in its search result; dry_run: true estimates it free)."
        )
    else:
        estimate = name("credits_estimate")
        free = f"; {estimate} is free" if estimate else ""
        parts.append(f"Every call costs credits (each tool's 'Cost:' line{free}).")
    parts += _safety(rt, what, one)
    balance = name("credits_get")
    if balance:
        parts.append(f"Call {balance} (free) for what is left today, and these settings.")
    parts.append(ENVELOPE)
    parts.append(_control(catalog))
    return " ".join(p for p in parts if p)


def _safety(rt: Runtime, what: str, one: str) -> list[str]:
    """The confirmation mode, budgets, pacing caps and recipient cap, as they apply to what is exposed."""
    found, mode = effects(rt.catalog), rt.confirm_mode
    out = []
    if SideEffect.outreach in found:
        out.append(CONFIRM_SENTENCES[mode].format(what=what, one=one, OUTREACH=OUTREACH))
    elif found - {SideEffect.read} and mode == "all":
        out.append("The user is asked to confirm each change in the client.")
    if found - {SideEffect.read}:
        out.append("Side effects are sent at most once, never retried.")
    else:
        out.append(f"Only read {what} are exposed: nothing is sent to anyone.")
    budgets = [
        f"{cap} credits per call" if (cap := rt.guards.max_credits_per_call) is not None else "",
        f"{cap} for this server process" if (cap := rt.meter.max_credits) is not None else "",
        f"{cap} per UTC day (every process on the ledger)" if (cap := rt.guards.daily_credits) is not None else "",
    ]
    if any(budgets):
        out.append("Budgets: at most " + ", ".join(b for b in budgets if b) + ".")
    kinds = outreach_kinds(rt.catalog)
    if kinds:
        caps = rt.guards.pacing
        shown = [
            f"{ENGAGEMENT if k == 'engagement' else k} {caps[k]}" + (" (blocked)" if not caps[k] else "") for k in kinds
        ]
        out.append("Daily outreach caps per account: " + ", ".join(shown) + ".")
        if rt.recipients.cap is not None:
            out.append(f"At most {rt.recipients.cap} distinct recipients per outreach kind per server process.")
    return out


def _control(catalog: Catalog) -> str:
    """The control arguments the exposed tools take, each explained once (the tools' schemas
    describe them in a few words or none)."""
    taken = {p for t in catalog.tools.values() for p in t.input_schema.get("properties", {})}
    said = [text for arg, text in CONTROL.items() if arg in taken]
    paged = [a for a in ("skip", "seen") if a in taken]
    if paged:
        said.append(" and ".join(paged) + " (set by next)")
    return "Arguments the server reads itself: " + ", ".join(said) + "." if said else ""
