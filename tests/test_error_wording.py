"""What the agent reads when a call fails: whole sentences, each saying something the others do
not, advice that fits the case (fewer results only where the cost counts them, a reset only where
one comes), and `retryable` meaning "the same call, soon, unchanged, may pass". Exact texts through
a MockTransport, the stores' wording functions, and the sandbox (its messages, and data the key
masking leaves alone)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx2
import pytest

from linkup_mcp.call.outcome import unknown_outcome
from linkup_mcp.call.outreach import Guards
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.config import parse_pacing
from linkup_mcp.errors import LASTING, Code, is_retryable, sentences
from linkup_mcp.redact import Redactor
from linkup_mcp.sandbox import SandboxServer
from linkup_mcp.sandbox.config import SandboxConfig
from linkup_mcp.sandbox.data import generate_world
from linkup_mcp.spec.catalog import Catalog, default_actions
from linkup_mcp.store.records import Admission, budget_refusal, pacing_refusal
from tests.conftest import runtime_on_sandbox, v2_error, v2_success

pytestmark = pytest.mark.anyio

JANE = "https://www.linkedin.com/in/jane-doe"
SEND = {"profile_url": JANE, "message_text": "Hello Jane"}
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc).timestamp()
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_FILLER = {"a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is"}
_FILLER |= {"are", "be", "been", "it", "its", "this", "that"}


def words(sentence: str) -> set[str]:
    found = {w for w in re.findall(r"[a-z0-9_]+", sentence.lower()) if w not in _FILLER and len(w) > 1}
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in found}


def repeats(message: str) -> list[tuple[str, str]]:
    """Pairs of sentences of `message` where one says nothing the other does not."""
    parts = [s for s in _SENTENCE.split(message) if words(s)]
    return [(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :] if words(a) <= words(b) or words(b) <= words(a)]


def test_repeats_finds_the_reviewed_ones() -> None:
    """The detector the checks below rely on catches what the review found."""
    assert repeats("Rate limit exceeded. Retry later. Wait and retry later.")
    assert repeats(
        "LinkedIn: job 1 is not a draft (status OPEN); only draft jobs can be published. Only draft jobs can be "
        "published."
    )
    assert not repeats("Insufficient credits: this request costs 5, balance is 3. Check the balance with credits_get.")


# -- 1. OUTCOME_UNKNOWN: the spec's verify_with reads as a sentence --------------------------------


async def test_an_unknown_send_says_how_to_check_in_a_sentence(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(502, json=v2_error("INTERNAL_ERROR", "Upstream failed")), max_retries=0)
    error = (await h.call("messages_send", SEND))["error"]
    assert error == {
        "code": "OUTCOME_UNKNOWN",
        "message": "LinkupAPI answered HTTP 502 INTERNAL_ERROR (Upstream failed). The action may or may not have "
        "happened; it was not retried. Before calling messages_send again, check: messages_get_conversation "
        "(profile_url) shows whether the message arrived.",
        "retryable": False,
        "http_status": None,
    }


def test_every_verify_with_and_the_default_read_as_a_sentence(catalog: Catalog) -> None:
    side_effects = [t for t in catalog.tools.values() if not t.action.read_only]
    with_check = [t for t in side_effects if t.action.spec.verify_with]
    assert len(with_check) >= 15 and len(with_check) < len(side_effects)  # both kinds are covered
    for tool in side_effects:
        message = unknown_outcome(tool, "No answer from LinkupAPI (timeout: read).").message
        verify = tool.action.spec.verify_with
        check = f"check: {verify}." if verify else "check whether it happened with the matching list or get tool."
        assert message == (
            "No answer from LinkupAPI (timeout: read). The action may or may not have happened; it was not "
            f"retried. Before calling {tool.name} again, {check}"
        ), tool.name
        assert "Check with" not in message and not repeats(message), message


# -- 2. BUDGET_EXCEEDED: advice that fits the cost rule ------------------------------------------


async def test_a_flat_price_over_the_process_budget_is_not_told_to_ask_for_fewer(harness: Any) -> None:
    h = harness(max_credits=0)
    for tool, args, rule in [
        ("profiles_get", {"profile_url": JANE}, "1 credit per call"),
        ("messages_send", SEND, "1 credit per call; +1 with media_link, media_file or media_path"),
    ]:
        error = (await h.call(tool, args))["error"]
        assert error["code"] == "BUDGET_EXCEEDED" and error["retryable"] is False
        assert error["message"] == (
            f"This call is estimated at 1 credit ({rule}) but only 0 of the LINKUP_MAX_CREDITS budget (0) is left. "
            "This budget does not reset while the server runs: only a higher LINKUP_MAX_CREDITS, set by the user, "
            "lets it through."
        )
    assert h.requests == []


async def test_a_count_over_the_process_budget_is_told_how_many_results_fit(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(200, json=v2_success({"results": []}, credits=5)), max_credits=5)
    error = (await h.call("profiles_search_people", {"keyword": "cto", "total_results": 100}))["error"]
    assert error["message"] == (
        "This call is estimated at 10 credits (1 credit per 10 results (total_results, default 10), rounded up) "
        "but only 5 of the LINKUP_MAX_CREDITS budget (5) is left. Ask for at most 50 results (total_results), or "
        "ask the user for a higher LINKUP_MAX_CREDITS."
    )
    assert (await h.call("profiles_search_people", {"keyword": "cto", "total_results": 50}))["ok"] is True
    nothing_left = await h.call("profiles_search_people", {"keyword": "cto", "total_results": 20})
    assert nothing_left["error"]["message"].endswith(
        "only 0 of the LINKUP_MAX_CREDITS budget (5) is left. This budget does not reset while the server runs: "
        "only a higher LINKUP_MAX_CREDITS, set by the user, lets it through."
    )


def admission(tool: str, estimated: int, **more: Any) -> Admission:
    """As call/outreach.admission fills it: the tool's cost rule from its spec."""
    action = next((a for a in default_actions() if a.tool == tool), None)
    per = action.spec.credits.per_results if action else None
    return Admission(tool=tool, account="acc_1", estimated=estimated, args_digest="d", per_results=per, **more)


