"""mail (POST /v2/enrich, alias /v2/mail): find_email, reverse_email, validate_email.

validate_email decides by domain, deterministically, answering the V2 page's fields (email,
is_valid, is_catch_all, reachability, is_deliverable, syntax_valid); reachability is
  bad syntax, disposable or reserved domain (example.com, *.test, *.invalid) -> invalid
  webmail (gmail.com, outlook.com, ...)                                      -> unknown
  a seeded company domain: catch-all -> risky; a known person's address -> safe; else invalid
  any other domain                                                           -> unknown
"""

from __future__ import annotations

import re
from typing import Any

from linkup_mcp.sandbox.data import DISPOSABLE_DOMAINS, WEBMAIL_DOMAINS, Company, Person, World, slugify
from linkup_mcp.sandbox.errors import ApiError
from linkup_mcp.sandbox.handlers.common import ActionDef, Ctx, Outcome, find_person, looks_like_profile
from linkup_mcp.sandbox.params import P, ParamSpec

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
RESERVED = ("example.com", "example.org", "example.net")
RESERVED_TLDS = (".test", ".invalid", ".example", ".localhost", ".local")


def _domain_company(world: World, domain: str) -> Company | None:
    domain = domain.lower().removeprefix("www.")
    for c in world.companies.values():
        if c.domain == domain:
            return c
    return None


def _email_address(value: str) -> str:
    value = value.strip()
    if "@" not in value:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: email must be an email address (got {value!r})")
    return value


def _same(a: str, b: str) -> bool:
    return slugify(a) == slugify(b)


def find_email(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    person: Person | None = None
    if "profile_url" in params:
        if not looks_like_profile(params["profile_url"]):
            raise ApiError("INVALID_PARAMS", "Invalid parameter: profile_url must be a LinkedIn profile URL")
        person = find_person(world, params["profile_url"])
    else:
        missing = [k for k in ("first_name", "last_name") if not params.get(k)]
        if missing or not (params.get("company_domain") or params.get("company_name")):
            raise ApiError(
                "INVALID_PARAMS",
                "Missing required parameter: profile_url, or first_name + last_name + company_domain (or company_name)",
            )
        company: Company | None = None
        if params.get("company_domain"):
            company = _domain_company(world, params["company_domain"])
        else:
            company = next((c for c in world.companies.values() if _same(c.name, params["company_name"])), None)
        if company is not None:
            person = next(
                (
                    p
                    for p in [world.me, *world.people.values()]
                    if p.company == company.slug
                    and _same(p.first_name, params["first_name"])
                    and _same(p.last_name, params["last_name"])
                ),
                None,
            )
    if person is None or person.email is None:
        return Outcome(
            {
                "email": None,
                "found": False,
                "status": "not_found",
                "confidence": 0,
                "first_name": person.first_name if person else params.get("first_name"),
                "last_name": person.last_name if person else params.get("last_name"),
                "domain": params.get("company_domain"),
                "profile_url": person.profile_url if person else params.get("profile_url"),
            }
        )
    company = world.company_of(person)
    return Outcome(
        {
            "email": person.email,
            "found": True,
            "status": "risky" if company.catch_all else "valid",
            "confidence": 70 if company.catch_all else 95,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "domain": company.domain,
            "company_name": company.name,
            "profile_url": person.profile_url,
        }
    )


def reverse_email(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    email = _email_address(params["email"])
    pid = world.by_email.get(email.lower())
    if pid is None:
        return Outcome({"email": email, "found": False, "profile": None})
    p = world.person(pid)
    company = world.company_of(p)
    return Outcome(
        {
            "email": email,
            "found": True,
            "profile": {
                "first_name": p.first_name,
                "last_name": p.last_name,
                "full_name": p.full_name,
                "headline": p.headline,
                "job_title": p.title,
                "company_name": company.name,
                "company_url": company.url,
                "location": p.location,
                "profile_url": p.profile_url,
                "public_id": p.public_id,
                "profile_picture_url": p.picture,
            },
        }
    )


def classify(world: World, email: str) -> dict[str, Any]:
    domain = email.rsplit("@", 1)[-1].lower()
    company = _domain_company(world, domain)
    syntax_valid = bool(_EMAIL.match(email))
    catch_all = bool(company and company.catch_all)
    if not syntax_valid or domain in DISPOSABLE_DOMAINS or domain in RESERVED or domain.endswith(RESERVED_TLDS):
        reachability = "invalid"
    elif domain in WEBMAIL_DOMAINS or company is None:
        reachability = "unknown"
    elif catch_all:
        reachability = "risky"
    else:
        reachability = "safe" if email.lower() in world.by_email else "invalid"
    return {
        "email": email,
        "is_valid": reachability != "invalid",
        "is_catch_all": catch_all,
        "reachability": reachability,
        "is_deliverable": reachability in ("safe", "risky"),
        "syntax_valid": syntax_valid,
    }


def validate_email(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    return Outcome(classify(ctx.world, _email_address(params["email"])))


EMAIL = P("string", required=True, min_length=3, max_length=320)

ACTIONS = [
    ActionDef(
        "find_email",
        ParamSpec(
            {
                "profile_url": P("string", min_length=1),
                "first_name": P("string", min_length=1),
                "last_name": P("string", min_length=1),
                "company_domain": P("string", min_length=1),
                "company_name": P("string", min_length=1),
            },
            aliases={"linkedin_url": "profile_url"},
        ),
        find_email,
    ),
    ActionDef("reverse_email", ParamSpec({"email": EMAIL}), reverse_email),
    ActionDef("validate_email", ParamSpec({"email": EMAIL}), validate_email),
]
