"""What outreach safety knows about one call, besides the ledger's gate (store/ledger.py).

- Guards: the per-call credit cap (LINKUP_MAX_CREDITS_PER_CALL), the daily credit budget across
  processes (LINKUP_DAILY_CREDITS), the duplicate guard and pacing (per-account daily caps per
  outreach kind; defaults in config.DEFAULT_PACING). `admission` is what the ledger checks.
- The duplicate guard keys on the intent (the spec's `outreach.duplicate`): one invitation per
  person within 90 days whatever the note; the same text (whitespace and case aside) to the same
  target by the same tool within 24 h.
- Known relations (call/relations.py): an invitation to someone the server knows is connected,
  invited, or inviting the account is answered ALREADY_CONNECTED / ALREADY_PENDING, free.
- Preview (LINKUP_CONFIRM=preview, any client): the first call sends nothing and returns what
  would happen with a single-use `confirm_token` bound to those exact arguments; the same call
  with the token sends. A call a check would refuse gets that refusal, and no token.
- Recipient cap (LINKUP_MAX_RECIPIENTS): distinct recipients per outreach kind per process, so an
  agent loop cannot turn into a mass mailing.

The steps that use them: call/steps/outreach.py and call/steps/ledger.py.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linkup_mcp.config import DEFAULT_PACING
from linkup_mcp.errors import Code, ToolError
from linkup_mcp.spec.models import ActionSpec, ResolvedAction
from linkup_mcp.store.ledger import Admission, Refusal, Store, digest

if TYPE_CHECKING:
    from linkup_mcp.call.relations import Known


@dataclass(frozen=True)
class Guards:
    max_credits_per_call: int | None = 50
    daily_credits: int | None = None
    pacing: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PACING))
    dedup_window_s: float = 24 * 3600  # the same text to the same target
    person_window_s: float = 90 * 86400  # one per person (invitations): LinkedIn keeps them pending for months


def outreach_key(action: ResolvedAction, account: str | None, target: str | None, args: dict[str, Any]) -> str | None:
    """Identity of an outreach intent. `target` is the recipient's person key (call/people.py
    `target`: every form of one profile)."""
    outreach = action.spec.outreach
    if outreach is None:
        return None
    if outreach.duplicate == "person" and target is not None:
        return digest(["person", outreach.kind or action.tool, account, target])
    text = {p: _normalise(args.get(p)) for p in outreach.text}
    return digest([action.tool, account, target, text])


def _normalise(value: Any) -> Any:
    # "Hi Jane" and "hi  jane " are the same message to the person who receives it.
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def admission(
    action: ResolvedAction,
    account: str | None,
    args: dict[str, Any],
    estimated: int,
    guards: Guards,
    target: str | None,
    args_digest: str,
    dedup_after: float | None = None,
) -> Admission:
    """What the ledger's gate checks for one call; `args_digest` is the call's own (computed once);
    `dedup_after`: when an answer last showed the person free of invitations."""
    outreach = action.spec.outreach
    kind = outreach.kind if outreach else None
    per_person = outreach is not None and outreach.duplicate == "person" and target is not None
    return Admission(
        tool=action.tool,
        account=account,
        estimated=estimated,
        args_digest=args_digest,
        dedup_key=outreach_key(action, account, target, args),
        dedup_window_s=guards.person_window_s if per_person else guards.dedup_window_s,
        dedup_after=dedup_after if per_person else None,
        per_person=per_person,
        allow_duplicate=bool(args.get("allow_duplicate")),
        kind=kind,
        kind_cap=guards.pacing.get(kind) if kind else None,
        daily_budget=guards.daily_credits,
        per_results=action.spec.credits.per_results,
    )


def gate_error(spec: ActionSpec, refusal: Refusal) -> ToolError:
    """A refusal of the ledger's gate as the agent sees it, in a preview and in a real call alike."""
    message = refusal.message
    if refusal.code == Code.DUPLICATE_SUPPRESSED and spec.verify_with:
        message += f" To verify: {spec.verify_with}."  # e.g. a send a killed process left unknown
    return ToolError(refusal.code, message)