def test_the_daily_budget_refusal_fits_the_cost_rule() -> None:
    flat = budget_refusal(admission("profiles_get", 1, daily_budget=10), 0, NOON)
    assert (flat.code, flat.message) == (
        "BUDGET_EXCEEDED",
        "This call is estimated at 1 credit but only 0 of the daily budget (LINKUP_DAILY_CREDITS=10) is left today "
        "(UTC). It resets at 2026-12-08T00:00:00Z; until then only a higher LINKUP_DAILY_CREDITS, set by the user, "
        "lets it through.",
    )
    counted = budget_refusal(admission("profiles_search_people", 10, daily_budget=10), 3, NOON)
    assert counted.message == (
        "This call is estimated at 10 credits but only 3 of the daily budget (LINKUP_DAILY_CREDITS=10) is left "
        "today (UTC). Ask for at most 30 results (total_results), wait for the reset at 2026-12-08T00:00:00Z, or "
        "ask the user for a higher LINKUP_DAILY_CREDITS."
    )
    spent = budget_refusal(admission("messages_list_inbox", 2, daily_budget=10), 0, NOON)
    assert "fewer" not in spent.message and "at most" not in spent.message  # nothing fits, however few
    unknown = budget_refusal(admission("not_a_packaged_tool", 2, daily_budget=10), 1, NOON)
    assert "at most" not in unknown.message
    for refusal in (flat, counted, spent):
        assert "1 credits" not in refusal.message and not repeats(refusal.message)


async def test_the_daily_budget_refusal_through_the_runtime(harness: Any) -> None:
    h = harness()
    h.runtime.guards = Guards(daily_credits=0)
    error = (await h.call("messages_send", SEND))["error"]
    assert error["code"] == "BUDGET_EXCEEDED" and error["retryable"] is False and h.requests == []
    assert error["message"].startswith(
        "This call is estimated at 1 credit but only 0 of the daily budget (LINKUP_DAILY_CREDITS=0) is left today "
        "(UTC). It resets at "
    )
    assert error["message"].endswith(
        "; until then only a higher LINKUP_DAILY_CREDITS, set by the user, lets it through."
    )


