"""This account's relation to people — connected, invited by it, inviting it, or none — learnt for
free: from answers that show it (the spec's `relations`: search results' invitation_state, the
connection and invitation lists, an invitation check, a contact card's connected_at) and from this
server's own sends (`outreach.sets`: an invitation it sent is pending at once).

The free pre-send checks (call/steps/outreach.py) answer ALREADY_CONNECTED / ALREADY_PENDING from
it without a paid lookup; a later `none` (a fresh invitation check after a withdrawal) reopens the
one-invitation-per-person guard from that moment (`Admission.dedup_after`).

Kept in the store's read-cache table (tool `relation`, one row per account and person, the newest
observation wins), so it is shared by the processes on one ledger and outlives a restart; it is not
a cached answer, so LINKUP_CACHE_TTL does not turn it off. Every function is blocking.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast, get_args

from linkup_mcp.call import people
from linkup_mcp.spec.models import ActionSpec, Relation, RelationState
from linkup_mcp.store.records import digest, iso

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime

TOOL = "relation"  # the read-cache rows' tool: never a real tool name, never invalidated by one
MAX_AGE_S = 30 * 86400  # older knowledge is not trusted to refuse a send
# When one answer says two things about a person (an invitation check's state and type), the
# stronger is kept: a connection outranks an invitation, which outranks nothing.
_RANK = {"connected": 3, "invited": 2, "invited_you": 2, "none": 1}
_STATES = frozenset(get_args(RelationState))


@dataclass(frozen=True)
class Known:
    state: RelationState
    source: str  # the tool whose answer (or send) showed it
    ts: float
    args_digest: str | None = None  # this server's send that created it: that call's arguments

    def since(self) -> str:
        return f"{self.source} at {iso(self.ts)}"


def _key(account: str | None, person: str) -> str:
    return digest([TOOL, account, person])


def known(rt: Runtime, account: str | None, person: str | None) -> Known | None:
    """What was last learnt about `person` (a call/people.py key) for `account`, if recent."""
    if person is None:
        return None
    row = rt.ledger.cache_get(_key(account, person))
    if row is None or rt.ledger.now() - row[1] > MAX_AGE_S:
        return None
    fact = json.loads(row[0])
    if fact.get("state") not in _STATES:
        return None
    return Known(fact["state"], str(fact.get("source")), row[1], fact.get("args"))


@dataclass(frozen=True)
class Fact:
    """What one send (or the API's refusal of it) told about its target."""

    state: RelationState
    source: str
    args_digest: str | None = None  # the send's arguments (a later refusal says whether they differed)
    invitation: Any = None  # the invitation the send created, as its answer names it


def state_of(value: str | None) -> RelationState | None:
    return cast(RelationState, value) if value in _STATES else None


def record(rt: Runtime, account: str | None, person: str, fact: Fact) -> None:
    """`fact` about `person`, and the invitation it created, in one write."""
    rows: list[tuple[str, str, str | None, str | None, str]] = [
        _row(account, person, fact.state, fact.source, fact.args_digest)
    ]
    if isinstance(fact.invitation, str) and fact.invitation.strip():
        rows.append(_invitation_row(account, fact.invitation, person))
    rt.ledger.cache_put_many(rows)


def _row(
    account: str | None, person: str, state: RelationState, source: str, args_digest: str | None = None
) -> tuple[str, str, str | None, str, str]:
    fact = {"state": state, "source": source, **({"args": args_digest} if args_digest else {})}
    return _key(account, person), TOOL, account, person, json.dumps(fact)


def learn(rt: Runtime, tool: str, spec: ActionSpec, account: str | None, params: dict[str, Any], data: Any) -> int:
    """Record what a successful answer of `tool` shows about people — and, for an action that ends
    an invitation (withdraw, accept), what its person now is; the number of people recorded."""
    found: dict[str, RelationState] = {}
    invitations: dict[str, str] = {}
    for relation in spec.relations:
        for url, state, invitation in _read(relation, params, data):
            person = people.person(rt, "profile_url", url)
            if person not in found or _RANK[state] > _RANK[found[person]]:
                found[person] = state
            if invitation is not None:
                invitations[invitation] = person
    ended = spec.ends_invitation
    if ended is not None and isinstance(params.get(ended.param), str):
        whom = invited(rt, account, params[ended.param])
        if whom is not None:
            found[whom] = ended.becomes
    rows: list[tuple[str, str, str | None, str | None, str]] = [
        _row(account, person, state, tool) for person, state in found.items()
    ]
    rows += [_invitation_row(account, invitation, person) for invitation, person in invitations.items()]
    if rows:
        rt.ledger.cache_put_many(rows)
    return len(found)


def invited(rt: Runtime, account: str | None, invitation: str) -> str | None:
    """The person an answer tied to `invitation` (an id or its entity URN), if one did."""
    row = rt.ledger.cache_get(_invitation_key(account, invitation))
    return str(json.loads(row[0])["person"]) if row is not None else None


def _invitation_key(account: str | None, invitation: str) -> str:
    # An invitation is named by its id or by an entity URN ending in it: the trailing number is it.
    found = re.search(r"(\d+)\W*$", invitation)
    return digest([TOOL, "invitation", account, found.group(1) if found else invitation.strip()])


def _invitation_row(account: str | None, invitation: str, person: str) -> tuple[str, str, str | None, str, str]:
    return _invitation_key(account, invitation), TOOL, account, person, json.dumps({"person": person})


def _read(relation: Relation, params: dict[str, Any], data: Any) -> list[tuple[str, RelationState, str | None]]:
    items = _at(data, relation.items) if relation.items else [data]
    out = []
    for item in items if isinstance(items, list) else []:
        if relation.person.startswith("param:"):
            url = params.get(relation.person.removeprefix("param:"))
        else:
            url = _at(item, relation.person)
        value = _at(item, relation.state) if relation.state else True
        if not isinstance(url, str) or not url.strip() or value is None:
            continue
        state = relation.states.get(str(value), relation.states.get("*"))
        invitation = _at(item, relation.invitation) if relation.invitation else None
        if state is not None:
            out.append((url, state, invitation if isinstance(invitation, str) and invitation.strip() else None))
    return out


def _at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
