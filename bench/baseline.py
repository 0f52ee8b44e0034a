"""`run.py --baseline REV`: git revision REV and the working tree side by side on one sandbox.

REV is checked out with `git worktree add --detach` into a temporary directory (removed after).
Its gateway runs on this interpreter when REV's runtime dependencies (`[project].dependencies`)
equal the working tree's — each gateway process imports the source tree it is started in, which
Python puts first on `sys.path` — and otherwise in a venv of its own, made in the worktree.
Both gateways get the same environment (plus `--baseline-env` / `--candidate-env`) and the same
sandbox. Every round drives one gateway and then the other, alternating which goes first, so
that load from other processes on the machine falls on both alike; the ratios are of requests
per second summed over all rounds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stack import (
    ROOT,
    Gateway,
    Result,
    Sandbox,
    _stop,
    cpu_seconds,
    drive,
    machine,
    rss_mb,
    selected,
    wait_for,
)

SIDES = ("baseline", "candidate")


@contextmanager
def worktree(rev: str) -> Iterator[tuple[Path, str, str]]:
    """REV checked out in a temporary worktree: (its path, the python to run it with, which and why)."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    tree = scratch / "tree"
    _git("worktree", "add", "--detach", str(tree), rev)
    try:
        yield (tree, *interpreter_for(tree))
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(scratch, ignore_errors=True)


def interpreter_for(tree: Path) -> tuple[str, str]:
    """This interpreter if `tree` has the working tree's runtime dependencies, else a venv of its own."""
    if _dependencies(tree) == _dependencies(ROOT):
        return sys.executable, "the working tree's venv (same runtime dependencies)"
    venv = tree / ".venv"
    print(f"installing the baseline into {venv} (its runtime dependencies differ)…", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    pip = [str(venv / "bin" / "pip"), "install", "-q", str(tree)]
    subprocess.run(pip, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    return str(venv / "bin" / "python"), "a venv of its own (its runtime dependencies differ)"


def _dependencies(tree: Path) -> list[str]:
    project = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
    return sorted(project.get("dependencies", []))


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True)  # noqa: S603, S607
    return done.stdout.strip()


def _env(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


async def compare(args: argparse.Namespace) -> None:
    """Drive both gateways through the chosen scenarios and print the ratios."""
    with worktree(args.baseline) as (tree, python, how):
        sandbox = Sandbox()
        env = sandbox.gateway_env(args.timeout)
        gateways = {
            "baseline": Gateway({**env, **_env(args.baseline_env)}, tree, python),
            "candidate": Gateway({**env, **_env(args.candidate_env)}),
        }
        try:
            await wait_for(f"{sandbox.url}/_sandbox/calls")
            for gateway in gateways.values():
                await wait_for(f"{gateway.url}/healthz")
            dirty = " + uncommitted changes" if _git("status", "--porcelain", "--untracked-files=no") else ""
            print(machine())
            print(
                f"baseline: {args.baseline} ({_git('rev-parse', '--short', args.baseline)}), run with {how}"
            )
            print(f"candidate: the working tree ({_git('rev-parse', '--short', 'HEAD')}{dirty})")
            print(
                f"{args.rounds} interleaved rounds of {args.duration:g} s per gateway, "
                f"concurrency {args.concurrency}, one sandbox"
            )
            print()
            print(
                "| scenario | baseline req/s | candidate req/s | ratio | baseline p50 ms | candidate p50 ms "
                "| baseline CPU µs/req | candidate CPU µs/req | CPU ratio |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            for name, (query, faults) in selected(args.scenarios or "S0,S1,S2,S3").items():
                await sandbox.set_faults(faults)
                for side in SIDES:  # warm up: caches, plans, connection pools
                    await drive(sandbox, gateways[side], name, query, args.concurrency, 1.0)
                totals = {side: Result(name, args.concurrency, 0, 0.0) for side in SIDES}
                cpu = dict.fromkeys(SIDES, 0.0)
                for index in range(args.rounds):
                    for side in SIDES if index % 2 == 0 else SIDES[::-1]:
                        before = cpu_seconds(gateways[side].pid)
                        result = await drive(
                            sandbox, gateways[side], name, query, args.concurrency, args.duration
                        )
                        _add(totals[side], result)
                        cpu[side] += cpu_seconds(gateways[side].pid) - before
                print(_row(name, totals["baseline"], totals["candidate"], cpu), flush=True)
            peaks = {side: rss_mb(gateway.pid) for side, gateway in gateways.items()}
            print(
                f"| peak RSS (VmHWM) MiB | {peaks['baseline']:.0f} | {peaks['candidate']:.0f} | "
                f"{peaks['candidate'] / peaks['baseline']:.2f} | | | | | |"
            )
        finally:
            _stop([gateways["baseline"].process, gateways["candidate"].process, sandbox.process])


def _add(total: Result, result: Result) -> None:
    total.requests += result.requests
    total.seconds += result.seconds
    total.latencies += result.latencies
    total.errors += result.errors


def _row(name: str, baseline: Result, candidate: Result, cpu: dict[str, float]) -> str:
    errors = (
        f" (errors: {baseline.errors} / {candidate.errors})" if baseline.errors or candidate.errors else ""
    )
    ratio = candidate.rate / baseline.rate
    # The gateway's own CPU per request: what req/s would be bound by on a machine of its own.
    requests = {"baseline": baseline.requests, "candidate": candidate.requests}
    per_request = {side: cpu[side] / max(1, requests[side]) * 1e6 for side in SIDES}
    cpu_ratio = per_request["baseline"] / per_request["candidate"] if per_request["candidate"] else 0.0
    return (
        f"| {name}{errors} | {baseline.rate:,.0f} | {candidate.rate:,.0f} | **{ratio:.2f}** | "
        f"{baseline.percentile_ms(0.5):.1f} | {candidate.percentile_ms(0.5):.1f} | "
        f"{per_request['baseline']:,.0f} | {per_request['candidate']:,.0f} | **{cpu_ratio:.2f}** |"
    )