# -- 3. PACING_LIMIT with a cap of 0 ---------------------------------------------------------------


def test_a_cap_of_zero_says_the_kind_is_blocked_not_that_it_resets() -> None:
    blocked = pacing_refusal(admission("network_invite", 1, kind="invitation", kind_cap=0), 0, NOON)
    assert (blocked.code, blocked.message) == (
        "PACING_LIMIT",
        "LINKUP_PACING blocks invitation outreach for this server (invitation=0), for every account and with no "
        "daily reset; only the user can set a cap above 0.",
    )
    reached = pacing_refusal(admission("network_invite", 1, kind="invitation", kind_cap=20), 20, NOON)
    assert reached.message == (
        "Daily invitation cap reached for account acc_1: 20 of 20 today (UTC). It resets at 2026-12-08T00:00:00Z. "
        "Raise it with LINKUP_PACING if you accept the account-safety risk."
    )


async def test_a_cap_of_zero_through_the_runtime(harness: Any) -> None:
    h = harness()
    h.runtime.guards = Guards(pacing=parse_pacing("invitation=0"))
    error = (await h.call("network_invite", {"profile_url": JANE}))["error"]
    assert error == {
        "code": "PACING_LIMIT",
        "message": "LINKUP_PACING blocks invitation outreach for this server (invitation=0), for every account and "
        "with no daily reset; only the user can set a cap above 0.",
        "retryable": False,
        "http_status": None,
    }
    assert h.requests == []


# -- 4. advice that repeats the API's message --------------------------------------------------------


def test_an_advice_sentence_the_message_already_says_is_left_out() -> None:
    assert sentences("Rate limit exceeded. Retry later", "Retry later.") == "Rate limit exceeded. Retry later."
    assert sentences(
        "Job not found: 7 (list job posts with recruiter_get_posts)", "List job posts with recruiter_get_posts."
    ) == ("Job not found: 7 (list job posts with recruiter_get_posts).")
    # only the sentence already said goes; the rest of the advice stays
    assert sentences("Insufficient credits. Top up at app.linkupapi.com.", Code.INSUFFICIENT_CREDITS.hint) == (
        "Insufficient credits. Top up at app.linkupapi.com. Check the balance with credits_get."
    )
    # a new word (a figure, a tool) keeps the sentence; the API's own message is never cut
    assert sentences("Retry later. Retry later.", "Retry after 30 s.") == "Retry later. Retry later. Retry after 30 s."
    assert sentences("Job not found", "List job posts with recruiter_get_posts.") == (
        "Job not found. List job posts with recruiter_get_posts."
    )
    assert sentences("", "Retry later.") == "Retry later."


@pytest.mark.parametrize(
    ("code", "said", "message"),
    [
        (
            "RATE_LIMITED",
            "Rate limit exceeded: 300 requests per minute per API key. Retry later.",
            "Rate limit exceeded: 300 requests per minute per API key. Retry later. Wait up to a minute before "
            "calling again.",
        ),
        (
            "INSUFFICIENT_CREDITS",
            "Insufficient credits: this request costs 1, balance is 0. Top up at app.linkupapi.com.",
            "Insufficient credits: this request costs 1, balance is 0. Top up at app.linkupapi.com. Check the "
            "balance with credits_get.",
        ),
        (
            "ACCOUNT_INACTIVE",
            "Account acc_1 is inactive",
            "Account acc_1 is inactive. Reconnecting it is the user's step (app.linkupapi.com or linkup-mcp login); "
            "accounts_get shows when the account is connected again.",
        ),
    ],
)
async def test_the_api_codes_hints_add_to_the_message(harness: Any, code: str, said: str, message: str) -> None:
    status = {"RATE_LIMITED": 429, "INSUFFICIENT_CREDITS": 402, "ACCOUNT_INACTIVE": 403}[code]
    h = harness(lambda r: httpx2.Response(status, json=v2_error(code, said)), max_retries=0)
    error = (await h.call("profiles_get", {"profile_url": JANE}))["error"]
    assert (error["code"], error["message"]) == (code, message)
    assert not repeats(error["message"])


