"""The measurements, each returning plain numbers; no targets or printing here (see report.py)."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx2
from stdio_proc import (
    ACCOUNT_ID,
    DUMMY_KEY,
    ServerCommand,
    ServerError,
    StdioProcess,
    call_tool,
    initialize,
    message,
)

PROFILE_URL = "https://www.linkedin.com/in/jane-doe"
ECHO_ARGS: dict[str, object] = {"text": "hello"}
TOOLSETS = ("profiles", "messages", "network", "content", "recruiter", "mail", "accounts", "credits")


def toolsets(root: Path) -> list[str]:
    """The toolsets above, then any other `category:` found in `root/tool_specs/*.yaml`."""
    found = [m.group(1) for f in sorted((root / "tool_specs").glob("*.yaml")) if (m := _CATEGORY.search(f.read_text()))]
    return [*TOOLSETS, *(c for c in dict.fromkeys(found) if c not in TOOLSETS)]


_CATEGORY = re.compile(r"^category:\s*([\w-]+)", re.MULTILINE)


def percentile(samples: Sequence[float], q: int) -> float:
    """The q-th percentile (1..99), interpolated between the closest ranks."""
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


@dataclass
class Latencies:
    samples: list[float]  # seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)


# --- 1. start-up -------------------------------------------------------------------------


@dataclass
class Startup:
    initialize: list[float]  # spawn -> initialize answered, seconds
    tools_list: list[float]  # spawn -> tools/list answered


def startup_once(command: ServerCommand) -> tuple[float, float]:
    """Spawn, write `initialize` at once (it waits in the pipe), time the two answers."""
    with StdioProcess(command) as proc:
        proc.request(initialize())
        initialized = time.perf_counter() - proc.spawned_at
        proc.send(message("notifications/initialized"))
        proc.request(message("tools/list", None, 1))
        listed = time.perf_counter() - proc.spawned_at
    return initialized, listed


def startup(commands: Sequence[ServerCommand], runs: int) -> dict[str, Startup]:
    """`runs` spawns of each server, interleaved so drift on the machine hits both alike;
    one untimed spawn of each first (byte-code cache, page cache)."""
    for command in commands:
        startup_once(command)
    results = {c.label: Startup([], []) for c in commands}
    for _ in range(runs):
        for command in commands:
            initialized, listed = startup_once(command)
            results[command.label].initialize.append(initialized)
            results[command.label].tools_list.append(listed)
    return results


# --- 2 and 5. sequential calls: latency and memory ------------------------------------------


@dataclass(frozen=True)
class CallTarget:
    label: str
    command: ServerCommand
    tool: str
    arguments: dict[str, object]


@dataclass
class CallRun:
    latencies: Latencies  # the timed calls (after warm-up)
    rss_after_list: int  # KiB, after initialize + tools/list
    rss_after_warmup: int  # KiB, after the warm-up calls
    rss_after_all: int  # KiB, after every call


HTTP_DIRECT = "httpx2 POST to the fake, direct"


def sequential_calls(
    targets: Sequence[CallTarget], http_base_url: str, total: int, warmup: int, *, block: int
) -> tuple[dict[str, CallRun], Latencies]:
    """Each server in a process of its own: handshake, tools/list, then `total` sequential calls,
    the first `warmup` untimed; RSS from /proc after tools/list, after warm-up and after its last call.
    Plus a direct httpx2 client sending the request linkup-mcp sends for profiles_get (pooled
    AsyncClient, reply decoded as JSON, as any client must): the HTTP part of a call alone.

    After the warm-up (taken in turns) they take turns by blocks of `block` calls, so drift in the
    machine's load hits all alike. block > 1: calls back to back within a block, processes hot,
    the first call of each block untimed (it finds its process idle). block = 1: every call finds
    its process idle since its previous call, as in real use; all of them timed."""

    async def run() -> tuple[dict[str, CallRun], Latencies]:
        with ExitStack() as stack:
            procs = {t.label: stack.enter_context(StdioProcess(t.command)) for t in targets}
            rss: dict[str, list[int]] = {}
            for label, proc in procs.items():
                proc.handshake()
                proc.request(message("tools/list", None, 1))
                rss[label] = [proc.rss_kib()]
            samples: dict[str, list[float]] = {label: [] for label in [*procs, HTTP_DIRECT]}
            body = {"account_id": ACCOUNT_ID, "action": "get", "params": {"profile_url": PROFILE_URL}}
            async with httpx2.AsyncClient(base_url=http_base_url, headers={"x-api-key": DUMMY_KEY}) as http:

                async def post() -> float:
                    started = time.perf_counter()
                    response = await http.post("/v2/profiles", json=body)
                    response.json()
                    elapsed = time.perf_counter() - started
                    response.raise_for_status()
                    return elapsed

                for label, i, timed in _schedule(list(samples), total, warmup, block):
                    if label == HTTP_DIRECT:
                        elapsed = await post()
                    else:
                        target = next(t for t in targets if t.label == label)
                        elapsed = _timed_call(procs[label], target, 10 + i)
                        if i in (warmup - 1, total - 1):
                            rss[label].append(procs[label].rss_kib())
                    if timed:
                        samples[label].append(elapsed)
        runs = {label: CallRun(Latencies(samples[label]), *rss[label]) for label in procs}
        return runs, Latencies(samples[HTTP_DIRECT])

    return anyio.run(run)


def _schedule(labels: list[str], total: int, warmup: int, block: int) -> list[tuple[str, int, bool]]:
    """(who, call number, timed) in the order to run them."""
    order = [(label, i, False) for i in range(warmup) for label in labels]
    for start in range(warmup, total, block):
        for label in labels:
            order += [(label, i, block == 1 or i > start) for i in range(start, min(start + block, total))]
    return order


def _timed_call(proc: StdioProcess, target: CallTarget, id: int) -> float:
    line = call_tool(id, target.tool, target.arguments)
    started = time.perf_counter()
    answer = proc.request(line)
    elapsed = time.perf_counter() - started
    _check_ok(target.command, answer)
    return elapsed


def _check_ok(command: ServerCommand, answer: dict[str, object]) -> None:
    result = answer.get("result")
    if not isinstance(result, dict) or result.get("isError"):
        raise ServerError(f"{command.label}: tool call failed: {json.dumps(answer)[:500]}")


# --- 3. concurrency ------------------------------------------------------------------------


@dataclass
class Concurrency:
    single: float  # median of a few lone calls, seconds
    first: float  # burst written -> first answer read
    wall: float  # burst written -> last answer read
    calls: int


def concurrent_calls(command: ServerCommand, calls: int, singles: int = 3) -> Concurrency:
    """Lone calls first (after one to open the connection), then `calls` requests with distinct
    ids written in one go over the same session; the wall time ends with the last answer."""

    def profile(i: int) -> dict[str, object]:
        return {"profile_url": f"https://www.linkedin.com/in/person-{i}"}  # distinct: no cache hit

    with StdioProcess(command) as proc:
        proc.handshake()
        _check_ok(command, proc.request(call_tool(1, "profiles_get", profile(1))))
        lone: list[float] = []
        for i in range(singles):
            started = time.perf_counter()
            _check_ok(command, proc.request(call_tool(2 + i, "profiles_get", profile(2 + i))))
            lone.append(time.perf_counter() - started)
        burst = b"".join(call_tool(100 + i, "profiles_get", profile(100 + i)) for i in range(calls))
        started = time.perf_counter()
        proc.send(burst)
        ids = set()
        arrivals: list[float] = []
        for _ in range(calls):
            answer = proc.reply()
            arrivals.append(time.perf_counter() - started)
            _check_ok(command, answer)
            ids.add(answer["id"])
    if len(ids) != calls:
        raise ServerError(f"{command.label}: {len(ids)} distinct answers to {calls} requests")
    return Concurrency(statistics.median(lone), arrivals[0], arrivals[-1], calls)


def direct_http_burst(base_url: str, calls: int) -> float:
    """Wall time of `calls` concurrent POSTs from one pooled httpx2.AsyncClient (100 connections,
    as linkup-mcp's): what the fake and the HTTP stack alone make of the same burst."""

    async def run() -> float:
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=20)
        async with httpx2.AsyncClient(base_url=base_url, headers={"x-api-key": DUMMY_KEY}, limits=limits) as http:

            async def one(i: int) -> None:
                body = {"account_id": ACCOUNT_ID, "action": "get", "params": {"profile_url": f"{PROFILE_URL}-{i}"}}
                response = await http.post("/v2/profiles", json=body)
                response.raise_for_status()
                response.json()

            await one(-1)  # open the first connection, as the server's lone calls do
            started = time.perf_counter()
            async with anyio.create_task_group() as tasks:
                for i in range(calls):
                    tasks.start_soon(one, i)
            return time.perf_counter() - started

    return anyio.run(run)


