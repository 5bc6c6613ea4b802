"""What every action handler shares: the call context, the outcome, lookups and paging.

A handler checks references and computes its answer without changing anything, then returns
an `Outcome`. Side effects live in `Outcome.effect`, run by the app only once the credit check
passed, so a refused call (402) or a failed one changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from linkup_mcp.sandbox.data import ME_ID, Company, Person, Post, World, ago_label
from linkup_mcp.sandbox.errors import ApiError, channel_error
from linkup_mcp.sandbox.params import ParamSpec

T = TypeVar("T")

PAGE_SIZE = 50  # results per page for pages-style actions (V1 search pages: results_per_page 50)
DEFAULT_RESULTS = 10  # total_results when neither it nor a page is given


@dataclass
class Ctx:
    world: World
    account_id: str | None

    def now(self) -> int:
        """Epoch ms for a new event: wall clock, but always after seeded content and earlier events."""
        import time

        self.world.clock_ms = max(int(time.time() * 1000), self.world.clock_ms + 1)
        return self.world.clock_ms

    def new_id(self, base: int, span: int = 10**15) -> str:
        return str(base + self.world.rng.randrange(span))

    def token(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.world.rng.choice(alphabet) for _ in range(n))


@dataclass
class Outcome:
    """data: the answer; results: how many list items it returned (sets a list action's charge);
    credits: an explicit charge (overrides the action's rule); effect: the state change, run
    after the credit check, returning the final data."""

    data: dict[str, Any] = field(default_factory=dict)
    results: int | None = None
    credits: int | None = None
    effect: Callable[[], dict[str, Any]] | None = None


Handler = Callable[[Ctx, dict[str, Any]], Outcome]


@dataclass(frozen=True)
class ActionDef:
    name: str
    params: ParamSpec
    handler: Handler
    per: int | None = None  # list action: 1 credit per `per` results (min 1); None = flat 1
    free: bool = False


# -- references ---------------------------------------------------------------------------

_PROFILE = re.compile(r"linkedin\.com/in/([^/?#\s]+)", re.I)
_COMPANY = re.compile(r"linkedin\.com/(?:company|showcase)/([^/?#\s]+)", re.I)
_ACTIVITY = re.compile(r"(?:activity|ugcPost|share)[:-](\d{6,})", re.I)
_URN_ID = re.compile(r"(?:urn:li:(?:fsd_profile|member|fs_miniProfile):)?(ACoAA[A-Za-z0-9_-]+)")


def find_person(world: World, ref: str) -> Person | None:
    """A profile URL, public id, or profile URN (`ACoAA...`) to the person, if they exist."""
    ref = ref.strip()
    match = _PROFILE.search(ref)
    if match:
        key = match.group(1)
    else:
        urn = _URN_ID.fullmatch(ref)
        if urn:
            pid = world.by_urn_id.get(urn.group(1))
            return world.person(pid) if pid is not None else None
        if "/" in ref or " " in ref or not ref:
            return None
        key = ref
    from urllib.parse import unquote

    pid = world.by_public_id.get(unquote(key).lower())
    return world.person(pid) if pid is not None else None


def looks_like_profile(ref: str) -> bool:
    return bool(_PROFILE.search(ref) or _URN_ID.fullmatch(ref.strip()))


def require_person(world: World, ref: str, name: str = "profile_url") -> Person:
    """The person behind a profile reference; 400 for a malformed one, CHANNEL_ERROR if unknown."""
    if not looks_like_profile(ref):
        raise ApiError(
            "INVALID_PARAMS",
            f"Invalid parameter: {name} must be a LinkedIn profile URL like https://www.linkedin.com/in/<id> "
            f"(got {ref!r})",
        )
    person = find_person(world, ref)
    if person is None:
        raise channel_error(f"profile not found or not accessible: {ref}", definite=True)
    return person


def company_slug(ref: str) -> str | None:
    match = _COMPANY.search(ref)
    return match.group(1).lower() if match else None


def require_company(world: World, ref: str, name: str = "company_url") -> Company:
    slug = company_slug(ref)
    if slug is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Invalid parameter: {name} must be a LinkedIn company URL like "
            f"https://www.linkedin.com/company/<id> (got {ref!r})",
        )
    company = world.companies.get(slug)
    if company is None:
        raise channel_error(f"company page not found: {ref}", definite=True)
    return company


def require_post(world: World, ref: str, name: str = "post_url") -> Post:
    match = _ACTIVITY.search(ref)
    if match is None:
        raise ApiError(
            "INVALID_PARAMS",
            f"Invalid parameter: {name} must be a LinkedIn post URL or urn:li:activity URN (got {ref!r})",
        )
    post = world.posts.get(match.group(1))
    if post is None:
        raise channel_error(f"post not found or not visible: {ref}", definite=True)
    return post


def decode_media(value: str, name: str) -> bytes:
    """Base64 file content, with or without a data-URL prefix; 400 when it does not decode."""
    data = value.split(",", 1)[1] if value.startswith("data:") and "," in value else value
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} is not valid base64") from None
    if not raw:
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} is empty")
    return raw


def check_http_url(value: str, name: str) -> None:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        raise ApiError("INVALID_PARAMS", f"Invalid parameter: {name} must be an http(s) URL (got {value!r})")


# -- matching (search filters) -----------------------------------------------------------


def matches(term: str, *texts: str | None) -> bool:
    """Case-insensitive match of `term` starting at a word boundary in any of `texts`."""
    term = term.strip()
    if not term:
        return True
    pattern = re.compile(r"(?<![0-9A-Za-zÀ-ÿ])" + re.escape(term), re.I)
    return any(t and pattern.search(t) for t in texts)


def matches_keyword(keyword: str, *texts: str | None) -> bool:
    """Every word of the keyword is found in one of the texts."""
    return all(matches(word, *texts) for word in keyword.split())


def any_match(terms: Sequence[str], *texts: str | None) -> bool:
    """OR within an array filter; an empty array filters nothing."""
    return not terms or any(matches(t, *texts) for t in terms)


# -- paging ------------------------------------------------------------------------------


def offset_page(
    items: Sequence[T], params: dict[str, Any], *, results_per_page: int, default_count: int = 10
) -> tuple[list[T], dict[str, Any]]:
    """A slice by `offset`/`count`, with the V2 pages' pagination object."""
    offset = params.get("offset", 0)
    count = params.get("count", default_count)
    page = list(items[offset : offset + count])
    end = offset + len(page)
    has_more = end < len(items)
    return page, {
        "offset": offset,
        "count": count,
        "next_offset": end if has_more else None,
        "has_more": has_more,
        "results_per_page": results_per_page,
        "pages_fetched": max(1, math.ceil(count / results_per_page)) if page else 1,
    }


def pages_window(items: Sequence[T], params: dict[str, Any]) -> tuple[list[T], dict[str, Any]]:
    """V1-style pages: `start_page`/`end_page` (PAGE_SIZE per page), cut to `total_results`; or
    the first `total_results` (default 10) when no page is given."""
    if "start_page" in params or "end_page" in params:
        start = params.get("start_page", 1)
        end = params.get("end_page", start)
        if end < start:
            raise ApiError("INVALID_PARAMS", "Invalid parameter: end_page must be >= start_page")
        first = (start - 1) * PAGE_SIZE
        page = list(items[first : end * PAGE_SIZE])
        if "total_results" in params:
            page = page[: params["total_results"]]
    else:
        wanted = params.get("total_results", DEFAULT_RESULTS)
        start, end, first = 1, max(1, math.ceil(wanted / PAGE_SIZE)), 0
        page = list(items[:wanted])
    return page, {
        "start_page": start,
        "end_page": end,
        "results_per_page": PAGE_SIZE,
        "has_more": first + len(page) < len(items),
    }


def encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, position = raw.partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        value = int(position)
        if value < 0:
            raise ValueError(value)
        return value
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ApiError("INVALID_PARAMS", "Invalid parameter: cursor is not a cursor returned by this action") from None


def cursor_page(
    items: Sequence[T], kind: str, params: dict[str, Any], default_count: int = 10
) -> tuple[list[T], str | None]:
    start = decode_cursor(kind, params.get("cursor"))
    count = params.get("count", default_count)
    page = list(items[start : start + count])
    end = start + len(page)
    return page, encode_cursor(kind, end) if end < len(items) else None


# -- shapes ------------------------------------------------------------------------------


def person_card(world: World, p: Person) -> dict[str, Any]:
    """The short form used in lists: name, headline, URL, picture, URN."""
    return {
        "name": p.full_name,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "headline": p.headline,
        "profile_url": p.profile_url,
        "public_identifier": p.public_id,
        "profile_picture": p.picture,
        "entity_urn": p.entity_urn,
    }


def invitation_state(world: World, p: Person) -> str:
    if p.id == ME_ID:
        return "SELF"
    if p.id in world.connections:
        return "CONNECTED"
    for inv in world.invitations.values():
        if inv.person_id == p.id:
            return "PENDING" if inv.direction == "sent" else "RECEIVED"
    return "CAN_INVITE"


def member_distance(world: World, p: Person) -> int:
    degree = network_degree(world, p)
    return {"F": 1, "S": 2, "O": 3}.get(degree, 0)


def network_degree(world: World, p: Person) -> str:
    if p.id == ME_ID:
        return "ME"
    if p.id in world.connections:
        return "F"
    return "S" if p.degree in ("F", "S") else "O"


def relative(ms: int, now_ms: int) -> tuple[str, int]:
    return ago_label(ms, now_ms)


def iso(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