async def test_a_retry_after_is_said_once(harness: Any) -> None:
    said = "Rate limit exceeded. Retry later."
    h = harness(lambda r: httpx2.Response(429, json=v2_error("RATE_LIMITED", said), headers={"Retry-After": "7"}))
    error = (await h.call("profiles_get", {"profile_url": JANE}))["error"]
    assert error["message"] == "Rate limit exceeded. Retry later. LinkupAPI asks to wait 7 s before the next call."
    h = harness(lambda r: httpx2.Response(429, text="slow down", headers={"Retry-After": "2"}), max_retries=0)
    error = (await h.call("profiles_get", {"profile_url": JANE}))["error"]
    assert error["message"] == "Rate limited by LinkupAPI. LinkupAPI asks to wait 2 s before the next call."


async def test_they_invited_you_starts_with_the_action(harness: Any) -> None:
    said = "LinkedIn: Jane Doe has already invited you"
    h = harness(lambda r: httpx2.Response(400, json=v2_error("CHANNEL_ERROR", said)))
    error = (await h.call("network_invite", {"profile_url": JANE}))["error"]
    assert error["message"] == (
        "LinkedIn: Jane Doe has already invited you. Accept it with network_accept (entity_urn and shared_secret "
        "from network_list_invitations)."
    )


def test_no_lasting_advice_repeats_what_its_words_say() -> None:
    """Each rule's advice says what to do, not the state its words already named."""
    samples = {
        "ALREADY_CONNECTED": "Jane Doe is already a connection",
        "ALREADY_PENDING": "An invitation to Jane Doe is already pending; Jane Doe has already invited you",
        "NOT_CONNECTED": "cannot message Jane Doe: not a 1st-degree connection",
        "TARGET_NOT_FOUND": "profile not found or not accessible; job not found",
        "JOB_NOT_DRAFT": "job 1 is not a draft (status OPEN); only draft jobs can be published",
        "NOT_PAGE_ADMIN": "the account is not an admin of the page Acme",
    }
    for rule in LASTING:
        message = sentences(samples[rule.code], rule.advice or rule.code.hint)
        assert not repeats(message), message


# -- 5. a job that does not exist ----------------------------------------------------------------


async def test_job_not_found_is_a_lasting_code_naming_the_tool(harness: Any) -> None:
    h = harness(lambda r: httpx2.Response(400, json=v2_error("INVALID_PARAMS", "Job not found")))
    error = (await h.call("recruiter_publish_job", {"job_id": "9999999999"}))["error"]
    assert error == {
        "code": "TARGET_NOT_FOUND",
        "message": "Job not found. List job posts with recruiter_get_posts.",
        "retryable": False,
        "http_status": 400,
    }


# -- 6. retryable: the same call, soon, unchanged --------------------------------------------------


def test_retryable_means_soon_and_unchanged() -> None:
    for code in ("RATE_LIMITED", "INTERNAL_ERROR", "TIMEOUT", "NETWORK_ERROR", "BAD_RESPONSE"):
        assert is_retryable(code), code
    # they pass only once something changes (a reset, a reconnection, a top-up, a setting)
    for code in ("PACING_LIMIT", "BUDGET_EXCEEDED", "ACCOUNT_INACTIVE", "INSUFFICIENT_CREDITS", "RECIPIENT_LIMIT"):
        assert not is_retryable(code), code
    for code in Code:
        if not code.retryable:
            assert "retry" not in code.hint.lower(), code  # advice never contradicts the flag


# -- the sandbox: its messages, and data the key masking leaves alone -------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
async def sandbox_runtime(catalog: Catalog, sandbox: SandboxServer) -> Any:
    sandbox.state.reset()
    rt = runtime_on_sandbox(catalog, sandbox.base_url, sandbox.config.api_key, sandbox.config.account_id)
    try:
        yield rt
    finally:
        assert rt.client is not None
        await rt.client.aclose()
        sandbox.state.clear_faults()


