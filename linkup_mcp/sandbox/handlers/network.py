"""network: invite, accept, list_connections, list_invitations, list_sent, withdraw,
check_invitation, recommendations.

Refusals LinkedIn gives for good (inviting someone already connected, already invited, or who
already invited you) are CHANNEL_ERROR with HTTP 400: nothing happened, nothing to retry. Their
messages name the state ("is already a connection", "is already pending", "has already invited
you"): the server reads them as ALREADY_CONNECTED / ALREADY_PENDING (linkup_mcp/errors.py LASTING).
"""

from __future__ import annotations

from typing import Any

from linkup_mcp.sandbox.data import ME_ID, Invitation, Person, World
from linkup_mcp.sandbox.errors import ApiError, channel_error
from linkup_mcp.sandbox.handlers.common import (
    ActionDef,
    Ctx,
    Outcome,
    find_person,
    member_distance,
    offset_page,
    relative,
    require_person,
)
from linkup_mcp.sandbox.params import P, ParamSpec

# list_sent: the V1 sent-invitations page's closed list (people, company pages, newsletters)
INVITATION_TYPES = ("CONNECTION", "ORGANIZATION", "CONTENT_SERIES")
COUNT = P("integer", minimum=1, maximum=1000)
OFFSET = P("integer", minimum=0)


def _pending(world: World, pid: int, direction: str) -> Invitation | None:
    for inv in world.invitations.values():
        if inv.person_id == pid and inv.direction == direction:
            return inv
    return None


def _target(ctx: Ctx, params: dict[str, Any]) -> Person:
    if "profile_url" in params:
        return require_person(ctx.world, params["profile_url"])
    person = find_person(ctx.world, params["identifier"])
    if person is None:
        raise channel_error(f"profile not found or not accessible: {params['identifier']}", definite=True)
    return person


