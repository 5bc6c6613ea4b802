"""The duplicate guard keys on the intent (one invitation per person whatever the note; the same
text to the same target, whitespace and case aside), and the free pre-send checks answer from what
earlier answers and this server's own sends showed — without a paid check."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from linkup_mcp.spec.catalog import Catalog, Exposure
from tests.conftest import v2_error, v2_success

pytestmark = pytest.mark.anyio

JANE = "https://www.linkedin.com/in/jane-doe"
BOB = "https://www.linkedin.com/in/bob-smith"
POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000001/"
OTHER_POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000002/"


def api(answers: dict[str, Any]) -> Any:
    """A V2 API whose answer depends on the action sent (the body's `action`)."""

    def respond(request: httpx2.Request) -> httpx2.Response:
        action = json.loads(request.content)["action"] if request.content else request.url.path
        return httpx2.Response(200, json=v2_success(answers.get(action, {"ok": 1})))

    return respond


def actions(h: Any) -> list[str]:
    return [b["action"] for b in h.bodies()]


async def test_a_second_invitation_with_another_note_is_refused(harness: Any) -> None:
    h = harness()
    assert (await h.call("network_invite", {"profile_url": JANE, "message": "Hi Jane"}))["ok"] is True
    again = await h.call("network_invite", {"profile_url": JANE + "/", "message": "A different note"})
    error = again["error"]
    assert error["code"] == "ALREADY_PENDING" and error["retryable"] is False
    assert error["message"].startswith(
        "An invitation from this account to this person is pending (sent by this server with network_invite at "
    )
    assert "allow_duplicate: true" in error["message"] and again["credits"]["charged"] == 0
    assert actions(h) == ["invite"]


async def test_without_what_was_learnt_the_ledger_still_keeps_one_invitation_per_person(harness: Any) -> None:
    h = harness()
    assert (await h.call("network_invite", {"profile_url": JANE, "message": "Hi Jane"}))["ok"] is True
    h.runtime.ledger.cache_drop(["relation"], "acc_1", None)
    again = await h.call("network_invite", {"identifier": "jane-doe", "message": "Another note"})
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED"
    message = again["error"]["message"]
    assert message.startswith("This account already sent network_invite to this person at ")
    assert "with other arguments (e.g. another note): one per person" in message
    forced = await h.call(
        "network_invite", {"identifier": "jane-doe", "message": "Another note", "allow_duplicate": True}
    )
    assert forced["ok"] is True and actions(h) == ["invite", "invite"]


async def test_a_newer_answer_showing_no_invitation_reopens_the_guard(harness: Any) -> None:
    """After a withdrawal: a fresh invitation check saying NO_INVITATION lets a new invitation go."""
    answers: dict[str, Any] = {}
    h = harness(api(answers))
    assert (await h.call("network_invite", {"profile_url": JANE}))["ok"] is True
    answers["check_invitation"] = {"invitation_state": "NO_INVITATION", "invitation_type": None, "member_distance": 2}
    assert (await h.call("network_check_invitation", {"profile_url": JANE, "fresh": True}))["ok"] is True
    assert (await h.call("network_invite", {"profile_url": JANE, "message": "Second try"}))["ok"] is True
    assert actions(h) == ["invite", "check_invitation", "invite"]


async def test_the_same_message_whitespace_and_case_aside_is_a_duplicate(harness: Any) -> None:
    h = harness()
    assert (await h.call("messages_send", {"profile_url": JANE, "message_text": "Hi Jane, quick question"}))["ok"]
    again = await h.call("messages_send", {"profile_url": JANE + "/", "message_text": "  hi jane,  QUICK question "})
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED"
    assert again["error"]["message"].startswith(
        "The same messages_send (same account, target and text, whitespace and case aside) succeeded at "
    )
    other_text = await h.call("messages_send", {"profile_url": JANE, "message_text": "Following up on my note"})
    other_person = await h.call("messages_send", {"profile_url": BOB, "message_text": "Hi Jane, quick question"})
    assert other_text["ok"] is True and other_person["ok"] is True
    assert actions(h) == ["send", "send", "send"]


async def test_the_same_comment_on_the_same_post_is_a_duplicate(harness: Any) -> None:
    h = harness()
    assert (await h.call("content_comment", {"post_url": POST, "comment_text": "Great post!"}))["ok"] is True
    again = await h.call("content_comment", {"post_url": POST, "comment_text": "great post! "})
    assert again["error"]["code"] == "DUPLICATE_SUPPRESSED"
    elsewhere = await h.call("content_comment", {"post_url": OTHER_POST, "comment_text": "Great post!"})
    assert elsewhere["ok"] is True and actions(h) == ["comment", "comment"]


@pytest.mark.parametrize(
    ("tool", "args", "answer", "code", "says"),
    [
        (
            "profiles_search_people",
            {"keyword": "sales", "fetch_invitation_state": True},
            {
                "results": [{"linkedin_url": JANE + "?miniProfileUrn=x", "invitation_state": "CONNECTED"}],
                "total_results": 1,
                "total_available_results": 1,
            },
            "ALREADY_CONNECTED",
            "This person is already a 1st-degree connection (profiles_search_people at ",
        ),
        (
            "profiles_get_contact",
            {"profile_url": "linkedin.com/in/Jane-Doe"},
            {"profile_url": JANE, "connected_at": "2024-03-01"},
            "ALREADY_CONNECTED",
            "This person is already a 1st-degree connection (profiles_get_contact at ",
        ),
        (
            "network_list_connections",
            {},
            {"connections": [{"name": "Jane Doe", "profile_url": JANE}], "total_results": 1},
            "ALREADY_CONNECTED",
            "This person is already a 1st-degree connection (network_list_connections at ",
        ),
        (
            "network_list_sent",
            {},
            {"invitations": [{"recipient": {"linkedin_url": JANE}, "invitation_type": "CONNECTION"}]},
            "ALREADY_PENDING",
            "An invitation from this account to this person is pending (shown by network_list_sent at ",
        ),
        (
            "network_list_invitations",
            {},
            {"invitations": [{"sender": {"linkedin_url": JANE}, "invitation_type": "CONNECTION"}]},
            "ALREADY_PENDING",
            "This person has invited this account (network_list_invitations at ",
        ),
        (
            "network_check_invitation",
            {"profile_url": JANE},
            {"invitation_state": "ACCEPTED", "invitation_type": "CONNECTED", "member_distance": 1},
            "ALREADY_CONNECTED",
            "This person is already a 1st-degree connection (network_check_invitation at ",
        ),
    ],
)
async def test_an_invitation_is_answered_free_from_earlier_answers(
    harness: Any, tool: str, args: dict[str, Any], answer: Any, code: str, says: str
) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success(answer)))
    assert (await h.call(tool, args))["ok"] is True
    invite = await h.call("network_invite", {"identifier": "jane-doe", "message": "Hi"})
    assert invite["error"]["code"] == code and invite["error"]["retryable"] is False
    assert invite["error"]["message"].startswith(says) and invite["credits"]["charged"] == 0
    assert len(h.requests) == 1  # no paid check, nothing sent
    assert [r["outcome"] for r in h.runtime.ledger.rows()][-1] == code
    bob = await h.call("network_invite", {"profile_url": BOB})  # someone else: nothing known, sent
    assert bob["ok"] is True and len(h.requests) == 2


