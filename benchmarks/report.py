"""Targets, the results table (stdout) and RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from statistics import median

import tasks
import tricks
from measure import CallRun, CatalogSize, Concurrency, Latencies, Startup

MiB = 1024  # KiB per MiB


@dataclass(frozen=True)
class Row:
    """One target: `value` against `reference`, passing when value/reference <= limit."""

    measure: str
    value: str
    reference: str
    ratio: float
    limit: float
    target: str

    @property
    def passed(self) -> bool:
        return self.ratio <= self.limit

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


@dataclass
class Results:
    startup: dict[str, Startup]
    calls: dict[str, CallRun]  # "linkup-mcp", "floor", "linkup-mcp (cache hit)": calls back to back in blocks
    http: Latencies
    turns: tuple[dict[str, CallRun], Latencies]  # the same, servers taking turns call by call
    bursts: list[Concurrency]
    http_burst: float
    catalog: list[CatalogSize]
    tricks: list[tricks.Variant]  # "as is" first, then each kept trick switched off
    tricks_settings: argparse.Namespace  # how the tricks were measured (tricks.parse_args)
    settings: dict[str, object]  # the counts the run used
    tasks: list[tasks.TaskRun]  # benchmarks/tasks.py: each task in each variant
    seconds: float = 0.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.1 else f"{seconds * 1000:.2f} ms"


def mib(kib: float) -> str:
    return f"{kib / MiB:.1f} MiB"


TOKEN_BUDGET = 8_000  # the default catalog (tests/test_catalog_budget.py holds it too)
COMPACT_BUDGET = 1_500
GROWTH_LIMIT_KIB = 4 * MiB


def rows(r: Results) -> list[Row]:
    out: list[Row] = []
    link, floor = r.startup["linkup-mcp"], r.startup["floor"]
    for what, a, b in (
        ("spawn → initialize answered (median)", link.initialize, floor.initialize),
        ("spawn → tools/list answered (median)", link.tools_list, floor.tools_list),
    ):
        out.append(Row(f"Start-up: {what}", ms(median(a)), ms(median(b)), median(a) / median(b), 1.15, "≤ 1.15× floor"))
    single = median([b.single for b in r.bursts])
    wall = median([b.wall for b in r.bursts])
    calls = r.bursts[0].calls
    out.append(
        Row(
            f"Concurrency: {calls} calls at once, 200 ms API (wall, median of {len(r.bursts)})",
            ms(wall),
            f"{ms(single)} (one call)",
            wall / single,
            2.0,
            "≤ 2× one call",
        )
    )
    full = next(c for c in r.catalog if c.name == "full")
    before = next((c for c in r.catalog if c.name == "before"), None)
    was = f"; {before.tokens:,} before" if before else ""
    out.append(
        Row(
            f"Catalog: full tools/list ({full.tools} tools), o200k tokens",
            f"{full.tokens:,}",
            f"{TOKEN_BUDGET:,} (budget{was})",
            full.tokens / TOKEN_BUDGET,
            1.0,
            f"≤ {TOKEN_BUDGET:,} tokens",
        )
    )
    compact = next((c for c in r.catalog if c.name == "compact"), None)
    if compact is not None:
        out.append(
            Row(
                f"Catalog: compact mode tools/list ({compact.tools} meta-tools), o200k tokens",
                f"{compact.tokens:,}",
                f"{COMPACT_BUDGET:,} (budget)",
                compact.tokens / COMPACT_BUDGET,
                1.0,
                f"≤ {COMPACT_BUDGET:,} tokens",
            )
        )
    out += [Row(*row) for row in tasks.target_rows(r.tasks)]
    lm, fm = r.calls["linkup-mcp"], r.calls["floor"]
    total = r.settings["calls"]
    for when, rss, floor_rss in (
        ("after tools/list", lm.rss_after_list, fm.rss_after_list),
        (f"after {total:,} calls", lm.rss_after_all, fm.rss_after_all),
    ):
        out.append(Row(f"Memory: RSS {when}", mib(rss), mib(floor_rss), rss / floor_rss, 1.25, "≤ 1.25× floor"))
    # "No growth" is read as: none once warm. The first calls load what a call needs once
    # (jsonschema and the validators, the HTTP pool and TLS); that one-time step is shown in the details.
    warmup = r.settings["warmup"]
    growth = lm.rss_after_all - lm.rss_after_warmup
    out.append(
        Row(
            f"Memory: growth, after {warmup} warm-up calls → after {total:,} calls",
            mib(growth),
            f"{mib(GROWTH_LIMIT_KIB)} (limit); floor {mib(fm.rss_after_all - fm.rss_after_warmup)}",
            growth / GROWTH_LIMIT_KIB,
            1.0,
            f"≤ {mib(GROWTH_LIMIT_KIB)}",
        )
    )
    return out


# --- plain-text table for stdout -----------------------------------------------------------


def text_table(table: list[Row]) -> str:
    header = ("Measure", "linkup-mcp", "Floor / reference", "Ratio", "Target", "Result")
    cells = [header, *((r.measure, r.value, r.reference, f"{r.ratio:.3f}", r.target, r.verdict) for r in table)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- machine details -----------------------------------------------------------------------


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / MiB / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _git(root: Path) -> str:
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False).stdout.strip()

    commit = run("rev-parse", "--short", "HEAD") or "unknown"
    dirty = run("status", "--porcelain", "--", "linkup_mcp", "tool_specs")
    return f"{commit}{' + uncommitted changes in linkup_mcp/ or tool_specs/' if dirty else ''}"


def machine(linkup_root: Path) -> list[tuple[str, str]]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        ("CPU", _cpu_model()),
        ("Cores", f"{os.cpu_count()} logical"),
        ("Memory", _memory()),
        ("OS", _os_name()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"),
        ("mcp", _package("mcp")),
        ("httpx2", _package("httpx2")),
        ("bpe-openai", _package("bpe-openai")),
        ("linkup-mcp measured", f"{linkup_root} at {_git(linkup_root)}"),
        ("Load average at start", " / ".join(f"{x:.2f}" for x in load)),
        ("Date", time.strftime("%Y-%m-%d %H:%M %Z")),
    ]


# --- RESULTS.md ----------------------------------------------------------------------------

HOW_TO_RUN = """\
## How to run

