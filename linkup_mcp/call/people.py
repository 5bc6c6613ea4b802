"""Who a call is about, as one key per person: the identity normaliser (spec/identity.py) plus the
ties learnt from earlier answers (`Ties`). Every guard that tells people apart uses it — the
duplicate guard and pacing rows (call/outreach.py `admission`), the recipient cap, the preview
tokens, the read cache's keys and subjects, and the known relations (call/relations.py) — so that `/in/Jane-Doe/?trk=x`,
`http://linkedin.com/in/jane-doe` and the member URN an answer tied to it are one recipient.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from linkup_mcp.spec import identity
from linkup_mcp.spec.models import ActionSpec
from linkup_mcp.store.ledger import digest

if TYPE_CHECKING:
    from linkup_mcp.call.runtime import Runtime


class Ties:
    """Which forms name one person: a profile URL's public id and the member URN an answer tied
    to it. Forms are digests of normalised text; each maps to its group's canonical form. A form
    a guard keyed on is `claim`ed first, so that a tie learnt later keeps that key: the duplicate
    guard of a message sent by URN still sees it when the same person is named by URL.

    Kept by this process (at most `max_forms`, oldest dropped first). Every method may be
    called from any thread."""

    def __init__(self, max_forms: int = 20_000):  # a few MB at most per runtime (one per key over HTTP)
        self.max_forms = max_forms
        self._person: dict[str, str] = {}
        self._lock = threading.Lock()

    def resolve(self, form: str) -> str:
        """The canonical form of `form`'s person (`form` itself when nothing ties it)."""
        return self._person.get(form, form)

    def claim(self, form: str) -> str:
        """`form`'s person, recording `form` as its own when unknown (a guard keys on it)."""
        with self._lock:
            return self._set(form, self._person.get(form, form))

    def tie(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Record each (public form, URN form) pair as one person; the number of changes."""
        changed = 0
        with self._lock:
            for a, b in pairs:
                pa, pb = self._person.get(a), self._person.get(b)
                if pa is not None and pa == pb:
                    continue
                changed += 1
                if pa is None and pb is None:  # neither was keyed on yet: the public form leads
                    self._set(a, a)
                    self._set(b, a)
                elif pb is None:
                    self._set(b, pa or a)
                elif pa is None:
                    self._set(a, pb)
                else:  # both already lead groups: b's group joins a's
                    for form in [f for f, p in self._person.items() if p == pb]:
                        self._person[form] = pa
        return changed

    def _set(self, form: str, person: str) -> str:
        self._person.pop(form, None)  # re-inserted last: the newest are kept longest
        self._person[form] = person
        while len(self._person) > self.max_forms:
            self._person.pop(next(iter(self._person)))
        return person


def form_of(param: str, value: str) -> str:
    """The digest of `value`'s normalised form (what store/identities.py keeps)."""
    return digest(identity.normalise(value, bare_member=param in identity.BARE_MEMBER_PARAMS))


def person(rt: Runtime, param: str, value: str, *, claim: bool = False) -> str:
    """The key of the person (or company, post...) `value` names; `claim`: a guard keys on it."""
    form = form_of(param, value)
    # Prefixed: a key is never read as a public id when it passes through `normalise` again.
    return "person:" + (rt.ties.claim(form) if claim else rt.ties.resolve(form))


def identity_params(spec: ActionSpec) -> list[str]:
    """The params of `spec` that name a person or page: its outreach target and cache subject."""
    return list(dict.fromkeys([*(spec.outreach.target if spec.outreach else []), *spec.subject]))


def keyed(rt: Runtime, spec: ActionSpec, params: dict[str, Any], *, claim: bool = False) -> dict[str, Any]:
    """`params` with each identity param's string value replaced by its person's key."""
    names = identity_params(spec)
    return {
        k: person(rt, k, v, claim=claim) if k in names and isinstance(v, str) and v.strip() else v
        for k, v in params.items()
    }


def target(rt: Runtime, spec: ActionSpec, args: dict[str, Any], *, claim: bool = False) -> str | None:
    """The key of whom an outreach addresses: its first target param given (`profile_url` or
    `identifier` of one invitation name one person); None without outreach target."""
    for name in spec.outreach.target if spec.outreach else []:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            return person(rt, name, value, claim=claim)
        if value is not None:
            return digest(value)
    return None


def learn(rt: Runtime, data: Any) -> int:
    """Remember the ties an answer shows between a person's URL and URN forms."""
    pairs = identity.ties_in(data)
    if not pairs:
        return 0
    return rt.ties.tie((digest(a), digest(b)) for a, b in pairs)