async def test_the_sandbox_messages_read_once(sandbox: SandboxServer, sandbox_runtime: Runtime) -> None:
    rt, state = sandbox_runtime, sandbox.state
    world = state.world
    inviter = world.people[next(i.person_id for i in world.invitations.values() if i.direction == "received")]
    open_job = next(j.job_id for j in world.jobs.values() if j.status == "OPEN")

    async def error(tool: str, args: dict[str, Any]) -> dict[str, Any]:
        result = await rt.call(tool, args)
        assert not result["ok"], result
        assert not repeats(result["error"]["message"]), result["error"]["message"]
        return dict(result["error"])

    assert await error("recruiter_publish_job", {"job_id": "9999999999"}) == {
        "code": "TARGET_NOT_FOUND",
        "message": "Job not found: 9999999999 (list job posts with recruiter_get_posts).",
        "retryable": False,
        "http_status": 400,
    }
    assert (await error("recruiter_publish_job", {"job_id": open_job}))["message"] == (
        f"LinkedIn: job {open_job} is not a draft (status OPEN); only draft jobs can be published. Drafts are made "
        "in LinkedIn Recruiter (no tool here creates one); recruiter_get_posts shows each job post's status."
    )
    assert (await error("network_invite", {"profile_url": inviter.profile_url}))["message"] == (
        f"LinkedIn: {inviter.full_name} has already invited you. Accept it with network_accept (entity_urn and "
        "shared_secret from network_list_invitations)."
    )
    state.add_fault("429-no-retry-after")
    assert (await error("profiles_get_me", {}))["message"] == (
        "Rate limit exceeded: 300 requests per minute per API key. Retry later. Wait up to a minute before calling "
        "again."
    )
    state.add_fault("429")
    assert (await error("profiles_get_me", {}))["message"] == (
        "Rate limit exceeded: 300 requests per minute per API key. Retry later. LinkupAPI asks to wait 1 s before "
        "the next call."
    )
    state.set_balance(0)
    assert (await error("profiles_get_me", {}))["message"] == (
        "Insufficient credits: this request costs 1, balance is 0. Top up at app.linkupapi.com. Check the balance "
        "with credits_get."
    )
    state.set_balance(sandbox.config.initial_credits)
    inactive = await rt.call("profiles_get_me", {"account_id": "acc_inactive"})
    assert inactive["error"]["message"] == (
        "Account acc_inactive is inactive: reconnect it with POST /v2/login. Reconnecting it is the user's step "
        "(app.linkupapi.com or linkup-mcp login); accounts_get shows when the account is connected again."
    )


async def test_the_sandbox_names_tools_where_it_gives_advice(sandbox: SandboxServer, sandbox_runtime: Runtime) -> None:
    world = sandbox.state.world
    inviter = world.people[next(i.person_id for i in world.invitations.values() if i.direction == "received")]
    check = await sandbox_runtime.call("network_check_invitation", {"profile_url": inviter.profile_url})
    assert check["data"]["message"] == f"{inviter.full_name} invited you; accept it with network_accept."
    for tool, args, named in [
        ("recruiter_get_candidates", {"job_id": "1"}, "recruiter_get_posts"),
        ("messages_get_conversation", {"conversation_id": "nope"}, "messages_list_inbox"),
        ("network_withdraw", {"invitation_id": "nope"}, "network_list_sent"),
        ("recruiter_get_cv", {"application_id": "nope"}, "recruiter_get_candidates"),
    ]:
        result = await sandbox_runtime.call(tool, args)
        assert named in result["error"]["message"], (tool, result["error"])


def test_the_sandbox_key_cannot_mask_sandbox_data() -> None:
    """The redactor masks any 8-character piece of the key: none may occur in the world's data."""
    key = SandboxConfig().api_key
    assert "sandbox" in key  # obviously a sandbox key
    world = generate_world(SandboxConfig().seed)
    fields = {f.name: getattr(world, f.name) for f in dataclasses.fields(world) if f.name != "rng"}
    text = json.dumps(fields, default=lambda v: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else str(v))
    assert "sandbox-labs" in text and not Redactor([key]).found_in(text)


async def test_the_accounts_company_url_comes_back_whole(sandbox_runtime: Runtime) -> None:
    me = await sandbox_runtime.call("profiles_get_me", {})
    urls = [e["company_url"] for e in me["data"]["experience"]]
    assert "https://www.linkedin.com/company/sandbox-labs/" in urls
    assert "***" not in json.dumps(me)
