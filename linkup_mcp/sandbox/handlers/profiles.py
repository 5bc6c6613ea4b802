"""profiles: get_me, get, get_contact, visit, search_people, search_companies, get_company,
get_viewers, get_reactions."""

from __future__ import annotations

from typing import Any

from linkup_mcp.sandbox.data import ME_ID, SIZE_ENUM, Company, Person, World, month_label
from linkup_mcp.sandbox.errors import ApiError
from linkup_mcp.sandbox.handlers.common import (
    ActionDef,
    Ctx,
    Outcome,
    any_match,
    company_slug,
    cursor_page,
    find_person,
    invitation_state,
    matches,
    matches_keyword,
    network_degree,
    offset_page,
    pages_window,
    relative,
    require_company,
    require_person,
)
from linkup_mcp.sandbox.params import P, ParamSpec

PROFILE_URL = P("string", required=True, min_length=1)
PAGES = {
    "total_results": P("integer", minimum=1, maximum=1000),
    "start_page": P("integer", minimum=1),
    "end_page": P("integer", minimum=1),
}


def full_profile(world: World, p: Person) -> dict[str, Any]:
    """A profile with the fields the V1 profile-info page documents (V2 `get` follows it)."""
    return {
        "public_id": p.public_id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "headline": p.headline,
        "location": p.location,
        "summary": p.summary,
        "industry": world.company_of(p).industry,
        "experience": [
            {
                "title": e.title,
                "company": world.companies[e.company].name,
                "company_url": world.companies[e.company].url,
                "date_range": f"{month_label(e.start)} - {month_label(e.end)}",
                "location": p.location if e.end is None else world.companies[e.company].location,
                "description": e.description,
            }
            for e in p.experiences
        ],
        "education": list(p.education),
        "skills": list(p.skills),
    }