```sh
uv sync                                   # bpe-openai (o200k_base tokenizer) is in the dev group, so no --group flag
uv run python benchmarks/run.py           # full run (about ten minutes), rewrites benchmarks/RESULTS.md
uv run python benchmarks/run.py --quick   # smaller counts, tasks at low latency, prints the table, writes nothing
uv run python benchmarks/run.py --help    # --runs, --calls, --warmup, --bursts, --output, --linkup-root, --before, --no-tasks
uv run python benchmarks/tasks.py --before PATH  # only the agent tasks (a few minutes; --only, --variants, --latency)
uv run python benchmarks/tricks.py        # only the performance tricks, with and without (a few minutes)
```

The task benchmark compares with the server before issue 19: `--before PATH` (a checkout), else
the commit `run.BEFORE` extracted with `git archive` into a temporary folder.

The run exits 0 when every target passes and 1 otherwise. To measure a fixed commit while the
working tree changes: `git worktree add /tmp/bench HEAD` and `--linkup-root /tmp/bench` (same
virtualenv; `python -m linkup_mcp` runs with that folder as its working directory).
Nothing here is collected by pytest (no `test_*.py`, and outside `tests/`).
"""

METHOD = """\
## Method

Both servers run under the same interpreter (`sys.executable`): `python -m linkup_mcp` and
`python benchmarks/floor_server.py` (the `mcp` low-level `Server` with one `echo` tool over stdio).
Every server is driven with raw JSON-RPC lines over its pipes (no MCP client library in the timing);
a reply's time is when its line is read from the pipe. linkup-mcp gets `LINKUP_API_KEY` (a dummy),
`LINKUP_BASE_URL` (a loopback fake, `benchmarks/fake_api.py`, in a process of its own: one thread per
connection, a V2 success envelope of 834 bytes), `LINKUP_ACCOUNT_ID=acc`, `LINKUP_LEDGER=:memory:`.
Every spawned server gets `PYTHONPYCACHEPREFIX` (a temporary folder of the run) and no
`PYTHONDONTWRITEBYTECODE`: where that is set (as in this sandbox) and the checkout's `__pycache__` is
stale, each linkup-mcp start would compile its own modules from source (about 50 ms more), which an
installed package does not do. The untimed first spawns fill that cache.

1. **Start-up**: spawn → `initialize` answered, and spawn → `tools/list` answered (initialize is
   written right after the spawn and waits in the pipe). One untimed spawn of each server first, then
   the runs interleaved (linkup-mcp, floor, linkup-mcp, …) so load on the machine hits both alike.
