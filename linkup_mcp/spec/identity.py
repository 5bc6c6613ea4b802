"""One LinkedIn member is one identity, whatever form names them (and likewise a company, a post).

`normalise(value)` maps every form LinkedIn treats as the same page to one string, a fixed point
(`normalise(normalise(x)) == normalise(x)`):

- a profile URL, whatever its scheme (http, https, none), host (`linkedin.com`, `www.`, country
  and mobile subdomains), trailing slash, sub-page (`/in/jane/details/skills/`), query (`?trk=`),
  fragment, percent-encoding or the case of the public id -> `https://www.linkedin.com/in/<id>/`
  (the public id in lower case, percent-encoded once);
- the member URN id (`ACoAA...`, case kept: LinkedIn's URN ids are case-sensitive) as a URL
  (`/in/ACoAA...`), a URN (`urn:li:fsd_profile:`, `fs_miniProfile`, `fs_profile`, `member`) or
  bare -> `https://www.linkedin.com/in/<URN id>/`; a numeric member URN -> `urn:li:member:<n>`;
- a bare public id, for a parameter that takes one (`identifier`; see `BARE_MEMBER_PARAMS`);
- company pages (`/company/`, `/showcase/`, `/school/`, by slug or number) and company URNs ->
  `https://www.linkedin.com/company/<slug or number>/`;
- posts (`/feed/update/urn:li:activity:N`, `/posts/...-activity-N-...`, the URN) -> `urn:li:activity:N`
  (`ugcPost` and `share` URNs likewise, each kept as its own kind);
- anything else (an email address, an id) -> lower case, without surrounding whitespace or a
  trailing `/`.

A public id and the member URN id of one person are two forms LinkedIn cannot tell apart by
reading them: `ties_in(answer)` finds the pairs an API answer ties together (one object carrying
both a profile URL or public identifier and a member URN), which store/identities.py remembers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

MEMBER = "https://www.linkedin.com/in/"
COMPANY = "https://www.linkedin.com/company/"
# Parameters whose bare value (no URL) is a member's public id or URN id.
BARE_MEMBER_PARAMS = frozenset({"identifier", "public_identifier", "public_id", "profile_urn", "member_urn"})

_URN_ID = re.compile(r"AC[ow]AA[A-Za-z0-9_-]{20,}")  # a member's URN id (ACoAA... / ACwAA... in Sales Navigator)
_MEMBER_URN = re.compile(r"urn:li:(?:fsd_profile|fs_miniProfile|fs_profile|profile|member):([^\s,()/]+)", re.I)
_COMPANY_URN = re.compile(r"urn:li:(?:fsd_company|fs_miniCompany|fs_company|company|organization):(\d+)", re.I)
_POST_URN = re.compile(r"urn:li:(activity|ugcPost|share):(\d+)", re.I)
_POST_SLUG = re.compile(r"-(activity|ugcPost|share)-(\d{6,})(?:-|$)", re.I)
_HOST_FIRST = re.compile(r"(?:[a-z0-9-]+\.)*linkedin\.com(?::\d+)?(?:[/?#]|$)", re.I)
_SAFE = "-._~!$&'()*+,;=:@"  # kept as is in a path segment; everything else (/ ? # % ...) encoded
_COMPANY_SECTIONS = {"company", "showcase", "school"}
_POST_KINDS = {"activity": "activity", "ugcpost": "ugcPost", "share": "share"}


def normalise(value: str, *, bare_member: bool = False) -> str:
    """The one string every form of the same LinkedIn member, company or post comes to (see the
    module's docstring); `bare_member`: a value that is no URL or URN is a member's public id."""
    text = value.strip()
    urn = _urn(text)
    if urn is not None:
        return urn
    url = _linkedin_url(text)
    if url is not None:
        return url
    if _URN_ID.fullmatch(text):
        return _member(text)
    bare = text.rstrip("/")
    if bare_member and bare and not any(c in bare for c in "/?#@: "):
        return _member(unquote(bare))
    return bare.strip().lower()  # an email, an id: compared as before, case, spaces and trailing "/" aside


def kind(normalised: str) -> str:
    """`member`, `member_urn` (a member by URN id), `company`, `company_id` (a company by number),
    `post` or `other`."""
    if normalised.startswith(MEMBER):
        return "member_urn" if _URN_ID.fullmatch(unquote(normalised[len(MEMBER) : -1])) else "member"
    if normalised.startswith("urn:li:member:"):
        return "member_urn"
    if normalised.startswith(COMPANY):
        return "company_id" if normalised[len(COMPANY) : -1].isdigit() else "company"
    if _POST_URN.fullmatch(normalised):
        return "post"
    return "other"


def _member(public_id: str) -> str:
    """The canonical URL of a decoded public id or URN id."""
    ident = unicodedata.normalize("NFC", public_id)
    if not _URN_ID.fullmatch(ident):
        ident = ident.lower()
    return f"{MEMBER}{quote(ident, safe=_SAFE)}/"


def _company(slug: str) -> str:
    return f"{COMPANY}{quote(unicodedata.normalize('NFC', slug).lower(), safe=_SAFE)}/"


def _urn(text: str) -> str | None:
    if not text.lower().startswith("urn:li:"):
        return None
    if match := _POST_URN.fullmatch(text):
        return f"urn:li:{_POST_KINDS[match.group(1).lower()]}:{match.group(2)}"
    if match := _COMPANY_URN.fullmatch(text):
        return _company(match.group(1))
    if match := _MEMBER_URN.fullmatch(text):
        ident = match.group(1)
        if _URN_ID.fullmatch(ident):
            return _member(ident)
        if ident.isdigit():
            return f"urn:li:member:{ident}"
    return None


def _linkedin_url(text: str) -> str | None:
    """The canonical form of a LinkedIn URL naming a member, company or post; None otherwise."""
    if _HOST_FIRST.match(text):
        text = "https://" + text
    elif text.startswith("//"):
        text = "https:" + text
    if not text.lower().startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # an invalid port or IPv6 literal
        return None
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2:
        section, ident = segments[0].lower(), unquote(segments[1])
        if section == "in" and ident:
            return _member(ident)
        if section in _COMPANY_SECTIONS and ident:
            return _company(ident)
        if section == "feed" and ident.lower() == "update" and len(segments) >= 3:
            return _urn(unquote(segments[2]))
        if section == "posts" and (match := _POST_SLUG.search(ident)):
            return f"urn:li:{_POST_KINDS[match.group(1).lower()]}:{match.group(2)}"
    return None


# -- ties found in answers ---------------------------------------------------------------------

_NAME_KEYS = (
    "profile_url", "public_identifier", "public_id", "linkedin_url", "url",
    "profile_urn", "member_urn", "entity_urn", "urn", "actor_urn",
    "company_url", "company_urn",
)  # fmt: skip
_PAIRS = (("member", "member_urn"), ("company", "company_id"))
MAX_NODES = 50_000  # objects looked at in one answer


def ties_in(data: Any) -> list[tuple[str, str]]:
    """(public form, URN form) pairs, normalised, each of one member (or company): an object of
    the answer that names it both ways. An object naming two of them either way ties nothing."""
    found: dict[tuple[str, str], None] = {}
    for obj in _objects(data):
        forms: dict[str, set[str]] = {}
        for key in _NAME_KEYS:
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                form = normalise(value, bare_member=key in BARE_MEMBER_PARAMS)
                forms.setdefault(kind(form), set()).add(form)
        for public, urn in _PAIRS:
            publics, urns = forms.get(public, set()), forms.get(urn, set())
            if len(publics) == 1 and len(urns) == 1:
                found[(next(iter(publics)), next(iter(urns)))] = None
    return list(found)


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in `data`, at most MAX_NODES (iterative: any depth is safe)."""
    queue, seen = [data], 0
    while queue and seen < MAX_NODES:
        node = queue.pop()
        seen += 1
        if isinstance(node, dict):
            yield node
            queue.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, (dict, list)))
