"""The benchmark: sandbox + production-style gateway in their own processes, load from this one.

    python bench/run.py                       # all scenarios, 5 s each, prints a Markdown table
    python bench/run.py --scenarios S1,S4 --duration 10 --latency 0.05
    python bench/run.py --soak 60             # soak: concurrency 32, one provider failing 30 %
    python bench/run.py --profile S2          # py-spy profile of the gateway under S2, summarised
    python bench/run.py --baseline main       # main (in a temporary worktree) vs this tree, interleaved

Each scenario runs at concurrency 1 and 32 and reports requests/s, p50/p99 latency, upstream
calls per request (from the sandbox's call log) and the gateway's peak RSS (VmHWM). With
`--baseline REV` both gateways run side by side on one sandbox and the table gives req/s ratios
from interleaved rounds (see `bench/baseline.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from stack import HANGING, S4, Stack, constant, drive, machine, rss_mb, selected


async def run(args: argparse.Namespace) -> None:
    stack = Stack(timeout=args.timeout)
    try:
        await stack.start()
        print(machine())
        print(
            "| scenario | concurrency | req/s | p50 ms | p99 ms | upstream calls/req | errors | peak RSS MB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, (query, faults) in selected(args.scenarios or args.profile).items():
            await stack.sandbox.set_faults(faults)
            for concurrency in (1, 32):
                result = await drive(stack.sandbox, stack.gateway, name, query, concurrency, args.duration)
                print(result.row(), flush=True)
            if args.profile and name.split()[0] == args.profile:
                await profile(stack, name, query, args.concurrency)
    finally:
        stack.stop()


async def profile(stack: Stack, name: str, query: Callable[[], str], concurrency: int) -> None:
    """Record the gateway with py-spy while the scenario runs at `concurrency`; print where time goes."""
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        print("py-spy not installed: pip install py-spy", file=sys.stderr)
        return
    out = Path(tempfile.gettempdir()) / f"event-gateway-profile-{name.split()[0]}.txt"
    recorder = subprocess.Popen(  # noqa: S603, ASYNC220 - the recorder runs beside the load, not awaited
        [py_spy, "record", "--pid", str(stack.gateway.pid), "--format", "raw", "-d", "8", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await drive(stack.sandbox, stack.gateway, name, query, concurrency, 8)
    recorder.wait(30)
    print(f"profile written to {out}", file=sys.stderr)
    print(summarise(out))


def summarise(raw: Path, top: int = 25) -> str:
    """The functions with the most samples (own time, and time including callees) of a raw py-spy file."""
    own: collections.Counter[str] = collections.Counter()
    including: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [
            frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].split(":")[0] for frame in stack.split(";")
        ]
        own[frames[-1]] += samples
        for frame in set(frames):
            including[frame] += samples
    lines = [f"{total} samples", "own time:"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines += ["including callees:"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in including.most_common(top)]
    return "\n".join(lines)


async def soak(args: argparse.Namespace) -> None:
    """Concurrency 32 for `--soak` seconds with one provider failing 30 % of calls."""
    stack = Stack(timeout=args.timeout)
    try:
        await stack.start()
        failing = HANGING
        await stack.sandbox.set_faults({failing: {"error_rate": 0.3, "status": 503}})
        print(machine())
        print(f"soak: {args.soak:.0f} s at concurrency 32, {failing} failing 30 % of calls")
        print("| window | req/s | p50 ms | p99 ms | responses with errors | gateway 5xx | RSS MiB now |")
        print("|---|---|---|---|---|---|---|")
        windows = max(1, int(args.soak // 10))
        for index in range(windows):
            result = await drive(stack.sandbox, stack.gateway, "soak", constant(S4), 32, args.soak / windows)
            print(
                f"| {index + 1} | {result.rate:,.0f} | {result.percentile_ms(0.5):.1f} | "
                f"{result.percentile_ms(0.99):.1f} | {result.errors} | {result.http_5xx} | "
                f"{rss_mb(stack.gateway.pid, 'VmRSS'):.0f} |",
                flush=True,
            )
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per scenario and concurrency")
    parser.add_argument("--scenarios", help="comma-separated scenario ids, e.g. S1,S4")
    parser.add_argument("--timeout", type=float, default=1.0, help="GATEWAY_UPSTREAM_TIMEOUT for the run")
    parser.add_argument("--soak", type=float, help="run the soak for this many seconds instead")
    parser.add_argument("--profile", help="scenario id to profile with py-spy (e.g. S2)")
    parser.add_argument("--baseline", metavar="REV", help="compare with git revision REV, side by side")
    parser.add_argument("--rounds", type=int, default=5, help="--baseline: interleaved rounds per scenario")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="--baseline and --profile: concurrent clients"
    )
    parser.add_argument(
        "--baseline-env", action="append", default=[], metavar="KEY=VALUE",
        help="--baseline: extra environment of the baseline gateway (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--candidate-env", action="append", default=[], metavar="KEY=VALUE",
        help="--baseline: extra environment of the working tree's gateway (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.baseline:
        from baseline import compare

        asyncio.run(compare(args))
    else:
        asyncio.run(soak(args) if args.soak else run(args))


if __name__ == "__main__":
    main()
