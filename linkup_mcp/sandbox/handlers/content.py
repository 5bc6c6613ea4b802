"""content: create, create_company, search, get_feed, like, react, comment, answer_comment,
repost, get_comments, get_reactions, time_spent."""

from __future__ import annotations

from collections import Counter
from typing import Any

from linkup_mcp.sandbox.data import ME_ID, REACTION_TYPES, Comment, Post, Reaction, World
from linkup_mcp.sandbox.errors import ApiError, channel_error
from linkup_mcp.sandbox.handlers.common import (
    ActionDef,
    Ctx,
    Outcome,
    decode_media,
    find_person,
    matches_keyword,
    network_degree,
    pages_window,
    relative,
    require_company,
    require_person,
    require_post,
)
from linkup_mcp.sandbox.params import P, ParamSpec

POST_TYPES = ("text", "image", "video", "article", "document")
# LinkedIn content-search values, mapped onto the sandbox's post types
POST_TYPE_ALIASES = {"photos": "image", "images": "image", "videos": "video", "documents": "document"}
SORT_BY = ("relevance", "date_posted")
POST_DATE_DAYS = {"past-24h": 1, "past-week": 7, "past-month": 30}
PAGES = {
    "total_results": P("integer", minimum=1, maximum=1000),
    "start_page": P("integer", minimum=1),
    "end_page": P("integer", minimum=1),
}
FILE = P("object", keys=("data", "filename"), optional_keys=("altText", "alt_text"))


def post_author(world: World, post: Post) -> dict[str, Any]:
    if post.author_id is None:
        c = world.companies[post.company or ""]
        return {
            "type": "COMPANY",
            "name": c.name,
            "headline": f"{c.followers} followers",
            "profile_url": c.url,
            "entity_urn": c.entity_urn,
        }
    a = world.person(post.author_id)
    return {
        "type": "PERSON",
        "name": a.full_name,
        "headline": a.headline,
        "profile_url": a.profile_url,
        "entity_urn": a.entity_urn,
    }


def post_view(world: World, post: Post, now: int) -> dict[str, Any]:
    label, days = relative(post.posted_at, now)
    summary = Counter(r.reaction_type for r in post.reactions)
    return {
        "post_url": post.url,
        "post_urn": post.urn,
        "activity_id": post.activity_id,
        "text": post.text,
        "post_type": post.post_type,
        "posted_at": post.posted_at,
        "posted_time": label,
        "posted_time_days": days,
        "author": post_author(world, post),
        "reactions_count": len(post.reactions),
        "reaction_summary": dict(summary),
        "comments_count": len(post.comments) + sum(len(c.replies) for c in post.comments),
        "reposts_count": post.reposts,
        "reposted_from": post.reposted_from,
        "media": list(post.media),
        "my_reaction": next((r.reaction_type for r in post.reactions if r.person_id == ME_ID), None),
    }


def _files(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    media = []
    files = ([params["file"]] if "file" in params else []) + list(params.get("files", []))
    for i, f in enumerate(files):
        name = "file" if "file" in params and i == 0 else f"files[{i - (1 if 'file' in params else 0)}]"
        if not isinstance(f, dict) or "data" not in f or "filename" not in f:
            raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} must be an object with data and filename")
        raw = decode_media(str(f["data"]), f"{name}.data")
        media.append({"filename": str(f["filename"]), "size": len(raw), "alt_text": f.get("altText")})
    kind = "text"
    if media:
        kind = "video" if str(media[0]["filename"]).lower().endswith((".mp4", ".mov")) else "image"
    return media, kind


def _publish(ctx: Ctx, *, author: int | None, company: str | None, text: str, params: dict[str, Any]) -> Outcome:
    media, kind = _files(params)

    def effect() -> dict[str, Any]:
        post = Post(
            activity_id=ctx.new_id(7_400_000_000_000_000_000),
            author_id=author,
            company=company,
            text=text,
            posted_at=ctx.now(),
            post_type=kind,
            media=media,
        )
        ctx.world.posts[post.activity_id] = post
        return {"post_url": post.url, "post_urn": post.urn}

    return Outcome(effect=effect)


