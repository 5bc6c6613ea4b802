"""Run every benchmark in one go, print the results table, write benchmarks/RESULTS.md.

    uv run python benchmarks/run.py [--quick] [--runs N] [--calls N] [--output PATH] [--before PATH]

The task benchmark (benchmarks/tasks.py) compares with the server before issue 19: a checkout
given by --before, else commit BEFORE extracted from git into a temporary folder.

Not a test: pytest never collects this folder (no test_*.py, outside tests/).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import measure
import report
import tasks
import tricks
from fake_api import FakeApi
from stdio_proc import ROOT, bytecode_env, floor_command, linkup_command

DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
BLOCK = 50  # sequential calls per server before the next one takes its turn
TRICKS_LATENCY = 0.3  # seconds: a real LinkupAPI call takes hundreds of milliseconds
BEFORE = "e7eb79e"  # the last commit before issue 19 (tokens, credits and wall time per task)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick", action="store_true", help="smaller counts (5 runs, 400 calls, 1 burst); no RESULTS.md"
    )
    parser.add_argument("--runs", type=int, help="start-up spawns per server (default 20)")
    parser.add_argument("--calls", type=int, help="sequential calls per server, warm-up included (default 1000)")
    parser.add_argument("--warmup", type=int, help="untimed calls at the start (default 100)")
    parser.add_argument("--bursts", type=int, help="100-call bursts, each in a fresh process (default 3)")
    parser.add_argument(
        "--output", type=Path, help=f"where to write the report (default {DEFAULT_OUTPUT}; none with --quick)"
    )
    parser.add_argument("--linkup-root", type=Path, default=ROOT, help="checkout whose linkup_mcp is measured")
    parser.add_argument(
        "--before", type=Path, help=f"checkout of the server before issue 19 (default: {BEFORE} from git)"
    )
    parser.add_argument("--task-latency", type=float, nargs=2, metavar=("LOW", "HIGH"), help="API latency of the tasks")
    parser.add_argument("--no-tasks", action="store_true", help="skip the task benchmark (benchmarks/tasks.py)")
    ns = parser.parse_args(argv)
    quick = {"runs": 5, "calls": 400, "warmup": 50, "bursts": 1}
    full = {"runs": 20, "calls": 1000, "warmup": 100, "bursts": 3}
    for name, value in (quick if ns.quick else full).items():
        if getattr(ns, name) is None:
            setattr(ns, name, value)
    if ns.output is None and not ns.quick:
        ns.output = DEFAULT_OUTPUT
    if ns.calls - ns.warmup < 100 or ns.warmup < 1 or ns.runs < 1 or ns.bursts < 1:
        parser.error("need --runs, --bursts and --warmup >= 1, and at least 100 timed calls (--calls minus --warmup)")
    return ns


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def collect(ns: argparse.Namespace) -> report.Results:
    with (
        tempfile.TemporaryDirectory(prefix="linkup-bench-pyc-") as folder,
        tempfile.TemporaryDirectory(prefix="linkup-bench-before-") as spare,
    ):
        if ns.before is None and not ns.no_tasks:
            ns.before = extract(BEFORE, Path(spare))
        return _collect(ns, bytecode_env(folder))


def extract(commit: str, folder: Path) -> Path | None:
    """`commit`'s files in `folder` (git archive: the checkout and its index stay untouched)."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        step(f"no 'before' runs: git archive {commit} failed ({archive.stderr.decode().strip()})")
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def _collect(ns: argparse.Namespace, py: dict[str, str]) -> report.Results:
    started = time.perf_counter()
    root = ns.linkup_root.resolve()
    profile: dict[str, object] = {"profile_url": measure.PROFILE_URL}
    with FakeApi() as api:
        step(f"start-up: {ns.runs} spawns of each server")
        startup = measure.startup([linkup_command(api.base_url, py, root), floor_command(py)], ns.runs)
        step(f"per-call: {ns.calls} sequential calls per server, {ns.warmup} untimed, in blocks of {BLOCK}")
        fast = {"rate_limit": "100000"}
        targets = [
            measure.CallTarget(
                "linkup-mcp", linkup_command(api.base_url, py, root, cache_ttl="0", **fast), "profiles_get", profile
            ),
            measure.CallTarget("floor", floor_command(py), "echo", measure.ECHO_ARGS),
            measure.CallTarget(
                "linkup-mcp (cache hit)", linkup_command(api.base_url, py, root, **fast), "profiles_get", profile
            ),
        ]
        calls, http = measure.sequential_calls(targets, api.base_url, ns.calls, ns.warmup, block=BLOCK)
        step("per-call, again with the servers taking turns call by call (each call finds its process idle)")
        turns = measure.sequential_calls(targets, api.base_url, ns.calls, ns.warmup, block=1)
        step("catalog: tools/list of the default catalog and of each toolset")
        counter = measure.o200k_counter()
        catalog = [measure.catalog_size("full", linkup_command(api.base_url, py, root), counter)]
        catalog.append(
            measure.catalog_size("compact", linkup_command(api.base_url, py, root, tool_mode="compact"), counter)
        )
        if ns.before is not None:
            catalog.append(measure.catalog_size("before", linkup_command(api.base_url, py, ns.before), counter))
        catalog += [
            measure.catalog_size(name, linkup_command(api.base_url, py, root, toolsets=name), counter)
            for name in measure.toolsets(root)
        ]
    with FakeApi(latency=0.2) as slow:
        step(f"concurrency: {ns.bursts} bursts of 100 calls, API latency 200 ms")
        bursts = [
            measure.concurrent_calls(linkup_command(slow.base_url, py, root, cache_ttl="0"), 100)
            for _ in range(ns.bursts)
        ]
        http_burst = measure.direct_http_burst(slow.base_url, 100)
    step(f"performance decisions: the tricks that stay, with and without, API latency {TRICKS_LATENCY * 1000:.0f} ms")
    kept = tricks.parse_args(
        [
            "--latency",
            str(TRICKS_LATENCY),
            "--calls",
            str(ns.runs // 2),
            "--bursts",
            str(max(ns.bursts, 5)),  # a burst varies more than the other measures
            "--runs",
            str(ns.runs),
        ]
    )
    kept.linkup_root = root
    found = tricks.collect(kept, py, log=False)
    task_runs: list[tasks.TaskRun] = []
    task_note = "off"
    if not ns.no_tasks:
        low, high = ns.task_latency or ((0.05, 0.2) if ns.quick else (0.3, 1.5))
        plan = tasks.Settings(low, high, 300 if ns.quick else 60, ns.before, after=root)
        step(
            f"tasks: {len(tasks.TASKS)} tasks x {', '.join(v for v in plan.variants if v != 'before' or ns.before)}, "
            f"API latency {low}-{high} s, batches at {plan.batch_rate_limit}/min"
        )
        task_runs = tasks.collect(plan, log=step)
        task_note = f"latency {low}-{high} s, batches {plan.batch_rate_limit}/min"
    settings: dict[str, object] = {
        "runs": ns.runs,
        "calls": ns.calls,
        "warmup": ns.warmup,
        "bursts": ns.bursts,
        "quick": ns.quick,
        "tasks": task_note,
    }
    return report.Results(
        startup,
        calls,
        http,
        turns,
        bursts,
        http_burst,
        catalog,
        found,
        kept,
        settings,
        task_runs,
        seconds=time.perf_counter() - started,
    )


def notes(r: report.Results) -> list[str]:
    """A few derived facts: where a call's time goes, how a burst drains."""
    link, hit, floor = (r.calls[k].latencies for k in ("linkup-mcp", "linkup-mcp (cache hit)", "floor"))
    out = [
        f"Without HTTP (read-cache hit) a linkup-mcp call takes {report.ms(hit.p50)} at p50 against the floor's "
        f"{report.ms(floor.p50)}: {report.ms(hit.p50 - floor.p50)} of linkup-mcp's own work per call. What only "
        f"an API call adds (cache off minus cache hit: limiter, HTTP, reply decoding, ...) is "
        f"{report.ms(link.p50 - hit.p50)} against {report.ms(r.http.p50)} for the same POST from httpx2 alone.",
    ]
    turn_calls, turn_http = r.turns
    turn_link, turn_floor = turn_calls["linkup-mcp"].latencies, turn_calls["floor"].latencies
    out.append(
        f"With the servers taking turns call by call (each call finds its process idle, as when an agent calls now "
        f"and then) every path is slower: linkup-mcp p50 {report.ms(turn_link.p50)} against "
        f"{report.ms(turn_floor.p50 + turn_http.p50)} for floor + httpx2, a ratio of "
        f"{turn_link.p50 / (turn_floor.p50 + turn_http.p50):.2f} (calls back to back in blocks: "
        f"{link.p50 / (floor.p50 + r.http.p50):.2f}): both sides pay about the same for waking idle processes "
        "(two each: floor and fake, linkup-mcp and fake), which pulls the ratio toward 1."
    )
    mem = r.calls["linkup-mcp"]
    out.append(
        f"linkup-mcp's RSS grew {mem.rss_after_warmup - mem.rss_after_list:,} KiB over the first "
        f"{r.settings['warmup']} calls and {mem.rss_after_all - mem.rss_after_warmup:,} KiB over the "
        f"{len(mem.latencies.samples)} after them."
    )
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > cores / 2:
        out.append(
            f"The 1-minute load average was {load:.2f} on {cores} cores at the end of the run: other work shared "
            f"the machine, so timings are noisier than on an idle one."
        )
    b = sorted(r.bursts, key=lambda x: x.wall)[len(r.bursts) // 2]
    spread = b.wall - b.first
    out.append(
        f"Median burst: first answer after {report.ms(b.first)}, last after {report.ms(b.wall)}; the answers spread "
        f"over {report.ms(spread)}, {report.ms(spread / b.calls)} per call. httpx2 alone sends the same burst to the "
        f"same fake in {report.ms(r.http_burst)}."
    )
    return out


def other_sections(path: Path) -> list[str]:
    """The sections other scripts keep in the report between `<!-- name:start -->` and
    `<!-- name:end -->` (benchmarks/shared_ledger.py): kept as they are, at the end."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [m.group(0) for m in re.finditer(r"<!-- ([\w-]+):start -->.*?<!-- \1:end -->", text, re.DOTALL)]


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    results = collect(ns)
    table = report.rows(results)
    found = notes(results)
    print(report.text_table(table))
    print()
    for note in found:
        print(f"- {note}")
    print()
    print(tricks.text(results.tricks, results.tricks_settings))
    if ns.output:
        text = report.markdown(results, table, ns.linkup_root.resolve(), found)
        ns.output.write_text(text + "".join(f"\n{block}\n" for block in other_sections(ns.output)))
        step(f"wrote {ns.output}")
    step(f"done in {results.seconds:.0f} s")
    return 0 if all(row.passed for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