# --- 4. catalog size -----------------------------------------------------------------------


@dataclass
class CatalogSize:
    name: str  # "full" or a toolset
    tools: int
    response_bytes: int  # the whole tools/list JSON-RPC line as sent
    tools_json_bytes: int  # compact JSON of result.tools (what gets tokenized)
    tokens: int  # o200k_base tokens of that text
    by_field: dict[str, int]  # tokens of each tool field's value (compact JSON), summed over the tools


def catalog_size(name: str, command: ServerCommand, count_tokens: Callable[[str], int]) -> CatalogSize:
    with StdioProcess(command) as proc:
        proc.handshake()
        proc.send(message("tools/list", None, 1))
        line = proc.read_line()
    tools = json.loads(line)["result"]["tools"]
    text = _compact(tools)
    by_field: dict[str, int] = {}
    for tool in tools:
        for key, value in tool.items():
            by_field[key] = by_field.get(key, 0) + count_tokens(value if isinstance(value, str) else _compact(value))
    return CatalogSize(name, len(tools), len(line.rstrip(b"\n")), len(text.encode()), count_tokens(text), by_field)


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def o200k_counter() -> Callable[[str], int]:
    import bpe_openai

    encoding = bpe_openai.get_encoding("o200k_base")
    return lambda text: len(encoding.encode(text))