def create(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    if not any(params.get(k) for k in ("message", "file", "files")):
        raise ApiError("INVALID_PARAMS", "Missing required parameter: message (or file/files)")
    return _publish(ctx, author=ME_ID, company=None, text=params.get("message", ""), params=params)


def create_company(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    company = require_company(ctx.world, params["company_url"])
    if company.slug != ctx.world.me.company:
        raise channel_error(f"the account is not an admin of the page {company.name}", definite=True)
    out = _publish(ctx, author=None, company=company.slug, text=params["message"], params=params)
    return out


def _feed(world: World) -> list[Post]:
    mine = set(world.connections) | {ME_ID}
    return sorted(
        (p for p in world.posts.values() if p.author_id is None or p.author_id in mine),
        key=lambda p: (-p.posted_at, p.activity_id),
    )


def get_feed(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    feed = _feed(ctx.world)
    page, pagination = pages_window(feed, params)
    now = ctx.now()
    posts = [post_view(ctx.world, p, now) for p in page]
    data = {
        "posts": posts,
        "total_results": len(posts),
        "total_available_results": len(feed),
        "pagination": pagination,
    }
    return Outcome(data, results=len(posts))


def search(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    now = ctx.now()
    author = require_person(world, params["profile_url"]) if "profile_url" in params else None
    post_type = params.get("post_type")
    post_type = POST_TYPE_ALIASES.get(post_type, post_type) if post_type else None
    max_days = POST_DATE_DAYS.get(params.get("post_date", ""))
    found = []
    for post in world.posts.values():
        who = post_author(world, post)
        if params.get("keyword") and not matches_keyword(params["keyword"], post.text, who["name"]):
            continue
        if author is not None and post.author_id != author.id:
            continue
        if post_type and post.post_type != post_type:
            continue
        if max_days is not None and now - post.posted_at > max_days * 86_400_000:
            continue
        found.append(post)
    if params.get("sort_by") == "date_posted":
        found.sort(key=lambda p: (-p.posted_at, p.activity_id))
    else:  # relevance: engagement first
        found.sort(key=lambda p: (-(len(p.reactions) + 3 * len(p.comments)), p.activity_id))
    page, pagination = pages_window(found, params)
    posts = [post_view(world, p, now) for p in page]
    data = {
        "posts": posts,
        "total_results": len(posts),
        "total_available_results": len(found),
        "pagination": pagination,
    }
    return Outcome(data, results=len(posts))


def _react(ctx: Ctx, post: Post, reaction_type: str) -> dict[str, Any]:
    post.reactions = [r for r in post.reactions if r.person_id != ME_ID]
    post.reactions.append(Reaction(f"{post.activity_id}-{ME_ID}", ME_ID, reaction_type, ctx.now()))
    return {
        "success": True,
        "message": f"Reacted {reaction_type} to the post",
        "post_url": post.url,
        "reaction_type": reaction_type,
    }


def like(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    post = require_post(ctx.world, params["post_url"])
    return Outcome(effect=lambda: _react(ctx, post, "LIKE"))


def react(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    post = require_post(ctx.world, params["post_url"])
    return Outcome(effect=lambda: _react(ctx, post, params.get("reaction_type", "LIKE")))


def _new_comment(ctx: Ctx, post: Post, text: str) -> Comment:
    cid = ctx.new_id(7_410_000_000_000_000_000)
    return Comment(
        urn=f"urn:li:comment:({post.urn},{cid})",
        tracking_id=ctx.token(22) + "==",
        author_id=ME_ID,
        text=text,
        created_at=ctx.now(),
    )


def comment(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    """As the account, or as a company page it administers (`company_url`, the V1 endpoint's)."""
    post = require_post(ctx.world, params["post_url"])
    if "company_url" in params:
        company = require_company(ctx.world, params["company_url"])
        if company.slug != ctx.world.me.company:
            raise channel_error(f"the account is not an admin of the page {company.name}", definite=True)

    def effect() -> dict[str, Any]:
        c = _new_comment(ctx, post, params["comment_text"])
        post.comments.insert(0, c)
        return {"success": True, "comment_urn": c.urn, "post_url": post.url, "message": "Comment posted"}

    return Outcome(effect=effect)


def _find_comment(world: World, urn: str) -> tuple[Post, Comment] | None:
    for post in world.posts.values():
        for c in post.comments:
            if c.urn == urn:
                return post, c
    return None


def answer_comment(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    found = _find_comment(world, params["comment_urn"])
    if found is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Comment not found: {params['comment_urn']} (use a comment_urn from content_get_comments)",
        )
    post, parent = found
    if find_person(world, params["profile_urn"]) is None:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: profile_urn {params['profile_urn']!r} is unknown")
    text = params["comment_text"]
    if params.get("mention_user"):
        name = params.get("commenter_name") or world.person(parent.author_id).full_name
        text = f"@{name} {text}"

    def effect() -> dict[str, Any]:
        reply = _new_comment(ctx, post, text)
        parent.replies.append(reply)
        return {"success": True, "comment_urn": reply.urn, "parent_comment_urn": parent.urn, "text": text}

    return Outcome(effect=effect)


def repost(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    original = require_post(ctx.world, params["post_url"])

    def effect() -> dict[str, Any]:
        original.reposts += 1
        post = Post(
            activity_id=ctx.new_id(7_400_000_000_000_000_000),
            author_id=ME_ID,
            company=None,
            text=params.get("message", ""),
            posted_at=ctx.now(),
            post_type=original.post_type,
            reposted_from=original.urn,
        )
        ctx.world.posts[post.activity_id] = post
        return {"success": True, "post_url": post.url, "post_urn": post.urn, "reposted_from": original.urn}

    return Outcome(effect=effect)


def comment_view(world: World, c: Comment, now: int) -> dict[str, Any]:
    author = world.person(c.author_id)
    label, _ = relative(c.created_at, now)
    return {
        "comment_urn": c.urn,
        "comment_text": c.text,
        "commented_at": c.created_at,
        "commented_time": label,
        "tracking_id": c.tracking_id,
        "profile_urn": author.entity_urn,
        "commenter": {
            "name": author.full_name,
            "headline": author.headline,
            "profile_url": author.profile_url,
            "profile_urn": author.entity_urn,
            "profile_picture": author.picture,
        },
        "replies_count": len(c.replies),
        "replies": [comment_view(world, r, now) for r in c.replies],
    }


def get_comments(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    post = require_post(ctx.world, params["post_url"])
    page, pagination = pages_window(post.comments, params)
    now = ctx.now()
    comments = [comment_view(ctx.world, c, now) for c in page]
    data = {
        "post_url": post.url,
        "comments": comments,
        "total_results": len(comments),
        "total_available_results": len(post.comments),
        "pagination": pagination,
    }
    return Outcome(data, results=len(comments))


def get_reactions(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    post = require_post(world, params["post_url"])
    ordered = sorted(post.reactions, key=lambda r: (-r.at, r.id))
    page, pagination = pages_window(ordered, params)
    items = []
    for r in page:
        p = world.person(r.person_id)
        items.append(
            {
                "type": r.reaction_type,
                "name": p.full_name,
                "subtitle": p.headline,
                "profile_url": p.profile_url,
                "actor_urn": p.entity_urn,
                "profile_picture": p.picture,
                "connection_degree": network_degree(world, p),
            }
        )
    data = {
        "post_url": post.url,
        "reactions": items,
        "total_results": len(items),
        "total_available_results": len(ordered),
        "pagination": pagination,
    }
    return Outcome(data, results=len(items))


def time_spent(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    post = require_post(ctx.world, params["post_url"])

    def effect() -> dict[str, Any]:
        ctx.world.time_spent.append({"post": post.activity_id, "duration": params["duration"], "at": ctx.now()})
        return {"success": True, "message": "View time recorded", "post_url": post.url, "duration": params["duration"]}

    return Outcome(effect=effect)


POST_URL = P("string", required=True, min_length=1)

ACTIONS = [
    ActionDef(
        "create",
        ParamSpec(
            {
                "message": P("string", max_length=3000),
                "file": FILE,
                "files": P("array", items="object", max_items=20),
            }
        ),
        create,
    ),
    ActionDef(
        "create_company",
        ParamSpec(
            {
                "company_url": P("string", required=True, min_length=1),
                "message": P("string", required=True, min_length=1, max_length=3000),
                "file": FILE,
                "files": P("array", items="object", max_items=20),
            }
        ),
        create_company,
    ),
    ActionDef(
        "search",
        ParamSpec(
            {
                "keyword": P("string"),
                "post_type": P("string"),
                "sort_by": P("string", enum=SORT_BY),
                "post_date": P("string", enum=tuple(POST_DATE_DAYS)),
                "profile_url": P("string", min_length=1),
                **PAGES,
            },
            aliases={"linkedin_url": "profile_url"},
        ),
        search,
        per=10,
    ),
    ActionDef("get_feed", ParamSpec(dict(PAGES)), get_feed, per=10),
    ActionDef("like", ParamSpec({"post_url": POST_URL}), like),
    ActionDef(
        "react",
        ParamSpec({"post_url": POST_URL, "reaction_type": P("string", enum=tuple(REACTION_TYPES))}),
        react,
    ),
    ActionDef(
        "comment",
        ParamSpec(
            {
                "post_url": POST_URL,
                "comment_text": P("string", required=True, min_length=1, max_length=1250),
                "company_url": P("string", min_length=1),
            },
            aliases={"message": "comment_text"},  # the V1 comment page's name
        ),
        comment,
    ),
    ActionDef(
        "answer_comment",
        ParamSpec(
            {
                "tracking_id": P("string", required=True, min_length=1),
                "profile_urn": P("string", required=True, min_length=1),
                "comment_urn": P("string", required=True, min_length=1),
                "comment_text": P("string", required=True, min_length=1, max_length=1250),
                "mention_user": P("boolean"),
                "commenter_name": P("string"),
            }
        ),
        answer_comment,
    ),
    ActionDef("repost", ParamSpec({"post_url": POST_URL, "message": P("string")}), repost),
    ActionDef("get_comments", ParamSpec({"post_url": POST_URL, **PAGES}), get_comments, per=10),
    ActionDef("get_reactions", ParamSpec({"post_url": POST_URL, **PAGES}), get_reactions, per=10),
    ActionDef(
        "time_spent",
        ParamSpec(
            {
                "post_url": POST_URL,
                "duration": P("integer", required=True, minimum=1),
                "duration_start_time": P("integer", minimum=0),
            }
        ),
        time_spent,
    ),
]
