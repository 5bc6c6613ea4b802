"""API refusals that name a lasting state get their own non-retryable code and one sentence of
advice (errors.LASTING); an unknown refusal stays CHANNEL_ERROR, retryable only for 429/5xx; the
API's message and our advice are always separate sentences. Checked against a MockTransport (the
exact texts) and against the sandbox, which really produces each state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from linkup_mcp.errors import CHANNEL_REFUSED_HINT, LASTING, Code, read_api_error, sentences
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.sandbox.data import ME_ID
from linkup_mcp.spec.catalog import Catalog
from tests.conftest import runtime_on_sandbox, v2_error

pytestmark = pytest.mark.anyio

JANE = "https://www.linkedin.com/in/jane-doe"
ACME = "https://www.linkedin.com/company/acme"
CONNECTED = "You are already connected: write to them with messages_send instead."
PENDING = (
    "An invitation to them is already pending: wait for their answer, or withdraw it with network_withdraw "
    "(network_list_sent lists it)."
)
INVITED_YOU = "Accept it with network_accept (entity_urn and shared_secret from network_list_invitations)."

# tool, arguments, the API's message (CHANNEL_ERROR, HTTP 400), the code and advice the agent gets
REFUSALS = [
    (
        "network_invite",
        {"profile_url": JANE},
        "LinkedIn: Jane Doe is already a connection",
        "ALREADY_CONNECTED",
        CONNECTED,
    ),
    (
        "network_invite",
        {"profile_url": JANE},
        "An invitation to Jane Doe is already pending",
        "ALREADY_PENDING",
        PENDING,
    ),
    (
        "network_invite",
        {"profile_url": JANE},
        "LinkedIn: Jane Doe has already invited you",
        "ALREADY_PENDING",
        INVITED_YOU,
    ),
    (
        "messages_send",
        {"profile_url": JANE, "message_text": "Hi"},
        "LinkedIn: cannot message Jane Doe: not a 1st-degree connection",
        "NOT_CONNECTED",
        Code.NOT_CONNECTED.hint,
    ),
    (
        "profiles_get",
        {"profile_url": JANE},
        f"LinkedIn: profile not found or not accessible: {JANE}",
        "TARGET_NOT_FOUND",
        Code.TARGET_NOT_FOUND.hint,
    ),
    (
        "recruiter_publish_job",
        {"job_id": "4100000001"},
        "LinkedIn: job 4100000001 is not a draft (status OPEN); only draft jobs can be published",
        "JOB_NOT_DRAFT",
        Code.JOB_NOT_DRAFT.hint,
    ),
    (
        "content_create_company",
        {"company_url": ACME, "message": "Hello"},
        "LinkedIn: the account is not an admin of the page Acme",
        "NOT_PAGE_ADMIN",
        Code.NOT_PAGE_ADMIN.hint,
    ),
]


@pytest.mark.parametrize(
    ("tool", "args", "said", "code", "advice"), REFUSALS, ids=[r[3] + ":" + r[0] for r in REFUSALS]
)
async def test_a_lasting_state_has_its_code_and_one_sentence_of_advice(
    harness: Any, tool: str, args: dict[str, Any], said: str, code: str, advice: str
) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error("CHANNEL_ERROR", said)))
    result = await h.call(tool, args)
    assert len(h.requests) == 1  # the API's answer, not a local refusal
    assert result["error"] == {"code": code, "message": f"{said}. {advice}", "retryable": False, "http_status": 400}
    assert "retry" not in advice.lower()
    assert h.runtime.ledger.rows()[-1]["outcome"] == code  # the ledger keeps the refusal under its code


async def test_an_unknown_refusal_is_not_retryable_and_says_why(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error("CHANNEL_ERROR", "LinkedIn: you cannot invite yourself")))
    result = await h.call("network_invite", {"profile_url": JANE})
    assert result["error"] == {
        "code": "CHANNEL_ERROR",
        "message": "LinkedIn: you cannot invite yourself. " + CHANNEL_REFUSED_HINT,
        "retryable": False,
        "http_status": 400,
    }
    assert "repeating it unchanged will fail the same way" in CHANNEL_REFUSED_HINT


@pytest.mark.parametrize("status", [502, 503])
async def test_a_failure_of_linkedin_stays_retryable_whatever_its_words(harness: Any, status: int) -> None:
    """A 5xx is LinkedIn failing: never read as a lasting state (a read here: an outreach with a 5xx
    is OUTCOME_UNKNOWN, since it may have happened)."""
    said = "LinkedIn: profile not found or not accessible"
    h = harness(lambda r: httpx2.Response(status, json=v2_error("CHANNEL_ERROR", said)), max_retries=0)
    result = await h.call("profiles_get", {"profile_url": JANE})
    assert result["error"] == {
        "code": "CHANNEL_ERROR",
        "message": f"{said}. {Code.CHANNEL_ERROR.hint}",
        "retryable": True,
        "http_status": status,
    }


async def test_an_outreach_answered_5xx_stays_unknown(harness: Any) -> None:
    said = "LinkedIn: Jane Doe is already a connection"
    h = harness(lambda r: httpx2.Response(502, json=v2_error("CHANNEL_ERROR", said)), max_retries=0)
    result = await h.call("network_invite", {"profile_url": JANE})
    assert result["error"]["code"] == "OUTCOME_UNKNOWN" and result["error"]["retryable"] is False


@pytest.mark.parametrize(
    ("tool", "said", "code"),
    [
        ("network_invite", "Already connected with this member", "ALREADY_CONNECTED"),
        ("network_invite", "already a 1st degree connection", "ALREADY_CONNECTED"),
        ("network_invite", "ALREADY A FIRST-DEGREE CONNECTION", "ALREADY_CONNECTED"),
        ("network_invite", "Member is already in your network", "ALREADY_CONNECTED"),
        ("network_invite", "Invitation already sent", "ALREADY_PENDING"),
        ("network_invite", "You have a pending invitation to this member", "ALREADY_PENDING"),
        ("network_invite", "This member already invited you", "ALREADY_PENDING"),
        ("network_invite", "Jane sent you an invitation", "ALREADY_PENDING"),
        ("messages_send", "Recipient is not connected to you", "NOT_CONNECTED"),
        ("messages_send", "Not a first-degree connection", "NOT_CONNECTED"),
        ("messages_send", "not 1st degree", "NOT_CONNECTED"),
        ("messages_send", "Recipient must be a 1st-degree connection", "NOT_CONNECTED"),
        ("messages_send", "You can only message your connections", "NOT_CONNECTED"),
        ("messages_send", "LinkedIn account not connected", None),  # the account, not the recipient
        ("recruiter_publish_job", "Job is not in draft", "JOB_NOT_DRAFT"),
        ("recruiter_publish_job", "Job already published", "JOB_NOT_DRAFT"),
        ("recruiter_publish_job", "Only drafts can be published", "JOB_NOT_DRAFT"),
        ("content_comment", "User is not an admin of this company page", "NOT_PAGE_ADMIN"),
        ("content_create_company", "You must be a page admin to post", "NOT_PAGE_ADMIN"),
        ("profiles_get", "Profile not found", "TARGET_NOT_FOUND"),
        ("profiles_get_company", "Company page does not exist", "TARGET_NOT_FOUND"),
        ("content_like", "Post not visible to this account", "TARGET_NOT_FOUND"),
        ("profiles_get", "This member's profile is unavailable", "TARGET_NOT_FOUND"),
        ("profiles_get", "Unknown profile", "TARGET_NOT_FOUND"),
        # the same words where the state cannot arise, and refusals about something else
        ("messages_send", "Jane Doe is already a connection", None),
        ("network_invite", "not a 1st-degree connection", None),
        ("recruiter_close_job", "Job is not a draft", None),
        ("network_accept", "Invitation not found", None),
        ("recruiter_get_candidates", "Job not found: 1", "TARGET_NOT_FOUND"),  # a job id: any tool
        ("recruiter_publish_job", "No such job", "TARGET_NOT_FOUND"),
        ("recruiter_close_job", "Job 1 is not open (status DRAFT); nothing to close", None),
        ("network_invite", "LinkedIn weekly invitation limit reached", None),
    ],
)
def test_the_words_are_read_leniently_and_only_where_they_apply(tool: str, said: str, code: str | None) -> None:
    assert read_api_error(tool, "CHANNEL_ERROR", said, 400)[0] == (code or "CHANNEL_ERROR")


def test_only_refusals_are_read() -> None:
    said = "Jane Doe is already a connection"
    assert read_api_error("network_invite", "INVALID_PARAMS", said, 400)[0] == "ALREADY_CONNECTED"
    for code, status in [("CHANNEL_ERROR", 429), ("CHANNEL_ERROR", 502), ("INTERNAL_ERROR", 400), ("X", 400)]:
        assert read_api_error("network_invite", code, said, status)[0] == code


def test_every_lasting_state_is_a_non_retryable_code_with_advice() -> None:
    assert {rule.code for rule in LASTING} == {
        Code.ALREADY_CONNECTED,
        Code.ALREADY_PENDING,
        Code.NOT_CONNECTED,
        Code.TARGET_NOT_FOUND,
        Code.JOB_NOT_DRAFT,
        Code.NOT_PAGE_ADMIN,
    }
    for rule in LASTING:
        advice = rule.advice or rule.code.hint
        assert rule.code.retryable is False and advice.endswith(".") and advice.count(". ") == 0, rule


@pytest.mark.parametrize("code", [c.value for c in Code] + ["SOMETHING_NEW"])
@pytest.mark.parametrize("said", ["API says no", "API says no.", "  API says no (see docs)  ", ""])
async def test_the_message_and_the_advice_never_run_together(harness: Any, code: str, said: str) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error(code, said)))
    message = (await h.call("profiles_get", {"profile_url": JANE}))["error"]["message"]
    first = said.strip()
    assert message.startswith(first)
    rest = message[len(first) :]
    if first:
        assert first.endswith(".") or rest.startswith("."), message  # a period closes the API's sentence
    assert message == message.strip() and "  " not in message and ".." not in message
    assert message == "" or message.endswith((".", "?", "!"))


def test_sentences() -> None:
    assert sentences("LinkedIn: Jane is already a connection", "Write to her.") == (
        "LinkedIn: Jane is already a connection. Write to her."
    )
    assert sentences("Done!", "", "  next step  ") == "Done! next step."
    assert sentences("It failed (see 'x'.)", "Retry.") == "It failed (see 'x'.) Retry."
    assert sentences("It said 'no'", "Retry.") == "It said 'no'. Retry."
    assert sentences("It failed:", "Retry.") == "It failed. Retry."
    assert sentences() == ""


# -- the sandbox really produces each state ---------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


async def test_the_sandbox_answers_each_state_and_the_agent_gets_its_code(
    catalog: Catalog, sandbox: SandboxServer
) -> None:
    state = sandbox.state
    state.reset()
    world = state.world
    friend = world.people[min(world.connections)]
    stranger = next(
        p
        for p in world.people.values()
        if p.id != ME_ID
        and p.id not in world.connections
        and all(i.person_id != p.id for i in world.invitations.values())
    )
    sent_to = world.people[next(i.person_id for i in world.invitations.values() if i.direction == "sent")]
    inviter = world.people[next(i.person_id for i in world.invitations.values() if i.direction == "received")]
    by_status = {job.status: job.job_id for job in world.jobs.values()}
    foreign_page = next(c for c in world.companies.values() if c.slug != world.me.company)
    expected = [
        ("network_invite", {"profile_url": friend.profile_url}, "ALREADY_CONNECTED", f"{friend.full_name} is already"),
        ("network_invite", {"profile_url": sent_to.profile_url}, "ALREADY_PENDING", "an invitation to"),
        ("network_invite", {"profile_url": inviter.profile_url}, "ALREADY_PENDING", f"{inviter.full_name} has"),
        ("messages_send", {"profile_url": stranger.profile_url, "message_text": "Hi"}, "NOT_CONNECTED", "cannot"),
        ("recruiter_publish_job", {"job_id": by_status["OPEN"]}, "JOB_NOT_DRAFT", "job"),
        ("recruiter_publish_job", {"job_id": by_status["CLOSED"]}, "JOB_NOT_DRAFT", "job"),
        ("profiles_get", {"profile_url": "https://www.linkedin.com/in/nobody-here-xyz"}, "TARGET_NOT_FOUND", "profile"),
        ("content_create_company", {"company_url": foreign_page.url, "message": "Hi"}, "NOT_PAGE_ADMIN", "the account"),
    ]
    rt = runtime_on_sandbox(catalog, sandbox.base_url, sandbox.config.api_key, sandbox.config.account_id)
    try:
        for tool, args, code, start in expected:
            before = len(state.requests)
            result = await rt.call(tool, args)
            assert len(state.requests) == before + 1, (tool, result)  # the sandbox's answer, not a local one
            error = result["error"]
            assert (error["code"], error["retryable"], error["http_status"]) == (code, False, 400), (tool, error)
            assert error["message"].startswith("LinkedIn: " + start), error
            assert ". " in error["message"] and error["message"].endswith("."), error
            assert rt.ledger.rows()[-1]["outcome"] == code
    finally:
        assert rt.client is not None
        await rt.client.aclose()
    assert state.balance == sandbox.config.initial_credits  # refusals cost nothing
    assert [j.status for j in world.jobs.values()].count("DRAFT") == 1  # nothing was published
    conversations = [c for c in world.conversations.values() if c.person_id == stranger.id]
    assert conversations == []