async def test_a_preview_of_a_refused_send_is_the_refusal_and_issues_no_token(harness: Any) -> None:
    answer = {"invitation_state": "ACCEPTED", "invitation_type": "CONNECTED", "member_distance": 1}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(answer)))
    await h.call("network_check_invitation", {"profile_url": JANE})
    h.runtime.confirm_mode = "preview"
    preview = await h.call("network_invite", {"profile_url": JANE})
    assert preview["preview"] is True and preview["data"] is None and preview["error"]["code"] == "ALREADY_CONNECTED"
    h.runtime.confirm_mode = "off"
    real = await h.call("network_invite", {"profile_url": JANE})
    assert real["error"] == preview["error"] and "preview" not in real
    assert len(h.requests) == 1
    assert h.runtime.ledger.token_take("anything") is None  # (no token table rows to take)


async def test_a_preview_shows_what_the_free_checks_knew(harness: Any) -> None:
    answer = {"invitation_state": "NO_INVITATION", "invitation_type": None, "member_distance": 2}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(answer)))
    await h.call("network_check_invitation", {"profile_url": JANE})
    h.runtime.confirm_mode = "preview"
    preview = await h.call("network_invite", {"profile_url": JANE})
    known = preview["data"]["preview"]["known_relation"]
    assert known["state"] == "none" and known["as_of"].startswith("network_check_invitation at ")
    assert preview["data"]["confirm_token"] and len(h.requests) == 1


