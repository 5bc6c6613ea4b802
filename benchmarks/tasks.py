"""What users pay per task: scripted agent tasks over stdio against the sandbox with real latency.

    uv run python benchmarks/tasks.py [--latency 0.3 --latency-max 1.5] [--before PATH] [--only NAME ...]

Each task runs in a fresh `python -m linkup_mcp` (stdio, raw JSON-RPC lines) against a fresh
sandbox (linkup_mcp/sandbox) in a process of its own whose every API answer is held back by a
latency drawn between --latency and --latency-max (benchmarks/slow_sandbox.py). Per task it
reports tools/list tokens, result tokens (o200k_base, the text blocks an agent reads), tool
calls, credits (what the sandbox debited), API requests, 429 answers and wall time. Variants:

- naive: every read paid again (LINKUP_CACHE_TTL=0), no `fields`, and a paid
  network_check_invitation before each invitation: the reference for credits;
- full / compact: the server as configured by default, the agent passing `fields` where it knows
  what it needs; compact drives the same calls as its server instructions say: it finds the
  actions with linkup_search_actions (each result gives the params and the meta-tool that runs
  it), runs reads with linkup_read_action and what sends with linkup_run_action, and describes an
  action only when the search did not list it or a value needs its schema (an enum's codes);
- before: `--before PATH` is a checkout of the server before issue 19, driven as its descriptions
  told an agent then (no `fields`; "check first with network_check_invitation" before inviting,
  which naive does too): the reference for result tokens. full and compact rely on the search's
  invitation_state instead: the invite's description no longer asks for a paid check, and the
  server refuses an invitation to someone an answer showed connected or invited, free.

The batch tasks run in full and compact mode with LINKUP_RATE_LIMIT and the sandbox's limit set to
--batch-rate-limit (60 a minute by default, not LinkupAPI's 300), so that the limit, not the
latency, sets their pace, in about a minute (the naive and before runs keep 300 a minute: they are
there for tokens and credits). Run alone it prints the tables; benchmarks/run.py puts them in
RESULTS.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slow_sandbox import ACCOUNT_ID, API_KEY, SlowSandbox
from stdio_proc import ROOT, ServerCommand, ServerError, StdioProcess, bytecode_env, initialize, message

VARIANTS = ("naive", "full", "compact", "before")
SEARCH_TOOL, DESCRIBE_TOOL = "linkup_search_actions", "linkup_describe_action"
READ_TOOL, RUN_TOOL = "linkup_read_action", "linkup_run_action"
Counter = Callable[[str], int]


def o200k_counter() -> Counter:
    import bpe_openai

    encoding = bpe_openai.get_encoding("o200k_base")
    return lambda text: len(encoding.encode(text))


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- the agent: one stdio session, raw JSON-RPC --------------------------------------------------


@dataclass
class Reply:
    envelope: dict[str, Any]
    tokens: int  # o200k tokens of the result's text blocks: what the agent reads
    seconds: float


class Agent:
    """Calls tools as an agent would in one session; `smart` passes `fields`, `compact` goes through
    the meta-tools as the server instructions say: find actions with linkup_search_actions, run
    reads with linkup_read_action and what sends or changes something with linkup_run_action (each
    search result's run_with). Counts what the agent pays: calls, result tokens, progress
    notifications."""

    def __init__(self, proc: StdioProcess, count: Counter, *, compact: bool, smart: bool) -> None:
        self.proc, self.count, self.compact, self.smart = proc, count, compact, smart
        # The invite's description said "Check first with network_check_invitation" before issue 19;
        # now a search's invitation_state (free with it) says it, and the server refuses an
        # invitation to someone an answer showed connected or invited (ALREADY_CONNECTED /
        # ALREADY_PENDING) before any paid call.
        self.checks_first = not smart
        self.calls = 0
        self.result_tokens = 0
        self.progress = 0  # notifications/progress received
        self.progressed: set[int] = set()  # request ids that got at least one
        self._known: dict[str, dict[str, Any]] = {}  # compact mode: action -> its search or describe summary
        self._described: set[str] = set()
        self._next_id = 100
        self._answers: dict[int, dict[str, Any]] = {}

    # wire

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _read_until(self, ids: set[int]) -> None:
        """Read lines until every id in `ids` is answered; count progress; refuse server requests."""
        while not ids <= self._answers.keys():
            line = json.loads(self.proc.read_line())
            if "method" in line:
                if line["method"] == "notifications/progress":
                    self.progress += 1
                    self.progressed.add(int(line["params"]["progressToken"]))
                elif "id" in line:  # a request from the server (none expected): say no
                    error = {"code": -32601, "message": "not supported by this benchmark client"}
                    self.proc.send(compact_json({"jsonrpc": "2.0", "id": line["id"], "error": error}).encode() + b"\n")
                continue
            if "error" in line:
                raise ServerError(f"JSON-RPC error for {line.get('id')}: {line['error']}")
            self._answers[int(line["id"])] = line["result"]

    def _send_call(self, name: str, arguments: dict[str, Any], progress: bool) -> int:
        id = self._id()
        params: dict[str, Any] = {"name": name, "arguments": arguments}
        if progress:
            params["_meta"] = {"progressToken": id}
        self.proc.send(message("tools/call", params, id))
        return id

    def _take(self, id: int) -> tuple[dict[str, Any], int]:
        result = self._answers.pop(id)
        text = "".join(b.get("text", "") for b in result.get("content", []) if b.get("type") == "text")
        tokens = self.count(text)
        self.calls += 1
        self.result_tokens += tokens
        envelope = result.get("structuredContent") or json.loads(text)
        return envelope, tokens

    def raw(self, name: str, arguments: dict[str, Any]) -> Reply:
        started = time.perf_counter()
        id = self._send_call(name, arguments, progress=False)
        self._read_until({id})
        envelope, tokens = self._take(id)
        return Reply(envelope, tokens, time.perf_counter() - started)

    # what tasks call

    def find(self, query: str) -> None:
        """Compact mode: look the actions up first (a full catalog lists them already); each result
        gives the action's params and the meta-tool that runs it."""
        if self.compact:
            found = data(self.raw(SEARCH_TOOL, {"query": query}).envelope)
            self._known.update({a["action"]: a for a in found["actions"]})

    def _describe(self, tool: str) -> dict[str, Any]:
        if tool not in self._described:
            self._described.add(tool)
            self._known[tool] = data(self.raw(DESCRIBE_TOOL, {"action": tool}).envelope)
        return self._known[tool]

    def _action(self, tool: str, args: dict[str, Any], schema: bool) -> dict[str, Any]:
        """What the agent knows of an action before running it: its search result when that named
        every argument it passes, else (or when a value needs the schema: `schema`) its description."""
        known = self._known.get(tool)
        if known is None or schema or not {*args} <= {p.rstrip("*") for p in known["params"]}:
            return self._describe(tool)
        return known

    def _wrap(self, tool: str, args: dict[str, Any], schema: bool = False) -> tuple[str, dict[str, Any]]:
        if not self.compact:
            return tool, args
        if tool == "credits_estimate":  # compact mode's estimate is a dry run of the action
            action, arguments = args["tool"], args.get("arguments", {})
            runner = self._action(action, arguments, schema)["run_with"]
            return runner, {"action": action, "arguments": arguments, "dry_run": True}
        return self._action(tool, args, schema)["run_with"], {"action": tool, "arguments": args}

    def call(
        self, tool: str, args: dict[str, Any], fields: list[str] | None = None, *, schema: bool = False
    ) -> dict[str, Any]:
        """`schema`: a value the action's params do not tell (an enum's codes) needs its description
        in compact mode."""
        if fields and self.smart:
            args = {**args, "fields": fields}
        name, arguments = self._wrap(tool, args, schema)
        return self.raw(name, arguments).envelope

    def batch(self, tool: str, many: list[dict[str, Any]], fields: list[str] | None = None) -> list[dict[str, Any]]:
        """All at once, each with a progress token, as an agent issuing parallel tool calls."""
        many = [{**args, "fields": fields} if fields and self.smart else args for args in many]
        for args in many[:1]:
            self._wrap(tool, args)  # describe (if need be) before the burst, not inside it
        ids = []
        for args in many:
            ids.append(self._send_call(*self._wrap(tool, args), progress=True))
        self._read_until(set(ids))
        return [self._take(i)[0] for i in ids]


# --- the tasks ----------------------------------------------------------------------------------

PROFILE_FIELDS = ["headline", "summary", "experience.title", "experience.company", "experience.date_range", "skills"]
LIST_PEOPLE = ["results.first_name", "results.last_name", "results.headline", "results.linkedin_url"]
STATE = "results.invitation_state"
OPEN = {"CAN_INVITE", "NO_INVITATION", None}


def data(envelope: dict[str, Any]) -> Any:
    if not envelope.get("ok"):
        raise TaskFailed(f"{envelope.get('tool')}: {envelope.get('error')}")
    return envelope["data"]


class TaskFailed(RuntimeError):
    pass


def prospecting(a: Agent) -> None:
    """Search Heads of Sales, shortlist three not connected, read their profiles, re-read the first
    one to draft a note. An agent told to "check first with network_check_invitation" (the invite's
    description before; naive) checks each one, a credit each, although the search said it already."""
    a.find("search people profile")
    found = data(
        a.call(
            "profiles_search_people", {"title": "Head of Sales", "fetch_invitation_state": True}, [*LIST_PEOPLE, STATE]
        )
    )
    people = [r for r in found["results"] if r.get("invitation_state") in OPEN][:3]
    for person in people:
        data(a.call("profiles_get", {"profile_url": person["linkedin_url"]}, PROFILE_FIELDS))
    if a.checks_first:
        for person in people:
            data(a.call("network_check_invitation", {"profile_url": person["linkedin_url"]}))
    data(a.call("profiles_get", {"profile_url": people[0]["linkedin_url"]}, PROFILE_FIELDS))


def invite(a: Agent) -> None:
    """Find a VP to invite (one the search shows neither connected nor invited: the server refuses
    the others free, ALREADY_CONNECTED / ALREADY_PENDING); preview the invitation; confirm it.
    before and naive check the connection first (paid), as the invite's description said before."""
    a.find("search people invite")
    found = data(
        a.call("profiles_search_people", {"keyword": "VP", "fetch_invitation_state": True}, [*LIST_PEOPLE, STATE])
    )
    target = next(r for r in found["results"] if r.get("invitation_state") in OPEN)["linkedin_url"]
    if a.checks_first:
        data(a.call("network_check_invitation", {"profile_url": target}))
    args = {"profile_url": target, "message": "Hi, I enjoyed your post on pipeline reviews. Let's connect."}
    preview = data(a.call("network_invite", args))
    if preview.get("sent") is not False:
        raise TaskFailed(f"network_invite sent without a preview: {preview}")
    data(a.call("network_invite", {**args, "confirm_token": preview["confirm_token"]}))


INBOX_FIELDS = [
    "conversations.conversation_id",
    "conversations.participant.name",
    "conversations.participant.profile_url",
    "conversations.last_message.text",
    "conversations.last_message.sender.is_me",
    "conversations.unread",
]


def inbox_reply(a: Agent) -> None:
    """List the inbox, open the latest conversation where the other person spoke last, reply."""
    a.find("inbox conversation reply message")
    inbox = data(a.call("messages_list_inbox", {}, INBOX_FIELDS))
    chat = next(c for c in inbox["conversations"] if not c["last_message"]["sender"]["is_me"])
    fields = ["messages.text", "messages.sender", "messages.timestamp"]
    data(a.call("messages_get_conversation", {"conversation_id": chat["conversation_id"], "count": 5}, fields))
    reply = {"profile_url": chat["participant"]["profile_url"], "message_text": "Thanks! Does Thursday 10:00 work?"}
    data(a.call("messages_send", reply))


def email(a: Agent) -> None:
    """Find two leads' work emails and validate each before writing to them."""
    a.find("find validate work email")
    for url in ("https://www.linkedin.com/in/ines-brown", "https://www.linkedin.com/in/laura-sato"):
        found = data(a.call("mail_find_email", {"profile_url": url}))
        if found.get("email"):
            data(a.call("mail_validate_email", {"email": found["email"]}))


def spend(a: Agent) -> None:
    """What did I spend, what is left, and what would a 50-person search and a message with media cost?"""
    a.find("credits balance search people send message")
    data(a.call("credits_get", {}))
    data(
        a.call(
            "credits_estimate", {"tool": "profiles_search_people", "arguments": {"title": "CTO", "total_results": 50}}
        )
    )
    media = {
        "profile_url": "https://www.linkedin.com/in/ines-brown",
        "message_text": "Deck",
        "media_link": "https://x.io/d.pdf",
    }
    data(a.call("credits_estimate", {"tool": "messages_send", "arguments": media}))


@dataclass
class BatchRun:
    calls: int = 0
    seconds: float = 0.0
    started: float = 0.0  # time.time() when the burst was written
    progressed: int = 0  # calls that got a progress notification
    outcomes: dict[str, int] = field(default_factory=dict)  # ok / error code -> calls


def _burst(a: Agent, tool: str, many: list[dict[str, Any]], fields: list[str] | None, run: BatchRun) -> None:
    before = set(a.progressed)
    run.started, started = time.time(), time.perf_counter()
    results = a.batch(tool, many, fields)
    run.seconds, run.calls = time.perf_counter() - started, len(many)
    run.progressed = len(a.progressed - before)
    for r in results:
        key = "ok" if r.get("ok") else str((r.get("error") or {}).get("code"))
        run.outcomes[key] = run.outcomes.get(key, 0) + 1


def batch_reads(a: Agent, run: BatchRun) -> None:
    """List 100 connections, then read their 100 profiles at once."""
    a.find("list connections profile")
    listed = data(a.call("network_list_connections", {"count": 100}, ["connections.profile_url"]))
    urls = [c["profile_url"] for c in listed["connections"]][:100]
    _burst(
        a, "profiles_get", [{"profile_url": u} for u in urls], ["first_name", "last_name", "headline", "location"], run
    )


def batch_invites(a: Agent, run: BatchRun) -> None:
    """Find 30 second-degree people who can be invited and invite all of them at once: the daily
    invitation cap (LINKUP_PACING, 20 by default) sends 20 and refuses 10 for free."""
    a.find("search people invite")
    args = {"network": ["S"], "fetch_invitation_state": True, "total_results": 50}
    found = data(a.call("profiles_search_people", args, ["results.linkedin_url", STATE], schema=True))
    urls = [r["linkedin_url"] for r in found["results"] if r.get("invitation_state") in OPEN][:30]
    if len(urls) < 30:
        raise TaskFailed(f"only {len(urls)} people to invite")
    if a.checks_first:
        a.batch("network_check_invitation", [{"profile_url": u} for u in urls])
    note = "Hi, we work on similar problems; happy to connect."
    _burst(a, "network_invite", [{"profile_url": u, "message": note} for u in urls], None, run)


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    run: Callable[..., None]
    settings: dict[str, str] = field(default_factory=dict)  # LINKUP_* for this task
    batch: bool = False


TASKS = (
    Task("prospecting", "prospecting: search, shortlist 3, read profiles", prospecting),
    Task("invite", "invite with preview and confirm", invite, {"confirm": "preview"}),
    Task("inbox_reply", "inbox → conversation → reply", inbox_reply),
    Task("email", "find and validate 2 work emails", email),
    Task("spend", "what did I spend / what would this cost", spend),
    Task("batch_reads", "batch: read 100 profiles", batch_reads, batch=True),
    Task("batch_invites", "batch: 30 invitations under pacing", batch_invites, batch=True),
)


# --- running ------------------------------------------------------------------------------------


@dataclass
class TaskRun:
    task: str
    variant: str
    list_tokens: int = 0
    instructions_tokens: int = 0  # the server instructions, sent once per session
    result_tokens: int = 0
    calls: int = 0
    credits: int = 0  # what the sandbox debited
    requests: int = 0  # API requests the sandbox received
    rate_limited: int = 0  # 429 answers
    paid_checks: int = 0  # paid network_check_invitation requests
    paid_repeats: int = 0  # paid requests repeating a cacheable lookup already answered in the task
    seconds: float = 0.0
    rate_limit: int = 300  # requests a minute, the server's and the sandbox's
    batch: BatchRun | None = None
    batch_minimum: float = 0.0  # the fastest the rate limit and the drawn latencies allow
    waited: int = 0  # batch calls the rate limit made wait (beyond the window's room)
    error: str | None = None


@dataclass
class Settings:
    latency: float = 0.3
    latency_max: float = 1.5
    batch_rate_limit: int = 60
    before: Path | None = None
    only: tuple[str, ...] = ()
    after: Path = ROOT  # the checkout measured (its sandbox is the referee of every variant)
    variants: tuple[str, ...] = VARIANTS


def server_command(root: Path, base_url: str, py: dict[str, str], **settings: str) -> ServerCommand:
    env = {
        **py,
        "LINKUP_API_KEY": API_KEY,
        "LINKUP_BASE_URL": base_url,
        "LINKUP_ACCOUNT_ID": ACCOUNT_ID,
        "LINKUP_LEDGER": ":memory:",
    }
    env.update({f"LINKUP_{k.upper()}": v for k, v in settings.items()})
    return ServerCommand("linkup-mcp", [sys.executable, "-m", "linkup_mcp"], env, root)


def run_one(task: Task, variant: str, s: Settings, count: Counter, py: dict[str, str]) -> TaskRun:
    root = s.before if variant == "before" else s.after
    assert root is not None
    # The batches are rate-bound in full and compact mode (the targets); the naive and before runs,
    # there for their tokens and credits, keep LinkupAPI's 300 a minute and are not made to wait.
    rate = s.batch_rate_limit if task.batch and variant in ("full", "compact") else 300
    settings = {**task.settings, "rate_limit": str(rate)}
    if variant == "naive":
        settings["cache_ttl"] = "0"
    if variant == "compact":
        settings["tool_mode"] = "compact"
    out = TaskRun(task.name, variant)
    with SlowSandbox(s.latency, s.latency_max, rate_limit=rate, root=s.after) as api:
        with StdioProcess(server_command(root, api.base_url, py, **settings), timeout=300) as proc:
            hello = proc.request(initialize())["result"]
            out.instructions_tokens = count(hello.get("instructions") or "")
            proc.send(message("notifications/initialized"))
            listed = proc.request(message("tools/list", None, 1))["result"]["tools"]
            out.list_tokens = count(compact_json(listed))
            agent = Agent(proc, count, compact=variant == "compact", smart=variant in ("full", "compact"))
            started = time.perf_counter()
            try:
                if task.batch:
                    out.batch = BatchRun()
                    task.run(agent, out.batch)
                else:
                    task.run(agent)
            except (TaskFailed, StopIteration, KeyError, TypeError) as exc:
                out.error = f"{type(exc).__name__}: {exc}"
            out.seconds = time.perf_counter() - started
            out.result_tokens, out.calls = agent.result_tokens, agent.calls
        log = api.requests()
        out.requests = len(log)
        out.credits = sum(int(r.get("credits_consumed") or 0) for r in log)
        out.rate_limited = sum(1 for r in log if r.get("status") == 429)
        out.paid_checks = sum(1 for r in log if r.get("action") == "check_invitation" and r.get("credits_consumed"))
        out.paid_repeats = paid_repeats(log)
        out.rate_limit = rate
        if out.batch is not None:
            arrivals = api.latencies()
            out.batch_minimum = fastest_allowed(arrivals, out.batch.started, rate)
            out.waited = max(0, len(arrivals) - rate)
    return out


CACHEABLE = {
    "get",
    "get_me",
    "get_contact",
    "get_company",
    "check_invitation",
    "find_email",
    "reverse_email",
    "validate_email",
}


def paid_repeats(log: list[dict[str, Any]]) -> int:
    """Paid requests for a lookup the server had already been answered in the same task (same
    action and parameters): what a read cache answers for free."""
    seen: set[str] = set()
    repeats = 0
    for r in log:
        if r.get("action") not in CACHEABLE or r.get("status") != 200:
            continue
        key = compact_json([r.get("path"), r.get("action"), r.get("params")])
        if key in seen and r.get("credits_consumed"):
            repeats += 1
        seen.add(key)
    return repeats


def fastest_allowed(requests: list[tuple[float, float]], burst_start: float, limit: int, period: float = 60.0) -> float:
    """The shortest time the burst could take: every request of it sent as early as a sliding window
    of `limit` per `period` (counting the requests before it) allows, each answered after the
    latency the sandbox drew for it; the burst's requests are the ones that arrived after it began."""
    earlier = [at for at, _ in requests if at < burst_start]
    waits = [wait for at, wait in requests if at >= burst_start]
    stamps = list(earlier)
    finish = burst_start
    for wait in waits:
        start = burst_start if len(stamps) < limit else max(burst_start, stamps[-limit] + period)
        stamps.append(start)
        finish = max(finish, start + wait)
    return finish - burst_start


def collect(s: Settings, log: Callable[[str], None] | None = None) -> list[TaskRun]:
    count = o200k_counter()
    runs = []
    with tempfile.TemporaryDirectory(prefix="linkup-bench-pyc-") as folder:
        py = bytecode_env(folder)
        for task in TASKS:
            if s.only and task.name not in s.only:
                continue
            for variant in s.variants:
                if variant == "before" and s.before is None:
                    continue
                if log:
                    log(f"task {task.name}, {variant}")
                runs.append(run_one(task, variant, s, count, py))
    return runs


# --- what RESULTS.md says around the tables ---------------------------------------------------

INTRO = """\
What a user pays for a task: the context an agent reads (tools/list on every turn, the server
instructions, every result; o200k tokens), the calls it makes, the credits LinkupAPI debits, and
the wall time. Scripted agent tasks over stdio against the sandbox with a real API's latency
({settings}); before = the server at the commit before issue 19, driven as its descriptions told
an agent then; naive = this server with the read cache off and no `fields` (the credit
reference); full and compact = this server as configured by default (`benchmarks/tasks.py`)."""

READING = """\
Reading: the context column is what an agent carries through a task (tools/list + instructions +
every result) — that is what the catalog budget and the shorter results buy. Credits fall where a
paid call bought nothing new: a profile read again (the read cache answers it free), a connection
check before an invitation (the search's invitation_state already said it, and the server refuses an
invitation to someone an answer showed connected or invited at no cost, so the invite's description
no longer asks for a paid check). Compact mode lists four small meta-tools but an agent pays for
discovering the actions in results: one `linkup_search_actions` per task (its results give each
action's params and whether `linkup_read_action` or `linkup_run_action` runs it), and
`linkup_describe_action` only where a value needs the schema; it pays off when the full catalog
would be carried over many turns. The batches' wall time is set by the rate limit in full and
compact mode (60 a minute here) and by the latency in the naive and before runs (300 a minute, never
reached), so only the former compare with the fastest allowed."""

METHOD = """\
**Method (tasks).** Each task in each variant starts a fresh sandbox (seed 42, in a process of its
own: `benchmarks/slow_sandbox.py`, which holds every `/v2` answer back by a latency drawn uniformly
between the two bounds; the request is counted against the sandbox's rate limit when it arrives) and
a fresh `python -m linkup_mcp` against it (`LINKUP_LEDGER=:memory:`; `LINKUP_CONFIRM=preview` for
the invite task), driven with raw JSON-RPC lines. Result tokens are those of the text blocks of
every `tools/call` result; credits are what the sandbox debited (its request log), which also counts
the API requests, the 429 answers and the paid calls for what the server knew (a cacheable lookup
repeated in the task, a connection check). The tasks: prospecting (search Heads of Sales with
invitation_state, shortlist 3 not connected, read their profiles, read the first again to draft a
note); invite (search VPs with invitation_state, pick the first neither connected nor invited,
preview, confirm); inbox → reply (list, open the latest conversation where the other person spoke
last, reply); email (find and validate 2 work emails); spend (balance, then the cost of a 50-person
search and of a message with media); batch reads (list 100 connections, then read the 100 profiles
at once, each call with a progress token); batch invitations (find 30 second-degree people who can
be invited, invite them all at once under the default daily cap of 20: 20 sent, 10 refused free with
PACING_LIMIT). full and compact pass `fields` where the agent knows what it needs (the search's
names, headline, URL and state; the profile's headline, summary, experience titles and skills; the
inbox's ids, names and last texts). compact runs the same calls through its meta-tools: one search
for the task's actions, reads by `linkup_read_action`, sends by `linkup_run_action`, estimates as
their `dry_run`, and a description only for the batch invitations' search (the network degree's
codes). The latencies come from a generator seeded alike in every run, so every variant meets the
same draws in the same order. The fastest a batch could go is simulated from the sandbox's own
record: each request of the burst sent as early as a sliding window of the limit per 60 s allows
(counting the requests before the burst), answered after the latency drawn for it."""


# --- the tables ---------------------------------------------------------------------------------

RESULT_LIMIT = 0.70  # full mode's result tokens per task, at most this share of before's
BATCH_LIMIT = 1.10  # the batch of reads, at most this many times the fastest the rate limit allows


def by_task(runs: Iterable[TaskRun]) -> dict[str, dict[str, TaskRun]]:
    table: dict[str, dict[str, TaskRun]] = {}
    for r in runs:
        table.setdefault(r.task, {})[r.variant] = r
    return table


def _paid_known(r: TaskRun) -> int:
    return r.paid_checks + r.paid_repeats


def target_rows(runs: list[TaskRun]) -> list[tuple[str, str, str, float, float, str]]:
    """(measure, value, reference, ratio, limit, target) per target; a ratio <= limit passes."""
    tasks = by_task(runs)
    rows: list[tuple[str, str, str, float, float, str]] = []
    failed = [f"{r.task}/{r.variant}" for r in runs if r.error]
    if failed:
        rows.append(
            (
                "Tasks: every task done",
                f"{len(failed)} failed",
                ", ".join(failed),
                float(len(failed)),
                0.0,
                "none fails",
            )
        )
    ratios = [
        (v["full"].result_tokens / v["before"].result_tokens, name)
        for name, v in tasks.items()
        if {"full", "before"} <= v.keys()
    ]
    if ratios:
        worst, name = max(ratios)
        rows.append(
            (
                f"Result tokens per task, full mode vs before (worst of {len(ratios)}: {name})",
                f"{tasks[name]['full'].result_tokens:,}",
                f"{tasks[name]['before'].result_tokens:,} (before)",
                worst,
                RESULT_LIMIT,
                "≤ 0.70× before (30% less) in every task",
            )
        )
    credit = []
    for name, v in tasks.items():
        naive = v.get("naive")
        for variant in ("full", "compact"):
            if naive is None or variant not in v:
                continue
            spent = v[variant].credits
            credit.append(
                (
                    spent / naive.credits if naive.credits else (0.0 if spent == 0 else 99.0),
                    f"{name}/{variant}",
                    spent,
                    naive.credits,
                )
            )
    if credit:
        worst_c, where, spent, naive_credits = max(credit)
        rows.append(
            (
                f"Credits per task vs the naive reference (worst of {len(credit)}: {where})",
                f"{spent}",
                f"{naive_credits} (naive)",
                worst_c,
                1.0,
                "≤ naive in every task and mode",
            )
        )
    known = [r for r in runs if r.variant in ("full", "compact")]
    if known:
        paid = sum(_paid_known(r) for r in known)
        naive_paid = sum(_paid_known(r) for r in runs if r.variant == "naive")
        rows.append(
            (
                "Paid calls for what the server knows (repeated lookups, connection checks), full + compact",
                f"{paid}",
                f"{naive_paid} (naive)",
                float(paid),
                0.0,
                "none",
            )
        )
    batch = next((r for r in runs if r.task == "batch_reads" and r.variant == "full" and r.batch), None)
    if batch is not None and batch.batch is not None:
        b = batch.batch
        rows.append(
            (
                f"Batch: {b.calls} profile reads at once, {batch.rate_limit}/min limit (wall)",
                f"{b.seconds:.1f} s",
                f"{batch.batch_minimum:.1f} s (fastest the limit allows)",
                b.seconds / batch.batch_minimum,
                BATCH_LIMIT,
                "≤ 1.1× the fastest allowed",
            )
        )
        batches = [r for r in runs if r.batch is not None]
        limited = sum(r.rate_limited for r in batches)
        rows.append(
            ("Batches: 429 answers from the API (every variant)", f"{limited}", "0", float(limited), 0.0, "none")
        )
        rows.append(
            (
                "Batch: calls with progress notifications / calls that waited for the limit",
                f"{b.progressed}",
                f"{batch.waited} waited",
                batch.waited / b.progressed if b.progressed else (0.0 if batch.waited == 0 else 99.0),
                1.0,
                "every call that waited",
            )
        )
    return rows


def _context(v: dict[str, TaskRun], variant: str) -> int:
    """What the agent read in the task: tools/list, the server instructions and every result."""
    r = v.get(variant)
    return r.list_tokens + r.instructions_tokens + r.result_tokens if r else 0


def _cell(v: dict[str, TaskRun], variant: str, what: str, fmt: str = "{:,}") -> str:
    r = v.get(variant)
    return fmt.format(getattr(r, what)) if r else "–"


def _pct(after: int, before: int) -> str:
    return f"{(after - before) / before:+.0%}" if before else ""


def summary_markdown(runs: list[TaskRun]) -> list[str]:
    """Per task, before → after: what an agent reads (tools/list + instructions + results), the
    results alone, calls, credits against the naive reference, and wall time."""
    titles = {t.name: t.title for t in TASKS}
    head = [
        "| Task | context tokens: before → full · compact | result tokens: before → full (change) · compact "
        "| calls: before · full · compact | credits: naive · before · full · compact | wall: before · full · compact |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = []
    totals = {v: [0, 0, 0, 0] for v in VARIANTS}  # context, results, calls, credits
    for name, v in by_task(runs).items():
        ctx = functools.partial(_context, v)
        get = functools.partial(_cell, v)
        for variant in VARIANTS:
            r = v.get(variant)
            if r:
                t = totals[variant]
                t[0] += ctx(variant)
                t[1] += r.result_tokens
                t[2] += r.calls
                t[3] += r.credits
        full, before = v.get("full"), v.get("before")
        change = f" ({_pct(full.result_tokens, before.result_tokens)})" if full and before else ""
        rows.append(
            f"| {titles[name]} | {ctx('before'):,} → {ctx('full'):,} · {ctx('compact'):,} "
            f"| {get('before', 'result_tokens')} → {get('full', 'result_tokens')}{change} · {get('compact', 'result_tokens')} "
            f"| {get('before', 'calls')} · {get('full', 'calls')} · {get('compact', 'calls')} "
            f"| {get('naive', 'credits')} · {get('before', 'credits')} · {get('full', 'credits')} · {get('compact', 'credits')} "
            f"| {get('before', 'seconds', '{:.1f} s')} · {get('full', 'seconds', '{:.1f} s')} · {get('compact', 'seconds', '{:.1f} s')} |"
        )
    b, f, c, n = (totals[x] for x in ("before", "full", "compact", "naive"))
    rows.append(
        f"| **all tasks** | {b[0]:,} → {f[0]:,} · {c[0]:,} | {b[1]:,} → {f[1]:,} ({_pct(f[1], b[1])}) · {c[1]:,} "
        f"| {b[2]} · {f[2]} · {c[2]} | {n[3]} · {b[3]} · {f[3]} · {c[3]} | |"
    )
    return head + rows


def per_task_markdown(runs: list[TaskRun]) -> list[str]:
    titles = {t.name: t.title for t in TASKS}
    out = [
        "| Task | Variant | tools/list tokens | result tokens | calls | credits | API requests | 429s | paid known | wall |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, variants in by_task(runs).items():
        first = True
        for variant in VARIANTS:
            r = variants.get(variant)
            if r is None:
                continue
            flag = f" (failed: {r.error})" if r.error else ""
            out.append(
                f"| {titles[name] if first else ''} | {variant}{flag} | {r.list_tokens:,} | {r.result_tokens:,} | "
                f"{r.calls} | {r.credits} | {r.requests} | {r.rate_limited} | {_paid_known(r)} | {r.seconds:.1f} s |"
            )
            first = False
    return out


def instructions_line(runs: list[TaskRun]) -> str:
    """The server instructions' size in each mode measured: built from the settings, they differ
    with the tool mode and the confirmation mode (LINKUP_CONFIRM=preview in the invite task)."""
    preview = {t.name for t in TASKS if t.settings.get("confirm") == "preview"}

    def size(variant: str, previews: bool) -> int | None:
        found = [r.instructions_tokens for r in runs if r.variant == variant and (r.task in preview) == previews]
        return found[0] if found else None

    def pair(variant: str, mode: str) -> str:
        default, previews = size(variant, False), size(variant, True)
        if default is None:
            return f"{previews:,} {mode} with LINKUP_CONFIRM=preview" if previews is not None else f"– {mode}"
        return f"{default:,} {mode}" + (f" ({previews:,} with LINKUP_CONFIRM=preview)" if previews is not None else "")

    before = size("before", False) or size("before", True)
    return (
        "The server instructions (sent once per session, counted in the context column) are built from the "
        f"settings: {pair('full', 'tokens in full mode')}, {pair('compact', 'in compact mode')}"
        + (f"; {before:,} before" if before is not None else "")
        + ". They name the envelope's members and the control arguments once, which the tool definitions no "
        "longer repeat, and the safety settings an agent cannot see otherwise (whether outreach sends at once "
        "or previews first, the budgets, the daily pacing caps)."
    )


def batch_lines(runs: list[TaskRun]) -> list[str]:
    return [
        f"{r.task}/{r.variant} ({r.rate_limit}/min): {r.batch.calls} calls at once took {r.batch.seconds:.1f} s, the "
        f"fastest the limit and the drawn latencies allow {r.batch_minimum:.1f} s; progress notifications on "
        f"{r.batch.progressed} calls ({r.waited} waited for the limit); outcomes "
        + ", ".join(f"{k} {v}" for k, v in sorted(r.batch.outcomes.items()))
        for r in runs
        if r.batch is not None
    ]


def text_table(runs: list[TaskRun]) -> str:
    rows = [("task", "variant", "list tok", "result tok", "calls", "credits", "requests", "429", "known", "wall s")]
    for r in runs:
        rows.append(
            (
                r.task,
                r.variant + (" FAILED" if r.error else ""),
                f"{r.list_tokens:,}",
                f"{r.result_tokens:,}",
                str(r.calls),
                str(r.credits),
                str(r.requests),
                str(r.rate_limited),
                str(_paid_known(r)),
                f"{r.seconds:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    errors = [f"{r.task}/{r.variant}: {r.error}" for r in runs if r.error]
    return "\n".join(lines + batch_lines(runs) + errors)


def parse_args(argv: list[str] | None = None) -> tuple[Settings, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.3, help="shortest API answer, seconds (default 0.3)")
    parser.add_argument("--latency-max", type=float, default=1.5, help="longest API answer, seconds (default 1.5)")
    parser.add_argument(
        "--batch-rate-limit", type=int, default=60, help="requests a minute for the batch tasks (default 60)"
    )
    parser.add_argument("--before", type=Path, help="a checkout of the server before this work (the 'before' runs)")
    parser.add_argument("--only", nargs="*", default=[], help=f"tasks to run: {', '.join(t.name for t in TASKS)}")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), help="variants to run (default all)")
    ns = parser.parse_args(argv)
    s = Settings(
        ns.latency, ns.latency_max, ns.batch_rate_limit, ns.before, only=tuple(ns.only), variants=tuple(ns.variants)
    )
    return s, ns


def main(argv: list[str] | None = None) -> int:
    s, _ = parse_args(argv)
    runs = collect(s, log=lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True))
    print(text_table(runs))
    return 1 if any(r.error for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