def get_me(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    return Outcome({**full_profile(ctx.world, ctx.world.me), "profile_url": ctx.world.me.profile_url})


def get(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    return Outcome(full_profile(ctx.world, require_person(ctx.world, params["profile_url"])))


def get_contact(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    p = require_person(world, params["profile_url"])
    connected = p.id in world.connections or p.id == ME_ID
    company = world.company_of(p)
    return Outcome(
        {
            "profile_url": p.profile_url,
            "first_name": p.first_name,
            "last_name": p.last_name,
            # LinkedIn shows a member's email and phone to 1st-degree connections only
            "email": p.email if connected else None,
            "phone": p.phone if connected else None,
            "websites": [f"https://{company.domain}"],
            "twitter": None,
            "connected_at": relative(world.connections[p.id], ctx.now())[0] if p.id in world.connections else None,
        }
    )


def visit(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    p = require_person(ctx.world, params["profile_url"])

    def effect() -> dict[str, Any]:
        ctx.world.visits.append((p.id, ctx.now()))
        return {
            "visited": True,
            "profile_url": p.profile_url,
            "public_identifier": p.public_id,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "headline": p.headline,
        }

    return Outcome(effect=effect)


def _search_people(world: World, params: dict[str, Any]) -> list[Person]:
    out = []
    connection_of = find_person(world, params["connection_of"]) if "connection_of" in params else None
    follower_of = find_person(world, params["follower_of"]) if "follower_of" in params else None
    for p in world.people.values():
        company = world.company_of(p)
        past = [world.companies[e.company] for e in p.experiences[1:]]
        checks = [
            not params.get("keyword") or matches_keyword(params["keyword"], p.full_name, p.headline, company.name),
            not params.get("first_name") or matches(params["first_name"], p.first_name),
            not params.get("last_name") or matches(params["last_name"], p.last_name),
            not params.get("title") or matches(params["title"], p.title),
            not params.get("company_name") or matches(params["company_name"], company.name),
            _company_filter(params.get("company_url", []), [company]),
            _company_filter(params.get("past_company", []), past),
            any_match(params.get("location", []), p.location),
            _school_filter(params.get("school_url", []), p),
            any_match(params.get("industry", []), company.industry),
            not params.get("network") or network_degree(world, p) in params["network"],
            "connection_of" not in params or (connection_of is not None and p.id in connection_of.connections),
            "follower_of" not in params or (follower_of is not None and follower_of.id in p.follows),
        ]
        if all(checks):
            out.append(p)
    return out


def _company_filter(terms: list[str], companies: list[Company]) -> bool:
    if not terms:
        return True
    for term in terms:
        slug = company_slug(term)
        for c in companies:
            if (slug is not None and slug == c.slug) or (slug is None and matches(term, c.name, c.slug)):
                return True
    return False


def _school_filter(terms: list[str], p: Person) -> bool:
    if not terms:
        return True
    urls = [e["school_url"].lower() for e in p.education]
    names = [e["school"] for e in p.education]
    for term in terms:
        t = term.lower().rstrip("/")
        if any(u.rstrip("/") == t or u.rstrip("/").endswith("/" + t) for u in urls) or any_match([term], *names):
            return True
    return False


def search_people(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    found = _search_people(world, params)
    page, _ = pages_window(found, params)  # the V2 page shows no pagination object
    with_state = params.get("fetch_invitation_state", False)
    results = [
        {
            "public_id": p.public_id,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "headline": p.headline,
            "location": p.location,
            "profile_picture_url": p.picture,
            "linkedin_url": p.profile_url,
            "invitation_state": invitation_state(world, p) if with_state else None,
        }
        for p in page
    ]
    data = {"results": results, "total_results": len(results), "total_available_results": len(found)}
    return Outcome(data, results=len(results))


def _company_card(c: Company) -> dict[str, Any]:
    return {
        "name": c.name,
        "company_url": c.url,
        "universal_name": c.slug,
        "industry": c.industry,
        "sector": c.sector,
        "company_size": c.size,
        "location": c.location,
        "followers_count": c.followers,
        "description": c.description,
        "logo_url": c.logo_url,
        "entity_urn": c.entity_urn,
    }


def _sizes(bands: list[str]) -> set[str]:
    """V1 wrote "11-50 employees", V2 clients send "11-50": both name a band."""
    known = {b.removesuffix(" employees").strip() for b in bands}
    unknown = sorted(known - set(SIZE_ENUM))
    if unknown:
        raise ApiError(
            "INVALID_PARAMS", f"Invalid parameter: company_size {unknown[0]!r} is not a band ({', '.join(SIZE_ENUM)})"
        )
    return known


def search_companies(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    found = [
        c
        for c in world.companies.values()
        if (not params.get("keyword") or matches_keyword(params["keyword"], c.name, c.description, c.industry))
        and any_match(params.get("location", []), c.location)
        and any_match(params.get("sector", []), c.sector)
        and any_match(params.get("industry", []), c.industry)
        and (not params.get("company_size") or c.size in _sizes(params["company_size"]))
    ]
    page, pagination = pages_window(found, params)
    results = [_company_card(c) for c in page]
    data = {
        "companies": results,
        "total_results": len(results),
        "total_available_results": len(found),
        "pagination": pagination,
    }
    return Outcome(data, results=len(results))


def get_company(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    c = require_company(ctx.world, params["company_url"])
    employees = [p for p in ctx.world.people.values() if p.company == c.slug]
    data = {
        **_company_card(c),
        "company_id": str(c.id),
        "website": f"https://{c.domain}",
        "domain": c.domain,
        "employee_count": c.employee_count,
        "employees_on_linkedin": len(employees),
        "headquarters": c.location,
        "founded": c.founded,
        "specialties": list(c.specialties),
        "description": c.description,
    }
    return Outcome(data)


def get_viewers(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    page, paging = offset_page(world.viewers, params, results_per_page=10)
    viewers = []
    for v in page:
        p = world.people[v.person_id]
        viewers.append(
            {
                "title": v.blurred_title if v.blurred else p.full_name,
                "image_url": None if v.blurred else p.picture,
                "is_blurred": v.blurred,
                "cta_action": "View" if v.blurred else "Connect" if p.id not in world.connections else "Message",
                "profile_url": None if v.blurred else p.profile_url,
                "entity_urn": None if v.blurred else p.entity_urn,
            }
        )
    pagination = {
        "offset": paging["offset"],
        "count": paging["count"],
        "total": len(world.viewers),
        "has_more": paging["has_more"],
        "next_offset": paging["next_offset"],
    }
    return Outcome({"viewers": viewers, "total_results": len(viewers), "pagination": pagination}, results=len(viewers))


def get_reactions(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    p = require_person(world, params["profile_url"])
    made = sorted(
        ((r, post) for post in world.posts.values() for r in post.reactions if r.person_id == p.id),
        key=lambda rp: (-rp[0].at, rp[0].id),
    )
    page, next_cursor = cursor_page(made, "reactions", params)
    now = ctx.now()
    reactions = []
    for r, post in page:
        label, days = relative(r.at, now)
        author = _post_author(world, post)
        reactions.append(
            {
                "reaction_id": r.id,
                "reaction_type": r.reaction_type,
                "reaction_target": "POST",
                "reaction_time": label,
                "reaction_time_days": days,
                "reactor": {
                    "name": p.full_name,
                    "profile_url": p.profile_url,
                    "profile_picture": p.picture,
                    "entity_urn": p.entity_urn,
                    "headline": p.headline,
                },
                "post": {"urn": post.urn, "url": post.url, "content": post.text, "author": author},
            }
        )
    data = {
        "reactions": reactions,
        "total_results": len(reactions),
        "profile_url": p.profile_url,
        "entity_urn": p.entity_urn,
        "profile_urn": p.urn_id,
        "pagination": {
            "results_per_page": 50,
            "pages_fetched": 1,
            "has_more": next_cursor is not None,
            "next_cursor": next_cursor,
        },
    }
    return Outcome(data, results=len(reactions))


def _post_author(world: World, post: Any) -> dict[str, Any]:
    if post.author_id is None:
        c = world.companies[post.company]
        return {"name": c.name, "profile_url": c.url, "entity_urn": c.entity_urn}
    a = world.person(post.author_id)
    return {"name": a.full_name, "profile_url": a.profile_url, "entity_urn": a.entity_urn}


STRINGS = P("array", items="string")

ACTIONS = [
    ActionDef("get_me", ParamSpec({}), get_me),
    ActionDef("get", ParamSpec({"profile_url": PROFILE_URL}, aliases={"linkedin_url": "profile_url"}), get),
    ActionDef(
        "get_contact", ParamSpec({"profile_url": PROFILE_URL}, aliases={"linkedin_url": "profile_url"}), get_contact
    ),
    ActionDef("visit", ParamSpec({"profile_url": PROFILE_URL}, aliases={"linkedin_url": "profile_url"}), visit),
    ActionDef(
        "search_people",
        ParamSpec(
            {
                "keyword": P("string"),
                "first_name": P("string"),
                "last_name": P("string"),
                "title": P("string"),
                "company_name": P("string"),
                "company_url": STRINGS,
                "past_company": STRINGS,
                "location": STRINGS,
                "school_url": STRINGS,
                "industry": STRINGS,
                "network": P("array", items="string", item_enum=("F", "S", "O")),
                "connection_of": P("string"),
                "follower_of": P("string"),
                "fetch_invitation_state": P("boolean"),
                **PAGES,
            }
        ),
        search_people,
        per=10,
    ),
    ActionDef(
        "search_companies",
        ParamSpec(
            {
                "keyword": P("string"),
                "location": STRINGS,
                "sector": STRINGS,
                "industry": STRINGS,
                "company_size": STRINGS,
                **PAGES,
            }
        ),
        search_companies,
        per=10,
    ),
    ActionDef("get_company", ParamSpec({"company_url": P("string", required=True, min_length=1)}), get_company),
    ActionDef(
        "get_viewers",
        ParamSpec({"count": P("integer", minimum=1, maximum=100), "offset": P("integer", minimum=0)}),
        get_viewers,
        per=10,
    ),
    ActionDef(
        "get_reactions",
        ParamSpec(
            {"profile_url": PROFILE_URL, "count": P("integer", minimum=1, maximum=100), "cursor": P("string")},
            aliases={"linkedin_url": "profile_url"},
        ),
        get_reactions,
        per=10,
    ),
]