async def test_a_preview_keeps_what_is_cached_and_a_send_drops_only_what_it_changes(harness: Any) -> None:
    answers: dict[str, Any] = {
        "get": {"public_id": "jane-doe", "first_name": "Jane", "last_name": "Doe"},
        "check_invitation": {"invitation_state": "NO_INVITATION", "invitation_type": None},
    }
    h = harness(api(answers))
    assert (await h.call("profiles_get", {"profile_url": JANE}))["ok"] is True
    assert (await h.call("network_check_invitation", {"profile_url": JANE}))["ok"] is True
    h.runtime.confirm_mode = "preview"
    assert (await h.call("network_invite", {"profile_url": JANE}))["data"]["sent"] is False
    hits = [await h.call(t, {"profile_url": JANE}) for t in ("profiles_get", "network_check_invitation")]
    assert [r["cache"]["hit"] for r in hits] == [True, True] and len(h.requests) == 2
    h.runtime.confirm_mode = "off"
    assert (await h.call("network_invite", {"profile_url": JANE}))["ok"] is True
    profile = await h.call("profiles_get", {"profile_url": JANE})  # a profile shows no relation: kept
    check = await h.call("network_check_invitation", {"profile_url": JANE})  # changed by the invite: asked again
    assert profile["cache"]["hit"] is True and check["cache"]["hit"] is False
    assert actions(h) == ["get", "check_invitation", "invite", "check_invitation"]


async def test_every_form_of_a_profile_url_is_one_cache_entry(harness: Any) -> None:
    profile = {"public_id": "jane-doe", "first_name": "Jane", "last_name": "Doe"}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(profile)))
    forms = [
        JANE,
        "http://linkedin.com/in/Jane-Doe/",
        "www.linkedin.com/in/jane-doe?trk=public_profile",
        "https://fr.linkedin.com/in/jane-doe/",
    ]
    results = [await h.call("profiles_get", {"profile_url": form}) for form in forms]
    assert [r["cache"]["hit"] for r in results] == [False, True, True, True] and len(h.requests) == 1


async def test_a_preview_over_the_process_budget_is_the_same_refusal(harness: Any) -> None:
    h = harness(max_credits=1)
    assert (await h.call("messages_send", {"profile_url": JANE, "message_text": "Hello"}))["ok"] is True
    h.runtime.confirm_mode = "preview"
    preview = await h.call("messages_send", {"profile_url": BOB, "message_text": "Hello"})
    assert preview["preview"] is True and preview["data"] is None
    assert preview["error"]["code"] == "BUDGET_EXCEEDED" and "LINKUP_MAX_CREDITS" in preview["error"]["message"]
    h.runtime.confirm_mode = "off"
    real = await h.call("messages_send", {"profile_url": BOB, "message_text": "Hello"})
    assert real["error"] == preview["error"] and len(h.requests) == 1


@pytest.mark.parametrize(
    ("said", "code", "then"),
    [
        ("LinkedIn: Jane Doe is already a connection", "ALREADY_CONNECTED", "This person is already a 1st-degree"),
        (
            "LinkedIn: an invitation to Jane Doe is already pending",
            "ALREADY_PENDING",
            "An invitation from this account",
        ),
        ("LinkedIn: Jane Doe has already invited you", "ALREADY_PENDING", "This person has invited this account"),
    ],
)
async def test_what_the_apis_refusal_told_answers_the_next_attempt_free(
    harness: Any, said: str, code: str, then: str
) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error("CHANNEL_ERROR", said)))
    first = await h.call("network_invite", {"profile_url": JANE})
    assert first["error"]["code"] == code and first["error"]["retryable"] is False
    again = await h.call("network_invite", {"identifier": "jane-doe", "message": "Another note"})
    assert again["error"]["code"] == code and again["error"]["message"].startswith(then)
    assert "LinkedIn's answer to network_invite at " in again["error"]["message"] and len(h.requests) == 1


async def test_a_withdrawal_by_this_server_frees_the_person_for_a_new_invitation(harness: Any) -> None:
    answers: dict[str, Any] = {
        "invite": {"invitation_urn": "urn:li:invitation:7001", "public_identifier": "jane-doe"},
        "withdraw": {"withdrawn": True, "invitation_id": "7001"},
    }
    h = harness(api(answers))
    assert (await h.call("network_invite", {"profile_url": JANE, "message": "Hi"}))["ok"] is True
    pending = await h.call("network_invite", {"profile_url": JANE, "message": "Hi again"})
    assert pending["error"]["code"] == "ALREADY_PENDING"
    assert "sent by this server with network_invite at " in pending["error"]["message"]
    assert "with a different note or other arguments): one per person" in pending["error"]["message"]
    assert (await h.call("network_withdraw", {"invitation_id": "7001"}))["ok"] is True
    again = await h.call("network_invite", {"identifier": "jane-doe", "message": "Hi again"})
    assert again["ok"] is True and actions(h) == ["invite", "withdraw", "invite"]


