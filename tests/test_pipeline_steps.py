"""Each step of the call pipeline alone, with a fake `next`: what it refuses, what it lets
through, and what it records (the end-to-end behaviour is in test_call_pipeline.py)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from linkup_mcp.call import pipeline
from linkup_mcp.call.context import Call
from linkup_mcp.call.outcome import Outcome
from linkup_mcp.call.runtime import Runtime
from linkup_mcp.call.steps import account, autopage, budget, cache, confirm, drift, ledger, outreach, shape, validate
from linkup_mcp.call.steps.account import account_of

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"


class FakeNext:
    """Stands for the rest of the pipeline: records the calls it got and answers `outcome`."""

    def __init__(self, outcome: Outcome | None = None, fail: BaseException | None = None):
        self.calls: list[Call] = []
        self.outcome = outcome or Outcome(data={"ok": 1}, charged=1)
        self.fail = fail

    async def __call__(self, call: Call) -> Outcome:
        self.calls.append(call)
        if self.fail is not None:
            call.sending = True
            raise self.fail
        return self.outcome


def make_call(rt: Runtime, tool: str, args: dict[str, Any], **more: Any) -> Call:
    compiled = rt.catalog.tools[tool]
    return Call(rt, compiled, args, account=account_of(compiled.action, args, rt.default_account), **more)


def rows(rt: Runtime) -> list[tuple[str, str, int, int]]:
    return [(r["tool"], r["outcome"], r["estimated"], r["charged"]) for r in rt.ledger.rows()]


def test_the_order_is_the_documented_one() -> None:
    names = [step.__module__.rsplit(".", 1)[1] for step in pipeline.STEPS]
    assert names == [
        "shape",
        "validate",
        "account",
        "cache",
        "autopage",
        "budget",
        "outreach",
        "ledger",
        "confirm",
        "drift",
        "send",
    ]
    documented = [line.split()[0] for line in pipeline.__doc__.split("Outermost first:")[1].strip().splitlines()[:11]]
    assert documented == names


async def test_validate_refuses_bad_arguments_before_anything_else(harness: Any) -> None:
    rt, after = harness().runtime, FakeNext()
    done = await validate.step(make_call(rt, "profiles_get", {"nope": 1}), after)
    assert after.calls == [] and done.error is not None and done.error.code == "VALIDATION_ERROR"
    assert [f["field"] for f in done.error.fields or []] == ["profile_url", "nope"]
    assert rows(rt) == [("profiles_get", "VALIDATION_ERROR", 0, 0)]


async def test_validate_refuses_a_fields_path_the_documented_answer_cannot_have(harness: Any) -> None:
    rt, after = harness().runtime, FakeNext(Outcome(data={"viewers": []}))
    done = await validate.step(make_call(rt, "profiles_get_viewers", {"fields": ["viewers.titel"]}), after)
    assert after.calls == [] and done.error is not None and done.error.code == "VALIDATION_ERROR"
    assert [f["field"] for f in done.error.fields or []] == ["fields"]
    assert "'viewers.titel' (did you mean viewers.title?)" in done.error.message
    ok = await validate.step(make_call(rt, "profiles_get_viewers", {"fields": ["viewers.title"]}), after)
    assert ok.error is None and len(after.calls) == 1
    # an assumed answer (documented: false): any path goes through to the API
    await validate.step(make_call(rt, "profiles_get_company", {"company_url": "u", "fields": ["x.y"]}), after)
    assert len(after.calls) == 2


async def test_account_needs_a_key_and_an_acting_account(harness: Any) -> None:
    rt, after = harness(account=None).runtime, FakeNext()
    done = await account.step(make_call(rt, "messages_send", {"profile_url": PROFILE, "message_text": "Hi"}), after)
    assert done.error is not None and done.error.code == "NOT_CONFIGURED" and after.calls == []
    assert "LINKUP_ACCOUNT_ID" in done.error.message
    assert (await account.step(make_call(rt, "credits_get", {}), after)).data == {"ok": 1}  # no account needed
    rt.client = None
    done = await account.step(make_call(rt, "credits_get", {}), after)
    assert done.error is not None and done.error.message.startswith("LINKUP_API_KEY is not set")


async def test_cache_answers_a_fresh_read_again_without_next(harness: Any) -> None:
    rt = harness().runtime
    after = FakeNext(Outcome(data={"name": "Jane"}, charged=1))
    first = await cache.step(make_call(rt, "profiles_get", {"profile_url": PROFILE}), after)
    second = await cache.step(make_call(rt, "profiles_get", {"profile_url": PROFILE}), after)
    assert len(after.calls) == 1
    assert first.extras["cache"] == {"hit": False, "age_s": 0}
    assert (second.data, second.charged, second.extras["cache"]["hit"]) == ({"name": "Jane"}, 0, True)
    await cache.step(make_call(rt, "profiles_get", {"profile_url": PROFILE, "fresh": True}), after)
    assert len(after.calls) == 2
    assert rows(rt) == [("profiles_get", "CACHE_HIT", 0, 0)]  # the paid calls are the ledger step's rows


async def test_budget_estimates_and_refuses_above_the_per_call_cap(harness: Any) -> None:
    rt, after = harness().runtime, FakeNext()
    call = make_call(rt, "profiles_search_people", {"total_results": 1000})
    done = await budget.step(call, after)
    assert after.calls == [] and done.error is not None and done.error.code == "BUDGET_EXCEEDED"
    assert call.estimated == done.estimated == 100
    call = make_call(rt, "profiles_search_people", {"total_results": 30})
    assert (await budget.step(call, after)).estimated == 3 and after.calls == [call]


async def test_outreach_previews_then_sends_with_the_token(harness: Any) -> None:
    rt, after = harness().runtime, FakeNext()
    rt.confirm_mode = "preview"
    args = {"profile_url": PROFILE, "message_text": "Hi Jane"}
    shown = await outreach.step(make_call(rt, "messages_send", args, estimated=1), after)
    assert after.calls == [] and shown.data["sent"] is False and shown.extras == {"preview": True}
    token = shown.data["confirm_token"]
    await outreach.step(make_call(rt, "messages_send", {**args, "confirm_token": token}), after)
    assert len(after.calls) == 1
    again = await outreach.step(make_call(rt, "messages_send", {**args, "confirm_token": token}), after)
    assert again.error is not None and again.error.code == "CONFIRM_TOKEN_INVALID" and len(after.calls) == 1
    assert [r[1] for r in rows(rt)] == ["PREVIEW", "CONFIRM_TOKEN_INVALID"]


async def test_ledger_records_an_interrupted_send_as_outcome_unknown(harness: Any) -> None:
    rt = harness().runtime
    call = make_call(rt, "messages_send", {"profile_url": PROFILE, "message_text": "Hi"}, estimated=1)
    with pytest.raises(anyio.get_cancelled_exc_class()):
        await ledger.step(call, FakeNext(fail=anyio.get_cancelled_exc_class()()))
    assert rows(rt) == [("messages_send", "OUTCOME_UNKNOWN", 1, 1)]
    assert rt.meter.spent == 1  # it may have happened: its estimate stays spent
    again = await ledger.step(make_call(rt, "messages_send", dict(call.args), estimated=1), FakeNext())
    assert again.error is not None and again.error.code == "DUPLICATE_SUPPRESSED"


async def test_confirm_sends_nothing_unless_the_human_accepts(harness: Any) -> None:
    rt, after = harness().runtime, FakeNext()
    rt.confirm_mode = "outreach"
    asked: list[str] = []

    async def decline(text: str) -> Any:
        asked.append(text)
        return "decline"

    args = {"profile_url": PROFILE, "message_text": "Hi"}
    done = await confirm.step(make_call(rt, "messages_send", args, confirm=decline, estimated=1), after)
    assert after.calls == [] and done.error is not None and done.error.code == "DECLINED"
    assert asked == [
        f"Send a LinkedIn message (messages_send) as account acc_1, about 1 credit(s):\n  profile_url: {PROFILE}\n  message_text: Hi\nSend it?"
    ]
    done = await confirm.step(make_call(rt, "profiles_get", {"profile_url": PROFILE}), after)  # reads: never asked
    assert len(after.calls) == 1 and len(asked) == 1


async def test_shape_keeps_only_the_fields_asked_for(harness: Any) -> None:
    rt = harness().runtime
    after = FakeNext(Outcome(data={"results": [{"name": "A", "x": 1}, {"name": "B", "x": 2}]}, next_args={"offset": 2}))
    call = make_call(rt, "profiles_search_people", {"fields": ["results.name"]})
    done = await shape.step(call, after)
    assert done.data == {"results": [{"name": "A"}, {"name": "B"}]}
    assert done.extras["has_more"] is True and done.extras["shaped"]["unmatched"] == []


async def test_autopage_sends_each_page_through_the_rest_and_shrinks_the_last(harness: Any) -> None:
    rt = harness().runtime
    pages: list[dict[str, Any]] = []

    async def page(call: Call) -> Outcome:
        pages.append(dict(call.args))
        n, offset = call.args["count"], call.args.get("offset", 0)
        more = {"next_offset": offset + n, "has_more": True}
        return Outcome(data={"invitations": [{}] * n, "pagination": more}, charged=-(-n // 10), estimated=-(-n // 10))

    call = make_call(rt, "network_list_invitations", {"count": 20, "max_credits": 5})
    done = await autopage.step(call, page)
    assert [(p["count"], p.get("offset", 0)) for p in pages] == [(20, 0), (20, 20), (10, 40)]  # the last shrinks
    assert done.extras["auto_pages"] == {"pages": 3, "results": 50, "credits": 5, "stopped": "max_credits"}
    assert done.next_args == {"count": 10, "offset": 50}


class SendingNext(FakeNext):
    """The rest of the pipeline up to an answer from LinkupAPI (the request left)."""

    async def __call__(self, call: Call) -> Outcome:
        call.sending = True
        return await super().__call__(call)


VALID = {"email": "a@b.co", "is_valid": True, "is_catch_all": False, "reachability": "safe",
         "is_deliverable": True, "syntax_valid": True}  # fmt: skip


async def test_drift_lets_a_documented_answer_through_unmarked(harness: Any) -> None:
    rt = harness().runtime
    done = await drift.step(
        make_call(rt, "mail_validate_email", {"email": "a@b.co"}), SendingNext(Outcome(VALID, charged=1))
    )
    assert "drift" not in done.extras and rt.drift_log.recent() == []


async def test_drift_marks_and_records_a_renamed_field_and_an_extra_credit(harness: Any) -> None:
    rt = harness().runtime
    answer = {**{k: v for k, v in VALID.items() if k != "reachability"}, "verdict": "safe"}
    done = await drift.step(
        make_call(rt, "mail_validate_email", {"email": "a@b.co"}), SendingNext(Outcome(answer, charged=2))
    )
    expected = ["renamed data.reachability -> data.verdict", "credits: charged 2, the rule gives 1"]
    assert done.extras["drift"] == expected and done.data == answer  # the data is the API's, unchanged
    [row] = rt.drift_log.recent()
    assert (row["tool"], row["differences"]) == ("mail_validate_email", expected)


async def test_drift_reads_list_charges_from_what_came_back(harness: Any) -> None:
    rt = harness().runtime
    rows_ = [{"name": "A", "job_title": None, "profile_url": "u", "profile_picture": None}] * 60
    page = {"connections": rows_, "total_results": 60, "total_available_results": 60,
            "pagination": {"offset": 0, "count": 60, "next_offset": None, "has_more": False,
                           "results_per_page": 100, "pages_fetched": 1}}  # fmt: skip
    call = make_call(rt, "network_list_connections", {"count": 100})
    assert "drift" not in (await drift.step(call, SendingNext(Outcome(page, charged=2)))).extras  # 60 / 50
    assert (await drift.step(call, SendingNext(Outcome(page, charged=1)))).extras["drift"] == [
        "credits: charged 1, the rule gives 2"
    ]


async def test_drift_ignores_what_never_reached_the_api(harness: Any) -> None:
    rt = harness().runtime
    done = await drift.step(make_call(rt, "mail_validate_email", {"email": "a@b.co"}), FakeNext(Outcome({"x": 1})))
    assert "drift" not in done.extras
