"""One person is one recipient (issue 17, item 1): every URL form LinkedIn treats as the same
profile — and the member URN an answer tied to it — is one identity for the duplicate guard, the
recipient cap, previews and the read cache. Property tests for the normaliser, then the attacks
that sent the same message six times, each as a test."""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkup_mcp.call.outreach import RecipientCap
from linkup_mcp.call.people import Ties
from linkup_mcp.spec.identity import COMPANY, MEMBER, kind, normalise, ties_in
from linkup_mcp.store.ledger import Ledger
from linkup_mcp.store.read_cache import ReadCache, subject_of
from tests.conftest import v2_success

URN_ID = "ACoAAB1x2y3z4w5v6u7t8s9r0q_-PQRSTUVWXYZ"
JANE = "https://www.linkedin.com/in/jane-doe"
# The forms of one profile that each sent the same message again before (6 copies in one conversation).
JANE_FORMS = [
    "https://www.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane-doe/",
    "https://www.linkedin.com/in/Jane-Doe",
    "https://linkedin.com/in/jane-doe",
    "http://www.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane-doe?trk=public_profile_browsemap",
    "https://fr.linkedin.com/in/jane-doe/",
    "www.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane%2Ddoe",
    "https://www.linkedin.com/in/jane-doe/details/experience/#main",
    "  https://m.linkedin.com/in/JANE-DOE/?originalSubdomain=fr  ",
]

# -- the normaliser, as properties ---------------------------------------------------------

public_ids = st.text(string.ascii_letters + string.digits + "-", min_size=3, max_size=40).filter(
    lambda s: not s.startswith("AC")
)
unicode_ids = st.text(st.characters(categories=["L", "N"]), min_size=2, max_size=20)
urn_ids = st.text(string.ascii_letters + string.digits + "_-", min_size=20, max_size=40).map(lambda s: "ACoAA" + s)


@st.composite
def profile_url(draw: st.DrawFn, public_id: str) -> str:
    """Any URL LinkedIn serves the profile of `public_id` at."""
    scheme = draw(st.sampled_from(["https://", "http://", "//", ""]))
    host = draw(st.sampled_from(["www.linkedin.com", "linkedin.com", "fr.linkedin.com", "m.linkedin.com"]))
    host = draw(st.sampled_from([host, host.upper()]))
    ident = "".join(draw(st.sampled_from(_cases(c))) for c in public_id)
    if draw(st.booleans()):
        ident = quote(ident, safe="") if draw(st.booleans()) else "".join(f"%{b:02X}" for b in ident.encode())
    tail = draw(st.sampled_from(["", "/", "/details/experience/", "/en", "/recent-activity/all/"]))
    query = draw(st.sampled_from(["", "?trk=abc", "?originalSubdomain=fr&x=1", "#about"]))
    pad = draw(st.sampled_from(["", " ", "\n"]))
    return f"{pad}{scheme}{host}/in/{ident}{tail}{query}{pad}"


@settings(max_examples=300)
@given(st.data(), st.one_of(public_ids, unicode_ids))
def test_every_url_form_of_a_profile_is_one_identity(data: st.DataObject, public_id: str) -> None:
    url = data.draw(profile_url(public_id))
    assert normalise(url) == normalise(f"https://www.linkedin.com/in/{public_id}")
    assert kind(normalise(url)) == "member"
    if public_id.isascii():
        assert normalise(url) == _member(public_id.lower())


@settings(max_examples=200)
@given(public_ids, public_ids)
def test_different_people_stay_different(a: str, b: str) -> None:
    assert (normalise(f"{JANE[:-8]}{a}") == normalise(f"{JANE[:-8]}{b}")) == (a.lower() == b.lower())


@settings(max_examples=200)
@given(urn_ids)
def test_the_urn_forms_of_a_member_are_one_identity_and_keep_their_case(urn_id: str) -> None:
    forms = [
        urn_id,
        f"urn:li:fsd_profile:{urn_id}",
        f"urn:li:fs_miniProfile:{urn_id}",
        f"urn:li:member:{urn_id}",
        f"https://www.linkedin.com/in/{urn_id}/",
        f"linkedin.com/in/{urn_id}?trk=x",
    ]
    assert {normalise(f) for f in forms} == {f"{MEMBER}{urn_id}/"}
    assert kind(normalise(urn_id)) == "member_urn"
    assert normalise(urn_id.swapcase()) != normalise(urn_id)  # URN ids are case-sensitive


@settings(max_examples=500)
@given(
    st.one_of(st.text(), st.builds(lambda a, b: a + b, st.sampled_from([*JANE_FORMS, "urn:li:", "ACoAA"]), st.text()))
)
def test_normalising_is_a_fixed_point_and_never_fails(value: str) -> None:
    once = normalise(value)
    assert normalise(once) == once
    member = normalise(value, bare_member=True)
    assert normalise(member, bare_member=True) == member


