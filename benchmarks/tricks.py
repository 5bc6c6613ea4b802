"""Does each performance trick pay against a real API's latency? With and without, in one run.

    uv run python benchmarks/tricks.py [--latency 0.3] [--calls 15] [--bursts 3] [--runs 10]

Every variant is the real server over stdio (benchmarks/variant_server.py, the same launcher for
all), against the fake API answering after `--latency` seconds, with a ledger file of its own.
"as is" runs the code unchanged; each other variant switches one trick off. Per call: sequential
`tools/call`s, the variants taking turns call by call; a burst: 50 calls written at once, wall
time to the last answer. Start-up (spawn → initialize answered) for the tricks that act there.
Ratios are "without / as is": above 1 the trick saves time. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fake_api import FakeApi
from measure import PROFILE_URL, startup_once
from stdio_proc import ROOT, ServerCommand, StdioProcess, bytecode_env, call_tool, linkup_command

LAUNCHER = Path(__file__).with_name("variant_server.py")
AS_IS = "as is"
BURST = 50

# name -> (what it does, where it acts: "call" and/or "start")
TRICKS: dict[str, tuple[str, str]] = {
    "stdio-pipes": ("stdin/stdout served by the event loop, not the SDK's worker threads", "call"),
    "quick-validator": ("fastjsonschema accepts valid arguments before jsonschema", "call"),
    "ledger-timer": ("read rows batched by a timer thread, one transaction a second", "call"),
    "url-cache": ("parsed request URLs cached per path", "call"),
    "heartbeat-timer": ("progress heartbeat started by a loop timer, not a task per call", "call"),
    "gc-freeze": ("gc.freeze() after start-up", "call"),
    "wire-dict-result": ("tool result handed to the SDK as its wire dict, not a model", "call"),
    "limiter-fast-path": ("rate limiter skips its lock while it has room", "call"),
    "yaml-cache": ("parsed YAML specs kept as JSON in the user cache dir", "start"),
    "lazy-http-client": ("HTTP client and TLS context built on the first request", "start"),
    "lazy-jsonschema": ("jsonschema imported by the first call, not at start-up", "start"),
}


@dataclass
class Variant:
    label: str
    without: tuple[str, ...]
    calls: list[float] = field(default_factory=list)  # seconds, sequential calls
    bursts: list[float] = field(default_factory=list)  # seconds, burst written -> last answer
    startup: list[float] = field(default_factory=list)  # seconds, spawn -> initialize answered


def command(base_url: str, py: dict[str, str], root: Path, without: tuple[str, ...], ledger: Path) -> ServerCommand:
    base = linkup_command(base_url, py, root, cache_ttl="0", rate_limit="100000", ledger=str(ledger))
    env = {**base.env, "BENCH_WITHOUT": ",".join(without)}
    return ServerCommand(base.label, [sys.executable, str(LAUNCHER), str(root)], env, root)


def variants(names: list[str]) -> list[Variant]:
    per_call = tuple(n for n in names if "call" in TRICKS[n][1])
    out = [Variant(AS_IS, ())]
    out += [Variant(f"without {n}", (n,)) for n in names]
    if len(per_call) > 1:
        out.append(Variant("without every per-call trick", per_call))
    return out


def measure_calls(found: list[Variant], base_url: str, py: dict[str, str], root: Path, ns: argparse.Namespace) -> None:
    """One process per variant; warm-up, then the variants take turns call by call, then bursts."""
    with tempfile.TemporaryDirectory(prefix="linkup-tricks-") as folder:
        procs = [
            StdioProcess(command(base_url, py, root, v.without, Path(folder) / f"ledger-{i}.sqlite3"))
            for i, v in enumerate(found)
        ]
        try:
            for proc in procs:
                proc.handshake()
                for i in range(3):  # opens the connection, builds the validators
                    _ok(proc.request(call_tool(1 + i, "profiles_get", {"profile_url": PROFILE_URL})))
            ids = iter(range(100, 10**9))
            for turn in range(ns.calls):
                for v, proc in _rotated(found, procs, turn):
                    started = time.perf_counter()
                    _ok(proc.request(call_tool(next(ids), "profiles_get", {"profile_url": PROFILE_URL})))
                    v.calls.append(time.perf_counter() - started)
            for turn in range(ns.bursts):
                for v, proc in _rotated(found, procs, turn):
                    lines = [
                        call_tool(next(ids), "profiles_get", {"profile_url": f"{PROFILE_URL}-{i}"})
                        for i in range(BURST)
                    ]
                    started = time.perf_counter()
                    proc.send(b"".join(lines))
                    for _ in range(BURST):
                        _ok(proc.reply())
                    v.bursts.append(time.perf_counter() - started)
        finally:
            for proc in procs:
                proc.close()


def _rotated(found: list[Variant], procs: list[StdioProcess], turn: int) -> list[tuple[Variant, StdioProcess]]:
    """The variants in turn, each round starting one further, so no variant always goes first."""
    pairs = list(zip(found, procs, strict=True))
    start = turn % len(pairs)
    return pairs[start:] + pairs[:start]


def measure_startup(found: list[Variant], base_url: str, py: dict[str, str], root: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="linkup-tricks-") as folder:
        commands = [command(base_url, py, root, v.without, Path(folder) / "ledger.sqlite3") for v in found]
        for c in commands:  # untimed: byte-code and page cache
            startup_once(c)
        pairs = list(zip(found, commands, strict=True))
        for turn in range(runs):
            start = turn % len(pairs)
            for v, c in pairs[start:] + pairs[:start]:
                v.startup.append(startup_once(c)[0])


def _ok(answer: dict[str, object]) -> None:
    result = answer.get("result")
    if not isinstance(result, dict) or result.get("isError"):
        raise RuntimeError(f"tool call failed: {answer}")


@dataclass(frozen=True)
class Row:
    trick: str
    what: str
    call: float | None  # median per call without / as is
    burst: float | None
    startup: float | None
    call_ms: float | None  # median per call without minus as is, ms
    startup_ms: float | None  # median start-up without minus as is, ms
    startup_min_ms: float | None  # the same for the fastest start of each


def rows(found: list[Variant]) -> list[Row]:
    base = found[0]
    out = []
    for v in found[1:]:
        name = v.without[0] if len(v.without) == 1 else "every per-call trick"
        what = TRICKS[name][0] if name in TRICKS else ", ".join(v.without)
        call = _ratio(v.calls, base.calls)
        out.append(
            Row(
                name,
                what,
                call,
                _ratio(v.bursts, base.bursts),
                _ratio(v.startup, base.startup),
                _diff(v.calls, base.calls),
                _diff(v.startup, base.startup),
                (min(v.startup) - min(base.startup)) * 1000 if v.startup and base.startup else None,
            )
        )
    return out


def _ratio(a: list[float], b: list[float]) -> float | None:
    return statistics.median(a) / statistics.median(b) if a and b else None


def _diff(a: list[float], b: list[float]) -> float | None:
    return (statistics.median(a) - statistics.median(b)) * 1000 if a and b else None


def collect(ns: argparse.Namespace, py: dict[str, str]) -> list[Variant]:
    root = ns.linkup_root.resolve()
    names = ns.tricks or list(TRICKS)
    found = variants(names)
    with FakeApi(latency=ns.latency) as api:
        if ns.calls or ns.bursts:
            print(f"per call: {len(found)} variants, API latency {ns.latency * 1000:.0f} ms", file=sys.stderr)
            measure_calls(found, api.base_url, py, root, ns)
        at_start = [found[0], *(v for v in found[1:] if any("start" in TRICKS[n][1] for n in v.without))]
        if ns.runs and len(at_start) > 1:
            print(f"start-up: {len(at_start)} variants, {ns.runs} spawns each", file=sys.stderr)
            measure_startup(at_start, api.base_url, py, root, ns.runs)
    return found


def text(found: list[Variant], latency: float) -> str:
    base = found[0]
    parts = [
        f"per call {_median_ms(base.calls)} (API {latency * 1000:.0f} ms)",
        f"burst of {BURST} {_median_ms(base.bursts)}",
    ]
    parts.append(f"start-up {_median_ms(base.startup)}")
    lines = [
        "as is: " + ", ".join(parts),
        f"{'without':<22} {'per call':>9} {'Δ ms':>7} {'burst':>7} {'start-up':>9} {'Δ ms':>7} {'Δ min':>7}",
    ]
    for r in rows(found):
        lines.append(
            f"{r.trick:<22} {_fmt(r.call):>9} {_fmt(r.call_ms, '+.2f'):>7} {_fmt(r.burst):>7} "
            f"{_fmt(r.startup):>9} {_fmt(r.startup_ms, '+.1f'):>7} {_fmt(r.startup_min_ms, '+.1f'):>7}"
        )
    return "\n".join(lines)


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms" if samples else "-"


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "" if value is None else format(value, spec)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds the fake API takes per request (0.3)")
    parser.add_argument("--calls", type=int, default=15, help="sequential timed calls per variant (15)")
    parser.add_argument("--bursts", type=int, default=3, help=f"bursts of {BURST} calls per variant (3)")
    parser.add_argument("--runs", type=int, default=20, help="start-up spawns per variant, 0 for none (20)")
    parser.add_argument("--tricks", nargs="*", choices=list(TRICKS), help="only these (default: all)")
    parser.add_argument("--linkup-root", type=Path, default=ROOT, help="checkout whose linkup_mcp is measured")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="linkup-bench-pyc-") as folder:
        found = collect(ns, bytecode_env(folder))
    print(text(found, ns.latency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
