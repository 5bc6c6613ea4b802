"""recruiter: get_candidates, get_cv, get_posts, publish_job, close_job.

Job life cycle: DRAFT --publish_job--> OPEN --close_job--> CLOSED. Drafts are made in LinkedIn
Recruiter (no V2 action creates one). Publishing a post that is not a draft is a definite
CHANNEL_ERROR (400) saying "not a draft"; closing one that is not open is INVALID_PARAMS.
"""

from __future__ import annotations

import base64
from typing import Any

from linkup_mcp.sandbox.data import Candidate, Job, World, month_label, slugify
from linkup_mcp.sandbox.errors import ApiError, channel_error
from linkup_mcp.sandbox.handlers.common import ActionDef, Ctx, Outcome, iso, offset_page, pages_window
from linkup_mcp.sandbox.params import P, ParamSpec
from linkup_mcp.sandbox.pdf import text_pdf


def _job(world: World, job_id: str) -> Job:
    job = world.jobs.get(job_id.strip())
    if job is None:
        raise ApiError("INVALID_PARAMS", f"Job not found: {job_id} (list job posts with recruiter_get_posts)")
    return job


def _candidate_view(world: World, c: Candidate) -> dict[str, Any]:
    p = world.people[c.person_id]
    return {
        "application_id": c.application_id,
        "rating": c.rating,
        "is_top_choice": c.is_top_choice,
        "top_choice_message": "Top choice: strong match for the role" if c.is_top_choice else None,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "full_name": p.full_name,
        "headline": p.headline,
        "public_identifier": p.public_id,
        "profile_url": p.profile_url,
        "location": p.location,
        "experiences": [
            {
                "title": e.title,
                "company": world.companies[e.company].name,
                "company_url": world.companies[e.company].url,
                "date_range": f"{month_label(e.start)} - {month_label(e.end)}",
                "description": e.description,
            }
            for e in p.experiences
        ],
    }


def get_candidates(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    """The newest applications first. Only job_id, count and offset (the V2 page): the V1
    filters (ratings, sortType, ...) are not V2 params."""
    world = ctx.world
    job = _job(world, params["job_id"])
    found = sorted(job.candidates, key=lambda c: (c.applied_at, c.application_id), reverse=True)
    page, pagination = offset_page(found, params, results_per_page=50)
    candidates = [_candidate_view(world, c) for c in page]
    data = {
        "candidates": candidates,
        "total_results": len(candidates),
        "total_available_results": len(found),
        "pagination": pagination,
    }
    return Outcome(data, results=len(candidates))


def cv_pdf(world: World, c: Candidate) -> tuple[bytes, str]:
    p = world.people[c.person_id]
    lines = [p.full_name, p.headline, p.location, f"Email: {p.email or 'n/a'}", "", "Experience"]
    lines += [
        f"- {e.title}, {world.companies[e.company].name} ({month_label(e.start)} - {month_label(e.end)})"
        for e in p.experiences
    ]
    lines += ["", "Education"] + [f"- {e['degree']}, {e['school']} ({e['date_range']})" for e in p.education]
    lines += ["", "Skills: " + ", ".join(p.skills)]
    return text_pdf(lines, title=f"CV {p.full_name}"), f"{slugify(p.full_name).replace('-', '_')}_cv.pdf"


def get_cv(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    c = world.candidates().get(params["application_id"].strip())
    if c is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Application not found: {params['application_id']} (use an application_id from recruiter_get_candidates)",
        )
    pdf, filename = cv_pdf(world, c)
    cv = {"content": base64.b64encode(pdf).decode(), "content_type": "application/pdf", "filename": filename}
    return Outcome({"cv": cv})


def _job_view(world: World, job: Job, details: bool) -> dict[str, Any]:
    company = world.companies[job.company]
    view: dict[str, Any] = {
        "job_id": job.job_id,
        "title": job.title,
        "company": company.name,
        "company_url": company.url,
        "location": job.location,
        "workplace": job.workplace,
        "employment_status": job.employment_status,
        "status": job.status,
        "created_at": iso(job.created_at),
        "applicants_count": len(job.candidates),
        "job_url": job.url,
    }
    if details:
        view["html_description"] = job.description
        view["skills"] = list(job.skills)
    return view


def get_posts(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    jobs = sorted(world.jobs.values(), key=lambda j: (-j.created_at, j.job_id))
    if "job_id" in params:
        jobs = [_job(world, params["job_id"])]
    page, pagination = pages_window(jobs, params)
    posts = [_job_view(world, j, params.get("fetch_details", False)) for j in page]
    data = {
        "posts": posts,
        "total_results": len(posts),
        "total_available_results": len(jobs),
        "pagination": pagination,
    }
    return Outcome(data, results=len(posts))


def publish_job(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    job = _job(ctx.world, params["job_id"])
    if job.status != "DRAFT":
        raise channel_error(
            f"job {job.job_id} is not a draft (status {job.status}); only draft jobs can be published", definite=True
        )

    def effect() -> dict[str, Any]:
        previous, job.status = job.status, "OPEN"
        return {"success": True, "job_id": job.job_id, "status": job.status, "previous_status": previous}

    return Outcome(effect=effect)


def close_job(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    job = _job(ctx.world, params["job_id"])
    if job.status != "OPEN":
        raise ApiError("INVALID_PARAMS", f"Job {job.job_id} is not open (status {job.status}); nothing to close")

    def effect() -> dict[str, Any]:
        previous, job.status = job.status, "CLOSED"
        return {"success": True, "job_id": job.job_id, "status": job.status, "previous_status": previous}

    return Outcome(effect=effect)


JOB_ID = P("string", required=True, min_length=1)

ACTIONS = [
    ActionDef(
        "get_candidates",
        ParamSpec(
            {
                "job_id": JOB_ID,
                "count": P("integer", minimum=1, maximum=1000),
                "offset": P("integer", minimum=0),
            }
        ),
        get_candidates,
        per=10,
    ),
    ActionDef("get_cv", ParamSpec({"application_id": P("string", required=True, min_length=1)}), get_cv),
    ActionDef(
        "get_posts",
        ParamSpec(
            {
                "job_id": P("string", min_length=1),
                "fetch_details": P("boolean"),
                "total_results": P("integer", minimum=1, maximum=1000),
                "start_page": P("integer", minimum=1),
                "end_page": P("integer", minimum=1),
            }
        ),
        get_posts,
        per=10,
    ),
    ActionDef("publish_job", ParamSpec({"job_id": JOB_ID}), publish_job),
    ActionDef("close_job", ParamSpec({"job_id": JOB_ID}), close_job),
]