def test_company_and_post_forms() -> None:
    company = [
        "https://www.linkedin.com/company/Acme-Inc/",
        "linkedin.com/company/acme-inc/about/?viewAsMember=true",
        "https://www.linkedin.com/showcase/acme-inc",
    ]
    assert {normalise(c) for c in company} == {f"{COMPANY}acme-inc/"}
    assert (
        normalise("urn:li:fsd_company:1234") == normalise("https://www.linkedin.com/company/1234/") == f"{COMPANY}1234/"
    )
    posts = [
        "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/",
        "https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7123456789012345678",
        "https://www.linkedin.com/posts/jane-doe_launch-day-activity-7123456789012345678-AbCd?utm_source=share",
        "urn:li:activity:7123456789012345678",
    ]
    assert {normalise(p) for p in posts} == {"urn:li:activity:7123456789012345678"}


def test_a_bare_public_id_is_a_member_only_where_the_param_takes_one() -> None:
    assert normalise("Jane-Doe", bare_member=True) == normalise(JANE)
    assert normalise("Jane-Doe") == "jane-doe" != normalise(JANE)
    assert normalise("https://evil.example/in/jane-doe") != normalise(JANE)  # not LinkedIn
    assert normalise("https://linkedin.com.evil.example/in/jane-doe") != normalise(JANE)
    assert subject_of({"identifier": "jane-doe"}, ["profile_url", "identifier"]) == subject_of(
        {"profile_url": JANE + "/?trk=x"}, ["profile_url", "identifier"]
    )


def test_ties_are_found_where_one_object_names_a_member_both_ways() -> None:
    answer = {
        "profile_urn": URN_ID,
        "public_identifier": "jane-doe",
        "results": [
            {"profile_url": "https://www.linkedin.com/in/bob", "entity_urn": f"urn:li:fsd_profile:{URN_ID}X"},
            # two people in one object tie nothing
            {"profile_url": JANE, "public_id": "bob", "entity_urn": f"urn:li:fsd_profile:{URN_ID}Y"},
            {"url": "https://www.linkedin.com/company/acme", "entity_urn": "urn:li:fsd_company:42"},
            {"profile_url": JANE, "entity_urn": "urn:li:activity:1234567"},  # not a member URN
        ],
    }
    assert sorted(ties_in(answer)) == sorted(
        [
            (normalise(JANE), f"{MEMBER}{URN_ID}/"),
            (normalise("https://www.linkedin.com/in/bob"), f"{MEMBER}{URN_ID}X/"),
            (f"{COMPANY}acme/", f"{COMPANY}42/"),
        ]
    )


def test_ties_keep_the_form_a_guard_keyed_on() -> None:
    ties = Ties()
    assert ties.claim("urn-form") == "urn-form"  # a message went out by URN first
    ties.tie([("url-form", "urn-form")])
    assert ties.resolve("url-form") == ties.resolve("urn-form") == "urn-form"
    ties.tie([("other-url", "other-urn")])  # neither keyed on yet: the public form leads
    assert ties.resolve("other-urn") == "other-url"
    ties.tie([("url-form", "other-urn")])  # two groups found to be one person: they merge
    assert {ties.resolve(f) for f in ("url-form", "urn-form", "other-url", "other-urn")} == {"urn-form"}


def test_ties_are_bounded() -> None:
    ties = Ties(max_forms=10)
    ties.tie((f"url{i}", f"urn{i}") for i in range(100))
    assert len(ties._person) == 10


def _cases(c: str) -> list[str]:
    """`c` in either case, where both are one character that lower-cases back (not ß -> SS)."""
    return [c] + [v for v in (c.lower(), c.upper()) if len(v) == 1 and v.lower() == c.lower()]


def _member(public_id: str) -> str:
    return f"{MEMBER}{quote(public_id, safe='-._~!$&()*+,;=:@')}/"


# -- the guards, end to end through the pipeline -------------------------------------------


@pytest.mark.anyio
async def test_one_message_to_every_url_form_of_one_person_is_sent_once(harness: Any) -> None:
    """The attack: the same message to each URL form of one profile; before, each form was a new
    recipient to the duplicate guard (6 copies in one conversation)."""
    h = harness()
    results = [await h.call("messages_send", {"profile_url": url, "message_text": "Hi Jane"}) for url in JANE_FORMS]
    assert results[0]["ok"] is True
    assert [r["error"]["code"] for r in results[1:]] == ["DUPLICATE_SUPPRESSED"] * (len(JANE_FORMS) - 1)
    assert len(h.requests) == 1


