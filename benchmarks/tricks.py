"""Does each performance trick still pay against a real API's latency? With and without, in one run.

    uv run python benchmarks/tricks.py [--latency 0.3] [--calls 20] [--bursts 3] [--runs 20]
    uv run python benchmarks/tricks.py --latency 0.3 --latency-max 1.5   # each request 0.3-1.5 s
    uv run python benchmarks/tricks.py --compare /tmp/old   # and a checkout of another commit

Every variant is the real server over stdio (benchmarks/variant_server.py, the same launcher for
all), against the fake API answering after `--latency` seconds, with a ledger file of its own.
"as is" runs the code unchanged; each "without" variant switches one trick off; `--compare`
adds another checkout as it is. Per call: sequential `tools/call`s, the variants taking turns call
by call; a burst (in a fresh process, after three calls): 100 calls written at once, wall time to
the last answer and the server's CPU time per call (from /proc); start-up: spawn →
initialize answered, the variants taking turns. Medians, except start-up: the fastest of the runs
(other work on the machine only ever adds to a start, and by seconds' worth of noise where the
differences are tens of milliseconds). Ratios are "variant / as is": above 1 the trick (or this
checkout) saves time. benchmarks/RESULTS.md ("Performance decisions") says which tricks
stay and why. Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from fake_api import FakeApi
from measure import PROFILE_URL, startup_once
from stdio_proc import ROOT, ServerCommand, StdioProcess, bytecode_env, call_tool, linkup_command
from variant_server import PATCHES

P = TypeVar("P")
LAUNCHER = Path(__file__).with_name("variant_server.py")
AS_IS = "as is"
# The tricks that stay (benchmarks/RESULTS.md, "Performance decisions"); variant_server.py switches each off.
TRICKS = {
    "lazy-http-client": "HTTP client and its TLS context built on the first request",
    "lazy-jsonschema": "jsonschema imported by the first call",
    "gc-freeze": "`gc.freeze()` once start-up is done",
}
assert set(TRICKS) == set(PATCHES)


@dataclass
class Variant:
    label: str
    root: Path
    without: tuple[str, ...] = ()
    calls: list[float] = field(default_factory=list)  # seconds, sequential calls
    bursts: list[float] = field(default_factory=list)  # seconds, burst written -> last answer
    cpu: list[float] = field(default_factory=list)  # seconds of server CPU per call in a burst (Linux)
    startup: list[float] = field(default_factory=list)  # seconds, spawn -> initialize answered


def command(base_url: str, py: dict[str, str], v: Variant, ledger: Path) -> ServerCommand:
    base = linkup_command(base_url, py, v.root, cache_ttl="0", rate_limit="100000", ledger=str(ledger))
    env = {**base.env, "BENCH_WITHOUT": ",".join(v.without)}
    return ServerCommand(v.label, [sys.executable, str(LAUNCHER), str(v.root)], env, v.root)


def variants(root: Path, names: list[str], compare: Path | None) -> list[Variant]:
    found = [Variant(AS_IS, root), *(Variant(f"without {n}", root, (n,)) for n in names)]
    if compare is not None:
        found.append(Variant(f"checkout {compare}", compare))
    return found


def measure_calls(found: list[Variant], base_url: str, py: dict[str, str], calls: int, folder: Path) -> None:
    """One process per variant; warm-up, then the variants take turns call by call."""
    procs = [StdioProcess(command(base_url, py, v, folder / f"ledger-{i}.sqlite3")) for i, v in enumerate(found)]
    try:
        for proc in procs:
            _warm_up(proc)
        ids = iter(range(100, 10**9))
        for turn in range(calls):
            for v, proc in _rotated(list(zip(found, procs, strict=True)), turn):
                started = time.perf_counter()
                _ok(proc.request(call_tool(next(ids), "profiles_get", {"profile_url": PROFILE_URL})))
                v.calls.append(time.perf_counter() - started)
    finally:
        for proc in procs:
            proc.close()


def measure_bursts(
    found: list[Variant], base_url: str, py: dict[str, str], bursts: int, size: int, folder: Path
) -> None:
    """Each burst in a fresh process (a session's first burst), the variants taking turns."""
    pairs = [(v, command(base_url, py, v, folder / f"burst-{i}.sqlite3")) for i, v in enumerate(found)]
    for turn in range(bursts):
        for v, c in _rotated(pairs, turn):
            with StdioProcess(c) as proc:
                _warm_up(proc)
                lines = [
                    call_tool(1000 + i, "profiles_get", {"profile_url": f"{PROFILE_URL}-{i}"}) for i in range(size)
                ]
                cpu, started = _cpu_seconds(proc), time.perf_counter()
                proc.send(b"".join(lines))
                for _ in range(size):
                    _ok(proc.reply())
                v.bursts.append(time.perf_counter() - started)
                time.sleep(0.05)  # the last answer's bookkeeping (ledger row) ends too
                if cpu is not None and (after := _cpu_seconds(proc)) is not None:
                    v.cpu.append((after - cpu) / size)


def _warm_up(proc: StdioProcess) -> None:
    """Handshake, then three calls: the connection opened, the validators built."""
    proc.handshake()
    for i in range(3):
        _ok(proc.request(call_tool(1 + i, "profiles_get", {"profile_url": PROFILE_URL})))


def _cpu_seconds(proc: StdioProcess) -> float | None:
    """User + system CPU time of the server process so far (from /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{proc.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_startup(found: list[Variant], base_url: str, py: dict[str, str], runs: int, folder: Path) -> None:
    pairs = [(v, command(base_url, py, v, folder / f"start-{i}.sqlite3")) for i, v in enumerate(found)]
    for _, c in pairs:  # untimed: byte-code and page cache
        startup_once(c)
    for turn in range(runs):
        for v, c in _rotated(pairs, turn):
            v.startup.append(startup_once(c)[0])


def _rotated(pairs: list[P], turn: int) -> list[P]:
    """The variants in turn, each round starting one further, so that none always goes first."""
    start = turn % len(pairs)
    return pairs[start:] + pairs[:start]


def _ok(answer: dict[str, object]) -> None:
    result = answer.get("result")
    if not isinstance(result, dict) or result.get("isError"):
        raise RuntimeError(f"tool call failed: {answer}")


@dataclass(frozen=True)
class Row:
    label: str
    what: str
    call: float | None  # median per call, variant / as is
    call_ms: float | None  # median per call, variant minus as is, ms
    burst: float | None
    cpu_ms: float | None  # server CPU per call in a burst, variant minus as is, ms
    startup: float | None  # fastest start-up, variant / as is
    startup_ms: float | None  # fastest start-up, variant minus as is, ms


def rows(found: list[Variant]) -> list[Row]:
    base = found[0]
    return [
        Row(
            v.label,
            TRICKS[v.without[0]] if v.without else "another checkout, as it is",
            _ratio(v.calls, base.calls),
            _diff(v.calls, base.calls),
            _ratio(v.bursts, base.bursts),
            _diff(v.cpu, base.cpu),
            min(v.startup) / min(base.startup) if v.startup and base.startup else None,
            (min(v.startup) - min(base.startup)) * 1000 if v.startup and base.startup else None,
        )
        for v in found[1:]
    ]


def _ratio(a: list[float], b: list[float]) -> float | None:
    return statistics.median(a) / statistics.median(b) if a and b else None


def _diff(a: list[float], b: list[float]) -> float | None:
    return (statistics.median(a) - statistics.median(b)) * 1000 if a and b else None


def collect(ns: argparse.Namespace, py: dict[str, str], log: bool = True) -> list[Variant]:
    found = variants(ns.linkup_root.resolve(), ns.tricks or list(TRICKS), ns.compare)
    fake = FakeApi(latency=ns.latency, latency_max=ns.latency_max or 0.0)
    with fake as api, tempfile.TemporaryDirectory(prefix="linkup-tricks-") as folder:
        if ns.calls:
            if log:
                print(f"per call: {len(found)} variants, {ns.calls} calls each", file=sys.stderr)
            measure_calls(found, api.base_url, py, ns.calls, Path(folder))
        if ns.bursts:
            if log:
                print(f"bursts: {len(found)} variants, {ns.bursts} bursts of {ns.burst} each", file=sys.stderr)
            measure_bursts(found, api.base_url, py, ns.bursts, ns.burst, Path(folder))
        if ns.runs:
            if log:
                print(f"start-up: {len(found)} variants, {ns.runs} spawns each", file=sys.stderr)
            measure_startup(found, api.base_url, py, ns.runs, Path(folder))
    return found


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms" if samples else "-"


def min_ms(samples: list[float]) -> str:
    return f"{min(samples) * 1000:.1f} ms" if samples else "-"


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "" if value is None else format(value, spec)


def text(found: list[Variant], ns: argparse.Namespace) -> str:
    base = found[0]
    api = f"{ns.latency:g}" + (f"-{ns.latency_max:g}" if ns.latency_max else "")
    lines = [
        f"as is, API {api} s: per call {median_ms(base.calls)}, burst of {ns.burst} {median_ms(base.bursts)} "
        f"(server CPU {median_ms(base.cpu)} a call), start-up {median_ms(base.startup)} (fastest {min_ms(base.startup)})",
        f"{'variant':<32} {'per call':>9} {'Δ ms':>7} {'burst':>7} {'CPU Δ ms':>9} {'start-up':>9} {'Δ ms':>7}",
    ]
    for r in rows(found):
        lines.append(
            f"{r.label[:32]:<32} {fmt(r.call):>9} {fmt(r.call_ms, '+.2f'):>7} {fmt(r.burst):>7} "
            f"{fmt(r.cpu_ms, '+.2f'):>9} {fmt(r.startup):>9} {fmt(r.startup_ms, '+.1f'):>7}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds the fake API takes per request (0.3)")
    parser.add_argument("--calls", type=int, default=20, help="sequential timed calls per variant, 0 for none (20)")
    parser.add_argument("--latency-max", type=float, help="draw each request's latency up to this (uniform)")
    parser.add_argument("--bursts", type=int, default=3, help="bursts per variant, each in a fresh process (3)")
    parser.add_argument("--burst", type=int, default=100, help="calls written at once in a burst (100)")
    parser.add_argument("--runs", type=int, default=20, help="start-up spawns per variant, 0 for none (20)")
    parser.add_argument("--tricks", nargs="*", choices=list(TRICKS), help="only these (default: every one)")
    parser.add_argument("--linkup-root", type=Path, default=ROOT, help="checkout whose linkup_mcp is measured")
    parser.add_argument("--compare", type=Path, help="also measure this checkout as it is (e.g. an older commit)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="linkup-bench-pyc-") as folder:
        found = collect(ns, bytecode_env(folder))
    print(text(found, ns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