def invite(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    person = _target(ctx, params)
    if person.id == ME_ID:
        raise channel_error("you cannot invite yourself", definite=True)
    if person.id in world.connections:
        raise channel_error(f"{person.full_name} is already a connection", definite=True)
    if _pending(world, person.id, "sent"):
        raise channel_error(f"an invitation to {person.full_name} is already pending", definite=True)
    if _pending(world, person.id, "received"):
        raise channel_error(f"{person.full_name} has already invited you", definite=True)

    def effect() -> dict[str, Any]:
        inv_id = ctx.new_id(7_300_000_000_000_000_000)
        inv = Invitation(
            id=inv_id,
            person_id=person.id,
            direction="sent",
            sent_at=ctx.now(),
            shared_secret=ctx.token(8),
            message=params.get("message"),
        )
        world.invitations[inv_id] = inv
        return {
            "invitation_urn": inv.entity_urn,
            "profile_urn": person.entity_urn,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "headline": person.headline,
            "public_identifier": person.public_id,
            "profile_picture_url": person.picture,
        }

    return Outcome(effect=effect)


def _invitation_by_urn(world: World, ref: str, direction: str) -> Invitation | None:
    key = ref.strip().rsplit(":", 1)[-1]
    inv = world.invitations.get(key)
    return inv if inv is not None and inv.direction == direction else None


def accept(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    inv = _invitation_by_urn(world, params["entity_urn"], "received")
    if inv is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Invitation not found: {params['entity_urn']} (it may be accepted, withdrawn or expired; "
            "list pending ones with network_list_invitations)",
        )
    if params["shared_secret"] != inv.shared_secret:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: shared_secret does not match invitation {inv.id}")

    def effect() -> dict[str, Any]:
        del world.invitations[inv.id]
        world.connections[inv.person_id] = ctx.now()
        return {}

    return Outcome(effect=effect)


def list_connections(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    ordered = sorted(world.connections.items(), key=lambda kv: (-kv[1], kv[0]))
    page, pagination = offset_page(ordered, params, results_per_page=100)
    connections = [
        {
            "name": world.people[pid].full_name,
            "job_title": world.people[pid].headline,
            "profile_url": world.people[pid].profile_url,
            "profile_picture": world.people[pid].picture,
        }
        for pid, _ in page
    ]
    data = {
        "connections": connections,
        "total_results": len(connections),
        "total_available_results": len(ordered),
        "pagination": pagination,
    }
    return Outcome(data, results=len(connections))


def _invitations(world: World, direction: str, params: dict[str, Any]) -> list[Invitation]:
    # sent: "If not specified, CONNECTION type will be used" (V1 sent-invitations page)
    wanted = params.get("invitation_type", "CONNECTION" if direction == "sent" else None)
    return sorted(
        (
            inv
            for inv in world.invitations.values()
            if inv.direction == direction and (wanted is None or inv.invitation_type == wanted)
        ),
        key=lambda inv: (-inv.sent_at, inv.id),
    )


def _list(ctx: Ctx, params: dict[str, Any], direction: str) -> Outcome:
    """list_invitations (received) and list_sent: one listing; the V2 pages' shapes differ only
    in the person's key and picture field, the shared_secret (received only, for accept) and the
    echoed invitation_type (sent only). The entity_urn's number is the id withdraw takes."""
    world = ctx.world
    received = direction == "received"
    found = _invitations(world, direction, params)
    page, pagination = offset_page(found, params, results_per_page=100)
    now = ctx.now()
    items = []
    for inv in page:
        p = world.people[inv.person_id]
        label, days = relative(inv.sent_at, now)
        item: dict[str, Any] = {"entity_urn": inv.entity_urn}
        if received:
            item["shared_secret"] = inv.shared_secret
        item["sender" if received else "recipient"] = {
            "first_name": p.first_name,
            "last_name": p.last_name,
            "headline": p.headline,
            "linkedin_url": p.profile_url,
            "profile_picture_url" if received else "profile_picture": p.picture,
        }
        item.update(invitation_type=inv.invitation_type, sent_time=label, sent_time_days=days)
        items.append(item)
    data: dict[str, Any] = {
        "invitations": items,
        "total_results": len(items),
        "total_available_results": len(found),
    }
    if not received:
        data["invitation_type"] = params.get("invitation_type", "CONNECTION")
    data["pagination"] = pagination
    return Outcome(data, results=len(items))


def list_invitations(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    return _list(ctx, params, "received")


def list_sent(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    return _list(ctx, params, "sent")


def withdraw(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    inv = _invitation_by_urn(world, params["invitation_id"], "sent")
    if inv is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Invitation not found: {params['invitation_id']} (no pending sent invitation with this id; see network_list_sent)",
        )

    def effect() -> dict[str, Any]:
        del world.invitations[inv.id]
        return {"withdrawn": True, "invitation_id": inv.id}

    return Outcome(effect=effect)


def check_invitation(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    p = require_person(world, params["profile_url"])
    distance = member_distance(world, p)
    if p.id in world.connections:
        state, kind, inv_id, message = "ACCEPTED", "CONNECTED", None, f"You are connected with {p.full_name}."
    elif sent := _pending(world, p.id, "sent"):
        state, kind, inv_id = "PENDING", "SENT", sent.id
        message = f"Your invitation to {p.full_name} is pending."
    elif received := _pending(world, p.id, "received"):
        state, kind, inv_id = "PENDING", "RECEIVED", received.id
        message = f"{p.full_name} invited you; accept it with network_accept."
    else:
        state, kind, inv_id, message = "NO_INVITATION", None, None, f"No invitation between you and {p.full_name}."
    return Outcome(
        {
            "invitation_state": state,
            "invitation_type": kind,
            "invitation_id": inv_id,
            "member_distance": distance,
            "message": message,
        }
    )


def recommendations(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    pending = {inv.person_id for inv in world.invitations.values()}
    mine = set(world.connections)
    candidates = [
        p for p in world.people.values() if p.id not in mine and p.id not in pending and p.degree in ("F", "S")
    ]
    scored = sorted(candidates, key=lambda p: (-len(p.connections & mine), p.id))
    count = params.get("count", 10)
    page = scored[:count]
    items = []
    for p in page:
        mutual = sorted(p.connections & mine)
        first = world.people[mutual[0]].first_name if mutual else None
        insight = (
            f"{first} and {len(mutual) - 1} other mutual connections"
            if len(mutual) > 1
            else f"{first} is a mutual connection"
            if first
            else f"Works at {world.company_of(p).name}"
        )
        items.append(
            {
                "name": p.full_name,
                "subtitle": p.headline,
                "profile_url": p.profile_url,
                "insight": insight,
                "entity_urn": f"urn:li:fsd_discoveryEntityViewModel:({p.entity_urn},PYMK)",
                "profile_picture": p.picture,
            }
        )
    data = {
        "recommendations": items,
        "total_results": len(items),
        "pagination": {"results_per_page": 10, "pages_fetched": max(1, -(-len(items) // 10))},
    }
    return Outcome(data, results=len(items))


ACTIONS = [
    ActionDef(
        "invite",
        ParamSpec(
            {
                "profile_url": P("string", min_length=1),
                "identifier": P("string", min_length=1),
                "message": P("string", max_length=300),
            },
            one_of=(("profile_url", "identifier"),),
            aliases={"linkedin_url": "profile_url"},
        ),
        invite,
    ),
    ActionDef(
        "accept",
        ParamSpec(
            {"shared_secret": P("string", required=True, min_length=1), "entity_urn": P("string", required=True)}
        ),
        accept,
    ),
    ActionDef("list_connections", ParamSpec({"count": COUNT, "offset": OFFSET}), list_connections, per=50),
    ActionDef(
        "list_invitations",
        ParamSpec({"count": COUNT, "offset": OFFSET, "invitation_type": P("string")}),
        list_invitations,
        per=10,
    ),
    ActionDef(
        "list_sent",
        ParamSpec({"count": COUNT, "offset": OFFSET, "invitation_type": P("string", enum=INVITATION_TYPES)}),
        list_sent,
        per=50,
    ),
    ActionDef("withdraw", ParamSpec({"invitation_id": P("string", required=True, min_length=1)}), withdraw),
    ActionDef(
        "check_invitation",
        ParamSpec({"profile_url": P("string", required=True, min_length=1)}, aliases={"linkedin_url": "profile_url"}),
        check_invitation,
    ),
    ActionDef("recommendations", ParamSpec({"count": P("integer", minimum=1, maximum=100)}), recommendations, per=10),
]