@pytest.mark.anyio
async def test_an_invitation_by_identifier_after_one_by_url_is_refused(harness: Any) -> None:
    h = harness()
    assert (await h.call("network_invite", {"profile_url": JANE + "/", "message": "Hello"}))["ok"] is True
    again = await h.call("network_invite", {"identifier": "JANE-DOE", "message": "Hello"})
    assert again["error"]["code"] == "ALREADY_PENDING" and len(h.requests) == 1  # the server's own invitation
    h.runtime.ledger.cache_drop(["relation"], "acc_1", None)  # without what it learnt, the ledger's guard
    third = await h.call("network_invite", {"identifier": "JANE-DOE", "message": "Hello"})
    assert third["error"]["code"] == "DUPLICATE_SUPPRESSED" and len(h.requests) == 1


@pytest.mark.anyio
async def test_the_recipient_cap_counts_one_person_once(harness: Any) -> None:
    h = harness()
    h.runtime.recipients = RecipientCap(1)
    for i, url in enumerate(JANE_FORMS[:4]):
        assert (await h.call("messages_send", {"profile_url": url, "message_text": f"Note {i}"}))["ok"] is True
    other = await h.call("messages_send", {"profile_url": "https://www.linkedin.com/in/bob", "message_text": "Hi"})
    assert other["error"]["code"] == "RECIPIENT_LIMIT" and len(h.requests) == 4


@pytest.mark.anyio
async def test_a_preview_token_is_bound_to_the_person_not_the_spelling(harness: Any) -> None:
    h = harness()
    h.runtime.confirm_mode = "preview"
    token = (await h.call("messages_send", {"profile_url": JANE, "message_text": "Hi"}))["data"]["confirm_token"]
    sent = await h.call("messages_send", {"profile_url": JANE_FORMS[5], "message_text": "Hi", "confirm_token": token})
    assert sent["ok"] is True and len(h.requests) == 1
    token = (await h.call("messages_send", {"profile_url": JANE, "message_text": "Yo"}))["data"]["confirm_token"]
    bob = await h.call(
        "messages_send",
        {"profile_url": "https://www.linkedin.com/in/bob", "message_text": "Yo", "confirm_token": token},
    )
    assert bob["error"]["code"] == "CONFIRM_TOKEN_INVALID" and len(h.requests) == 1


@pytest.mark.anyio
async def test_the_read_cache_answers_every_form_and_an_invite_by_identifier_invalidates_it(harness: Any) -> None:
    answer = {"invitation_state": "NO_INVITATION", "invitation_type": None}
    h = harness(lambda request: httpx2.Response(200, json=v2_success(answer)))
    first = await h.call("network_check_invitation", {"profile_url": JANE_FORMS[2]})
    again = await h.call("network_check_invitation", {"profile_url": JANE_FORMS[6]})
    assert first["ok"] and again["cache"] == {"hit": True, "age_s": 0} and len(h.requests) == 1
    await h.call("network_invite", {"identifier": "jane-doe"})
    fresh = await h.call("network_check_invitation", {"profile_url": JANE})
    assert fresh["cache"]["hit"] is False and len(h.requests) == 3


def _profile_answer(request: httpx2.Request) -> httpx2.Response:
    if json.loads(request.content)["action"] == "get":
        return httpx2.Response(
            200, json=v2_success({"public_id": "jane-doe", "profile_urn": f"urn:li:fsd_profile:{URN_ID}"})
        )
    return httpx2.Response(200, json=v2_success({"sent": True}))


@pytest.mark.anyio
@pytest.mark.parametrize("first, then", [("url", "urn"), ("urn", "url")])
async def test_the_member_urn_an_answer_tied_to_the_url_is_the_same_recipient(
    harness: Any, first: str, then: str
) -> None:
    """An answer naming both forms (here profiles_get) ties them; a message sent by one form is a
    duplicate by the other, whichever came first."""
    h = harness(_profile_answer)
    forms = {"url": JANE_FORMS[2], "urn": f"https://www.linkedin.com/in/{URN_ID}"}
    assert (await h.call("messages_send", {"profile_url": forms[first], "message_text": "Hi"}))["ok"] is True
    assert (await h.call("profiles_get", {"profile_url": JANE}))["ok"] is True
    again = await h.call("messages_send", {"profile_url": forms[then], "message_text": "Hi"})
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED" and len(h.requests) == 2


def test_the_read_cache_subject_is_the_normalised_identity() -> None:
    cache = ReadCache(Ledger(":memory:"))
    args = {"profile_url": JANE_FORMS[4]}
    cache.put(cache.key("profiles_get", "a", args), "profiles_get", "a", args, {"n": 1}, subject=["profile_url"])
    assert cache.invalidate(["profiles_get"], "a", {"profile_url": JANE_FORMS[9]}, subject=["profile_url"]) == 1