2. **Per-call overhead** (no target: a real LinkupAPI call takes hundreds of milliseconds, which
   this zero-latency fake leaves out; what pays at real latency is under Performance decisions): one process per server; after the handshake and tools/list, `--calls`
   sequential calls (`profiles_get` with a valid `profile_url`; the floor's `echo`), the first
   `--warmup` untimed. linkup-mcp runs with `LINKUP_CACHE_TTL=0` (every call reaches the fake) and
   `LINKUP_RATE_LIMIT=100000` (the limiter still runs but never waits: at the default 300/minute,
   1,000 calls in a few seconds would be paced). The reference is the floor's call plus a direct
   `httpx2.AsyncClient` POST of the same request to the same fake (pooled, reply decoded as JSON),
   p50 + p50 and p99 + p99. A third server with the read cache on (default TTLs, same profile) shows
   linkup-mcp's own cost without HTTP. The servers and the direct client take turns
   by blocks of 50 calls (drift in the machine's load hits all alike; within a block the calls run back
   to back, processes hot; the first call of each block is not timed). A second pass with fresh
   processes takes turns call by call, so that every call finds its process idle, as when an agent
   calls now and then: shown beside, as it slows every path and lowers the ratio.
3. **Concurrency**: a fake with 200 ms latency; a fresh linkup-mcp with the default limiter (300 per
   minute, bursts of 300 allowed) and `LINKUP_CACHE_TTL=0`; one call to open a connection, three lone
   calls (median = "one call"), then 100 `tools/call` requests with distinct ids and distinct profiles
   written in one go; wall time = burst written → last answer read. Repeated `--bursts` times in fresh
   processes (each uses 104 of the 300 requests a minute allows). The same burst sent by httpx2 alone
   shows what the fake and the HTTP stack contribute.
4. **Catalog size**: bytes of the `tools/list` response line, and o200k_base tokens (`bpe-openai`) of
   the compact JSON text (`json.dumps(result["tools"], separators=(",", ":"), ensure_ascii=False)`),
   for the default catalog and with `LINKUP_TOOLSETS=<name>` for each toolset (profiles, messages,
   network, content, recruiter, mail, accounts, credits, then any other `category:` in `tool_specs/`).
5. **Memory**: VmRSS from `/proc/<pid>/status` in the per-call processes of 2: after tools/list, after
   the warm-up calls, after all calls. Growth is measured from after the warm-up calls (the first
   calls compile the argument validators and load the HTTP stack once); the limit (4 MiB, "small") is this benchmark's choice.
6. **Performance decisions** (`benchmarks/tricks.py`): the fake answers after 300 ms, as the real API
   takes hundreds of milliseconds. Every variant runs through `benchmarks/variant_server.py` (the
   same launcher for all), which switches the named trick off before the server starts; each has a
   ledger file of its own, `LINKUP_CACHE_TTL=0` and `LINKUP_RATE_LIMIT=100000`. Per call: three
   untimed calls, then sequential `profiles_get` calls, the variants taking turns call by call.
   Bursts: a fresh process, three calls, then 100 calls (distinct profiles) written at once; wall time
   to the last answer, and the server's CPU time (user + system, `/proc/<pid>/stat`) per call.
   Start-up as in 1. The variants take turns, each round starting with the next one. Medians, except
   for start-up, where the fastest run of each variant is compared (other work on the machine only
   adds to a start); ratios are "without / as is".
"""

# Measured once, on the commits that still had them: what each removed trick saved. Kept as a
# record (the code is gone, so run.py cannot measure it again); how to reproduce it is in the text.
REMOVED = """\
**What went.** Each trick switched off alone, on 32c39ef (the last commit with all of them), by
`benchmarks/tricks.py` as of 965d7d9 with `--linkup-root` a checkout of 32c39ef: 30 sequential calls
per variant against a 300 ms API, 10 bursts of 50 calls in a warm process, 40 start-ups; "without /
with", above 1 the trick saved time. As is, a call took 305.2 ms, a burst 364.4 ms, start-up 630.2 ms.

| Trick (where it was) | Per call without it | Burst of 50 without it | Start-up without it | Now |
| --- | ---: | ---: | ---: | --- |
| Own stdio transport: stdin/stdout served by the event loop, a private stdout claim (`stdio_pipes.py`, 108 lines) | 1.001 (+0.30 ms) | 1.035 | | the SDK's `stdio_server`; `stdio_lines.py` only answers lines that are not one JSON-RPC message and reads stdin in a thread a shutdown may abandon (the SDK does neither) |
| Second validator: fastjsonschema accepting valid arguments before jsonschema (`validation.py`, a dependency, a differential test) | 1.000 (−0.01 ms) | 1.043 | | jsonschema alone, one validator per schema |
| Ledger read rows batched by a timer thread, one transaction a second (`ledger.py`) | 0.999 (−0.24 ms) | 1.011 | | each row written at once; every method safe from worker threads, so the pipeline runs them off the event loop |
| Parsed request URLs cached per path (`client.py`) | 1.000 (−0.11 ms) | 1.002 | | the URL given to httpx2 as text |
| Progress heartbeat started by a loop timer, raw asyncio (`heartbeat.py`) | 1.000 (+0.11 ms) | 1.059 | | `heartbeat()`: an anyio task group (the loop-timer `Heartbeat` goes once the pipeline's paging step uses it) |
| Tool result handed to the SDK as its wire dict, typed away (`server.py`) | 1.000 (−0.04 ms) | 0.988 | | a `CallToolResult` |
| Parsed YAML specs kept as JSON in the user cache dir (`loader.py`) | 1.001 (+0.17 ms) | 1.026 | 1.035 (+22.1 ms) | the YAML parsed at each start (about 20 ms: import and parse) |
| All per-call tricks at once, `gc.freeze()` included | 1.002 (+0.72 ms) | 1.043 | | |
| Rate limiter skipping its lock while it has room (`rate_window.py`) | 1.000 (+0.08 ms) | 0.997 | | not changed here; it pays no more than the others |

Noise: in that run the start-up tricks, which cannot change a burst, showed bursts of 1.029 and
1.048 "without". A session's first burst, in a fresh process, is where a server's CPU per call shows
most (100 answers ready in the same millisecond): measured with `tricks.py --compare` against a
checkout of 5dd3347, the commit before this change (its own stdio transport, second validator, URL
cache and wire-dict result still in place), 6 bursts of 100 per variant, that burst took 1.016× as
long with those tricks as without at a constant 300 ms, and 1.019× with each request's latency drawn
between 0.3 and 1.5 s; the same run put a variant that cannot change a burst at 0.914, so none of
this is beyond the noise. `gc.freeze()` is beyond it, and stays (above).
"""

RULE = """\
A trick stays only if users would notice its absence (5% or more of a call, of a burst of
concurrent calls, or of start-up) or a target above needs it. Real LinkupAPI calls take hundreds of
milliseconds, so every per-call trick was measured against a fake API answering in 300 ms
(`benchmarks/tricks.py`): none saved as much as 1 ms of a 305 ms call, and all went but one, which
pays in bursts. Start-up is the start-up target's business: what stays there, the target needs."""

WHY_KEPT = {
    "lazy-http-client": (
        "`api/client.py`",
        "Building the HTTP client and its TLS context costs 35–50 ms (measured alone), and the start-up "
        "target has less margin than that. One property (`LinkupClient._http`).",
    ),
    "lazy-jsonschema": (
        "`call/validation.py`",
        "Importing jsonschema costs about 25 ms (measured alone); imported where it is used, it costs no code.",
    ),
    "gc-freeze": (
        "`mcp/server.py`",
        "Without it, a session's first burst of concurrent calls pays one more full pass of the collector over "
        "everything start-up built (50–100 ms here, more under load; seen with `gc.callbacks`): bursts took "
        "1.13–1.29× as long in most runs at a constant API latency, 1.03× with latencies spread. The concurrency "
        "target needs it. One line.",
    ),
}


def _startup_md(r: Results) -> list[str]:
    lines = [
        "| Server | spawn → initialize, median | max | spawn → tools/list, median | max | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, s in r.startup.items():
        lines.append(
            f"| {label} | {ms(median(s.initialize))} | {ms(max(s.initialize))} | {ms(median(s.tools_list))} "
            f"| {ms(max(s.tools_list))} | {len(s.initialize)} |"
        )
    return lines


def _calls_md(r: Results) -> list[str]:
    lines = [
        "| Path | p50 | p99 | mean | max | p50, taking turns | p99, taking turns |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    turn_calls, turn_http = r.turns
    entries: list[tuple[str, Latencies, Latencies]] = [
        (label, run.latencies, turn_calls[label].latencies) for label, run in r.calls.items()
    ]
    entries.append(("httpx2 POST to the fake, direct", r.http, turn_http))
    for label, lat, turn in entries:
        mean = sum(lat.samples) / len(lat.samples)
        lines.append(
            f"| {label} | {ms(lat.p50)} | {ms(lat.p99)} | {ms(mean)} | {ms(max(lat.samples))} "
            f"| {ms(turn.p50)} | {ms(turn.p99)} |"
        )
    fl, http, turn_fl = r.calls["floor"].latencies, r.http, turn_calls["floor"].latencies
    lines.append(
        f"| floor + httpx2 (reference) | {ms(fl.p50 + http.p50)} | {ms(fl.p99 + http.p99)} | | "
        f"| {ms(turn_fl.p50 + turn_http.p50)} | {ms(turn_fl.p99 + turn_http.p99)} |"
    )
    link, turn_link = r.calls["linkup-mcp"].latencies, turn_calls["linkup-mcp"].latencies
    lines.append(
        f"| linkup-mcp / reference | {link.p50 / (fl.p50 + http.p50):.3f} | {link.p99 / (fl.p99 + http.p99):.3f} "
        f"| | | {turn_link.p50 / (turn_fl.p50 + turn_http.p50):.3f} "
        f"| {turn_link.p99 / (turn_fl.p99 + turn_http.p99):.3f} |"
    )
    lines += [
        "",
        f"Timed calls per path: {len(link.samples)} in blocks (the targets), {len(turn_link.samples)} taking turns.",
    ]
    return lines


def _bursts_md(r: Results) -> list[str]:
    lines = [
        "| Burst | one call | first answer | last answer (wall) | wall / one call |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for i, b in enumerate(r.bursts, 1):
        lines.append(f"| {i} | {ms(b.single)} | {ms(b.first)} | {ms(b.wall)} | {b.wall / b.single:.2f} |")
    lines.append(f"| httpx2 alone, same burst | | | {ms(r.http_burst)} | |")
    return lines


def _catalog_md(r: Results) -> list[str]:
    lines = [
        "| Tools listed | tools | response bytes | tools JSON bytes | o200k tokens |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for c in r.catalog:
        name = {
            "full": "default (all toolsets)",
            "compact": "LINKUP_TOOL_MODE=compact",
            "before": "default, before issue 19",
        }.get(c.name, f"LINKUP_TOOLSETS={c.name}")
        lines.append(f"| {name} | {c.tools} | {c.response_bytes:,} | {c.tools_json_bytes:,} | {c.tokens:,} |")
    full = next(c for c in r.catalog if c.name == "full")
    before = next((c for c in r.catalog if c.name == "before"), None)
    lines += [
        "",
        f"Where the {full.tokens:,} tokens of the default catalog go (each field's value counted alone, summed over "
        "the tools; the rest is keys and punctuation)"
        + (f", before issue 19 ({before.tokens:,}) and now:" if before else ":"),
        "",
        "| Field | before | now | share now |" if before else "| Field | tokens | share |",
        "| --- | ---: | ---: | ---: |" if before else "| --- | ---: | ---: |",
    ]
    keys = sorted(
        {*full.by_field, *(before.by_field if before else {})}, key=lambda k: -(before or full).by_field.get(k, 0)
    )
    for key in keys:
        now = full.by_field.get(key, 0)
        was = f"{before.by_field.get(key, 0):,} | " if before else ""
        lines.append(f"| {key} | {was}{now:,} | {now / full.tokens:.0%} |")
    seen = ("name", "description", "inputSchema")  # what Claude's and OpenAI's tool APIs hand the model
    visible = sum(full.by_field.get(k, 0) for k in seen)
    visible_before = sum(before.by_field.get(k, 0) for k in seen) if before else 0
    lines += [
        "",
        "Clients that turn MCP tools into a model API's tools (Claude's, OpenAI's) pass on a tool's name, "
        f"description and input schema only: {visible:,} tokens of those values now"
        + (f", {visible_before:,} before ({(visible - visible_before) / visible_before:+.0%})." if before else "."),
    ]
    return lines


def _memory_md(r: Results) -> list[str]:
    total, warmup = r.settings["calls"], r.settings["warmup"]
    lines = [
        f"| Server | after tools/list | after {warmup} calls | after {total:,} calls | growth (list → end) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, run in r.calls.items():
        lines.append(
            f"| {label} | {mib(run.rss_after_list)} | {mib(run.rss_after_warmup)} | {mib(run.rss_after_all)} "
            f"| {(run.rss_after_all - run.rss_after_list):,} KiB |"
        )
    return lines


def _tasks_md(r: Results) -> list[str]:
    if not r.tasks:
        return []
    return [
        "## Per task: tokens, credits and wall time",
        "",
        tasks.INTRO.format(settings=r.settings.get("tasks", "")),
        "",
        *tasks.summary_markdown(r.tasks),
        "",
        tasks.READING,
        "",
        "Each task in each variant:",
        "",
        *tasks.per_task_markdown(r.tasks),
        "",
        *(f"- {line}" for line in tasks.batch_lines(r.tasks)),
        "",
        tasks.instructions_line(r.tasks),
        "",
        tasks.METHOD,
        "",
    ]


def _decisions_md(r: Results) -> list[str]:
    base, ns = r.tricks[0], r.tricks_settings
    lines = [
        RULE,
        "",
        f"**What stays**, measured in this run against a {ns.latency * 1000:.0f} ms API: {len(base.calls)} sequential "
        f"calls, {len(base.bursts)} bursts of {ns.burst} calls each in a fresh process, and {len(base.startup)} "
        f"start-ups per variant. As is, a call takes {tricks.median_ms(base.calls)}, a burst "
        f"{tricks.median_ms(base.bursts)} (the server's CPU: {tricks.median_ms(base.cpu)} a call), start-up "
        f"{tricks.median_ms(base.startup)} (fastest {tricks.min_ms(base.startup)}). On a shared machine these "
        "figures move by several percent from run to run.",
        "",
        f"| Trick | Where | Per call without it | Burst of {ns.burst} without it | Start-up without it | Why it stays |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in tricks.rows(r.tricks):
        name = row.label.removeprefix("without ")
        where, why = WHY_KEPT.get(name, ("", ""))
        call = f"{tricks.fmt(row.call)} ({tricks.fmt(row.call_ms, '+.2f')} ms)" if row.call else ""
        burst = f"{tricks.fmt(row.burst)} (CPU {tricks.fmt(row.cpu_ms, '+.2f')} ms a call)" if row.burst else ""
        startup = f"{tricks.fmt(row.startup)} ({tricks.fmt(row.startup_ms, '+.1f')} ms)" if row.startup else ""
        lines.append(f"| {tricks.TRICKS.get(name, name)} | {where} | {call} | {burst} | {startup} | {why} |")
    return [*lines, "", REMOVED]


def markdown(r: Results, table: list[Row], linkup_root: Path, notes: list[str]) -> str:
    passed = sum(row.passed for row in table)
    parts = [
        "# linkup-mcp benchmarks",
        "",
        "Written by `benchmarks/run.py` from a real run; do not edit by hand.",
        "",
        HOW_TO_RUN,
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in machine(linkup_root)),
        "",
        f"Counts: {', '.join(f'{k}={v}' for k, v in r.settings.items())}; run took {r.seconds:.0f} s.",
        "",
        f"## Targets: {passed} of {len(table)} pass",
        "",
        "| Measure | linkup-mcp | Floor / reference | Ratio | Target | Result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        *(
            f"| {row.measure} | {row.value} | {row.reference} | {row.ratio:.3f} | {row.target} | **{row.verdict}** |"
            for row in table
        ),
        "",
        *_tasks_md(r),
        "## Performance decisions",
        "",
        *_decisions_md(r),
        "## Details",
        "",
        "### 1. Start-up",
        "",
        *_startup_md(r),
        "",
        "### 2. Per-call overhead (sequential calls after warm-up)",
        "",
        *_calls_md(r),
        "",
        "### 3. Concurrency (100 calls at once over one stdio session, API latency 200 ms)",
        "",
        *_bursts_md(r),
        "",
        "### 4. Catalog size",
        "",
        *_catalog_md(r),
        "",
        "### 5. Memory (VmRSS)",
        "",
        *_memory_md(r),
        "",
    ]
    if notes:
        parts += ["## Notes from this run", "", *(f"- {n}" for n in notes), ""]
    parts += [METHOD]
    return "\n".join(parts)