async def test_a_withdrawal_of_an_invitation_a_list_showed_frees_its_person(harness: Any) -> None:
    sent = {
        "invitations": [
            {
                "entity_urn": "urn:li:invitation:8002",
                "recipient": {"linkedin_url": BOB},
                "invitation_type": "CONNECTION",
            }
        ]
    }
    h = harness(api({"list_sent": sent, "withdraw": {"withdrawn": True}}))
    await h.call("network_list_sent", {})
    assert (await h.call("network_invite", {"profile_url": BOB}))["error"]["code"] == "ALREADY_PENDING"
    await h.call("network_withdraw", {"invitation_id": "urn:li:invitation:8002"})
    assert (await h.call("network_invite", {"profile_url": BOB}))["ok"] is True


async def test_accepting_an_invitation_makes_its_sender_a_connection(harness: Any) -> None:
    received = {
        "invitations": [
            {
                "entity_urn": "urn:li:invitation:9003",
                "shared_secret": "s",
                "sender": {"linkedin_url": BOB},
                "invitation_type": "CONNECTION",
            }
        ]
    }
    h = harness(api({"list_invitations": received, "accept": {}}))
    await h.call("network_list_invitations", {})
    invite = await h.call("network_invite", {"profile_url": BOB})
    assert (
        invite["error"]["code"] == "ALREADY_PENDING" and "accept it with network_accept" in invite["error"]["message"]
    )
    assert (await h.call("network_accept", {"shared_secret": "s", "entity_urn": "urn:li:invitation:9003"}))["ok"]
    connected = await h.call("network_invite", {"profile_url": BOB})
    assert connected["error"]["code"] == "ALREADY_CONNECTED" and "(network_accept at " in connected["error"]["message"]
    assert actions(h) == ["list_invitations", "accept"]


async def test_credits_estimate_says_how_the_real_call_would_be_refused(harness: Any) -> None:
    answer = {"results": [{"linkedin_url": JANE, "invitation_state": "CONNECTED"}], "total_results": 1}
    h = harness(lambda r: httpx2.Response(200, json=v2_success(answer)))
    await h.call("profiles_search_people", {"keyword": "x", "fetch_invitation_state": True})
    estimate = await h.call("credits_estimate", {"tool": "network_invite", "arguments": {"profile_url": JANE}})
    real = await h.call("network_invite", {"profile_url": JANE})
    assert estimate["data"]["would_be_refused"] == {"code": real["error"]["code"], "message": real["error"]["message"]}
    other = await h.call("credits_estimate", {"tool": "network_invite", "arguments": {"profile_url": BOB}})
    assert "would_be_refused" not in other["data"] and other["data"]["sends"] == "at once"
    assert len(h.requests) == 1 and [r["outcome"] for r in h.runtime.ledger.rows()] == ["OK", "ALREADY_CONNECTED"]


async def test_credits_estimate_of_a_cached_lookup_is_free(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"public_id": "jane-doe"})))
    before = await h.call("credits_estimate", {"tool": "profiles_get", "arguments": {"profile_url": JANE}})
    await h.call("profiles_get", {"profile_url": JANE})
    after = await h.call("credits_estimate", {"tool": "profiles_get", "arguments": {"profile_url": JANE + "/"}})
    fresh = await h.call(
        "credits_estimate", {"tool": "profiles_get", "arguments": {"profile_url": JANE, "fresh": True}}
    )
    assert before["data"]["estimated"] == 1 and "cached" not in before["data"]
    assert after["data"]["estimated"] == 0 and after["data"]["cached"] is True
    assert fresh["data"]["estimated"] == 1 and len(h.requests) == 1


async def test_in_compact_mode_a_preview_says_where_the_token_goes(harness: Any) -> None:
    h = harness()
    h.runtime.catalog = Catalog.build(exposure=Exposure.everything(), compact=True)
    h.runtime.confirm_mode = "preview"
    run = {"action": "messages_send", "arguments": {"profile_url": JANE, "message_text": "Hello"}}
    preview = await h.call("linkup_run_action", run)
    assert preview["data"]["next_step"] == (
        "Show this to the user. To send, call the same action with the same arguments plus confirm_token in "
        "them. Changed arguments need a new preview."
    )
    token = preview["data"]["confirm_token"]
    sent = await h.call("linkup_run_action", {**run, "arguments": {**run["arguments"], "confirm_token": token}})
    assert sent["ok"] is True and actions(h) == ["send"]