def relation_error(action: ResolvedAction, known: Known | None, args_digest: str) -> ToolError | None:
    """ALREADY_CONNECTED / ALREADY_PENDING when what the server knows about the target answers
    this call (the spec's `outreach.refuse_when`), free; `args_digest`: this call's, to say whether
    the server's own earlier send had the same arguments."""
    outreach = action.spec.outreach
    if known is None or outreach is None or known.state not in outreach.refuse_when:
        return None
    override = (
        "Nothing was sent or charged. If this is out of date, network_check_invitation with fresh: true "
        "(1 credit) updates it; to send anyway, pass allow_duplicate: true."
    )
    if known.state == "connected":
        return ToolError(
            Code.ALREADY_CONNECTED,
            f"This person is already a 1st-degree connection ({known.since()}): write to them with messages_send "
            f"instead. {override}",
        )
    if known.state == "invited":
        if known.source == action.tool:
            note = "the same arguments" if known.args_digest == args_digest else "a different note or other arguments"
            how = f"sent by this server with {known.since()}, with {note}"
        else:
            how = f"shown by {known.since()}"
        return ToolError(
            Code.ALREADY_PENDING,
            f"An invitation from this account to this person is pending ({how}): one per person. {override}",
        )
    return ToolError(
        Code.ALREADY_PENDING,
        f"This person has invited this account ({known.since()}): accept it with network_accept (shared_secret "
        f"and entity_urn from network_list_invitations) instead. {override}",
    )


TOKEN_TTL_S = 600


def _bound(action: ResolvedAction, account: str | None, params: dict[str, Any]) -> str:
    return digest([action.tool, account, params])


@dataclass
class PreviewTokens:
    """Issued tokens, in the ledger when given one (every process using it may redeem a token,
    once: replicas behind a load balancer), else in this process. Blocking with a store."""

    clock: Callable[[], float] = time.monotonic  # with a store, its wall clock (shared by processes)
    store: Store | None = None
    _issued: dict[str, tuple[str, float]] = field(default_factory=dict)

    def issue(self, action: ResolvedAction, account: str | None, params: dict[str, Any]) -> str:
        now = self.clock()
        token = secrets.token_urlsafe(18)
        if self.store is not None:  # kept by digest: the ledger never holds a usable token
            self.store.token_put(digest(token), _bound(action, account, params), now + TOKEN_TTL_S)
            return token
        self._issued = {t: v for t, v in self._issued.items() if v[1] > now}  # drop expired ones
        self._issued[token] = (_bound(action, account, params), now + TOKEN_TTL_S)
        return token

    def redeem(
        self, token: str, action: ResolvedAction, account: str | None, params: dict[str, Any]
    ) -> ToolError | None:
        """None when the token is valid for exactly these arguments; it can be used once only."""
        found = self.store.token_take(digest(token)) if self.store is not None else self._issued.pop(token, None)
        how = "Call without confirm_token to get a new preview."
        if found is None:
            return ToolError(Code.CONFIRM_TOKEN_INVALID, f"This confirm_token is unknown or was already used. {how}")
        bound, expires = found
        if self.clock() > expires:
            return ToolError(Code.CONFIRM_TOKEN_INVALID, f"This confirm_token expired ({TOKEN_TTL_S} s). {how}")
        if bound != _bound(action, account, params):
            return ToolError(
                Code.CONFIRM_TOKEN_INVALID,
                f"This confirm_token was issued for different arguments (or account); nothing was sent. {how}",
            )
        return None


@dataclass
class RecipientCap:
    cap: int | None = None
    _seen: dict[str, set[str]] = field(default_factory=dict)

    def _key(self, action: ResolvedAction, account: str | None, target: str | None) -> tuple[str, str] | None:
        outreach = action.spec.outreach
        if self.cap is None or outreach is None or outreach.kind is None or target is None:
            return None
        return outreach.kind, digest([account, target])

    def check(self, action: ResolvedAction, account: str | None, target: str | None) -> ToolError | None:
        """`target`: the recipient's person key (call/people.py), so one person counts once."""
        key = self._key(action, account, target)
        if key is None or self.cap is None:
            return None
        kind, who = key
        seen = self._seen.get(kind, set())
        if who in seen or len(seen) < self.cap:
            return None
        return ToolError(
            Code.RECIPIENT_LIMIT,
            f"This server process has already sent {kind} outreach to {len(seen)} distinct recipients, the cap "
            f"(LINKUP_MAX_RECIPIENTS={self.cap}). Nothing was sent. A new session, or a higher cap set by the "
            "user, is needed for more.",
        )

    def record(self, action: ResolvedAction, account: str | None, target: str | None) -> None:
        key = self._key(action, account, target)
        if key is not None:
            self._seen.setdefault(key[0], set()).add(key[1])

    def addressed(self) -> dict[str, int]:
        """Distinct recipients this process has sent outreach to, per kind (what the cap counts)."""
        return {kind: len(seen) for kind, seen in self._seen.items()}
