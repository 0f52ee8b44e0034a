"""The benchmark: sandbox + production-style gateway in their own processes, load from this one.

    python bench/run.py                       # all scenarios, 5 s each, prints a Markdown table
    python bench/run.py --scenarios S1,S4 --duration 10 --latency 0.05
    python bench/run.py --soak 60             # soak: concurrency 32, one provider failing 30 %
    python bench/run.py --profile S2          # py-spy flame summary of the gateway under S2

Each scenario runs at concurrency 1 and 32 and reports requests/s, p50/p99 latency, upstream
calls per request (from the sandbox's call log) and the gateway's peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.ids import encode_id  # noqa: E402
from gateway.sandbox import strigo as strigo_sandbox  # noqa: E402
from gateway.sandbox.server import sandbox_env  # noqa: E402
from resolvers.registry import PROVIDERS  # noqa: E402

S2 = "{ strigoEvents { id title startsAt endsAt status availability classId url provider providerId } }"
S3 = {
    "strigo": "{ strigoEvents { id title class { name } } }",
    "schoology": "{ events(first: 100, filter: {providers: [SCHOOLOGY]}) { edges { node { id "
    "... on SchoologyEvent { realm { title } } } } } }",
    "kona": '{ konaCalendarEvents(dateRangeStart: "2024-03-01T00:00:00Z", '
    'dateRangeEnd: "2024-03-31T23:59:59Z", first: 100) '
    "{ edges { node { id space { name } creator { name } } } } }",
    "pretix": "{ events(first: 100, filter: {providers: [PRETIX]}) { edges { node { id "
    "... on PretixEvent { organizerObject { name } } } } } }",
}
S4 = "{ events(first: 50) { edges { node { id provider title startsAt } } pageInfo { hasNextPage } } }"


@dataclass
class Result:
    """One scenario at one concurrency."""

    name: str
    concurrency: int
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    upstream_calls: int = 0
    errors: int = 0
    http_5xx: int = 0
    rss_mb: float = 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Latency at this fraction of requests, in milliseconds."""
        lat = sorted(self.latencies) or [0.0]
        return lat[min(len(lat) - 1, int(len(lat) * fraction))] * 1000

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def row(self) -> str:
        """The scenario table row."""
        per_request = self.upstream_calls / self.requests if self.requests else 0
        return (
            f"| {self.name} | {self.concurrency} | {self.rate:,.0f} | {self.percentile_ms(0.5):.1f} | "
            f"{self.percentile_ms(0.99):.1f} | {per_request:.2f} | {self.errors} | {self.rss_mb:.0f} |"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for(url: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            await asyncio.sleep(0.1)


def rss_mb(pid: int, field: str = "VmHWM") -> float:
    """A process's peak (`VmHWM`) or current (`VmRSS`) resident memory in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Stack:
    """The sandbox and the gateway, each in its own process."""

    def __init__(self, timeout: float, workers: int, extra_env: dict[str, str] | None = None) -> None:
        self.sandbox_port, self.gateway_port = free_port(), free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        env = dict(os.environ)
        env.update(sandbox_env([api.spec for api in PROVIDERS], self.sandbox_url))
        env.update(
            GATEWAY_UPSTREAM_TIMEOUT=str(timeout), GATEWAY_LOG_LEVEL="WARNING", GATEWAY_MAX_CONCURRENCY="64"
        )
        # The quotas of the real APIs would make this a benchmark of the rate limiters: lift them
        # on both sides (the sandbox's Strigo limit and the gateway's client-side limiters).
        env.update(
            SANDBOX_STRIGO_RATE_LIMIT="100000000",
            STRIGO_RATE_PER_MINUTE="100000000",
            SCHOOLOGY_RATE_LIMIT="100000000",
            PRETIX_RATE_PER_MINUTE="100000000",
        )
        env.update(extra_env or {})  # e.g. a provider pointed at another server (bench/attack.py)
        python = sys.executable
        self.sandbox = subprocess.Popen(  # noqa: S603
            [python, "-m", "gateway", "sandbox", "--port", str(self.sandbox_port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.gateway = subprocess.Popen(  # noqa: S603
            [python, "-m", "gateway", "serve", "--port", str(self.gateway_port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    async def start(self) -> None:
        await wait_for(f"{self.sandbox_url}/_sandbox/calls")
        await wait_for(f"{self.gateway_url}/healthz")

    def stop(self) -> None:
        for process in (self.gateway, self.sandbox):
            process.send_signal(signal.SIGINT)
        for process in (self.gateway, self.sandbox):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    async def control(self, session: aiohttp.ClientSession, method: str, path: str, body: Any = None) -> Any:
        async with session.request(method, f"{self.sandbox_url}{path}", json=body) as response:
            return await response.json() if response.status == 200 else None


async def drive(
    stack: Stack, name: str, query: Callable[[], str], concurrency: int, duration: float
) -> Result:
    """Send `query` from `concurrency` loops for `duration` seconds."""
    result = Result(name, concurrency, 0, duration)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await stack.control(session, "DELETE", "/_sandbox/calls")
        deadline = time.perf_counter() + duration

        async def loop() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(f"{stack.gateway_url}/graphql", json={"query": query()}) as response:
                    body = await response.json(content_type=None)
                result.latencies.append(time.perf_counter() - started)
                result.requests += 1
                result.http_5xx += response.status >= 500
                result.errors += bool(body.get("errors"))

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
        calls = await stack.control(session, "GET", "/_sandbox/calls")
        result.upstream_calls = len(calls or [])
    result.rss_mb = rss_mb(stack.gateway.pid)
    return result


def constant(query: str) -> Callable[[], str]:
    """A query factory that always sends `query`."""
    return lambda: query


def scenarios() -> dict[str, tuple[Callable[[], str], dict[str, dict[str, Any]]]]:
    """Scenario name → (query factory, faults to inject by provider)."""
    event_id = encode_id("strigo", strigo_sandbox.EVENT_IDS[0])
    s1 = f'{{ node(id: "{event_id}") {{ id ... on StrigoEvent {{ name status startsAt }} }} }}'
    enabled = [api.spec.name for api in PROVIDERS]
    latency = {name: {"latency": 0.05} for name in enabled}
    hanging = dict(latency)
    hanging[enabled[-1]] = {"hang": True}
    return {
        "S1 node of one Strigo event": (constant(s1), {}),
        "S2 100 Strigo events x 10 fields": (constant(S2), {}),
        **{
            f"S3 {name}: 100 events + related object": (constant(S3[name]), {})
            for name in enabled
            if name in S3
        },
        "S4 events across all providers, 50 ms each": (constant(S4), latency),
        f"S5 S4 with {enabled[-1]} hanging": (constant(S4), hanging),
    }


async def run(args: argparse.Namespace) -> None:
    stack = Stack(timeout=args.timeout, workers=1)
    try:
        await stack.start()
        print(machine())
        print(
            "| scenario | concurrency | req/s | p50 ms | p99 ms | upstream calls/req | errors | peak RSS MB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        wanted = [name.strip() for name in args.scenarios.split(",")] if args.scenarios else None
        async with aiohttp.ClientSession() as session:
            for name, (query, faults) in scenarios().items():
                if wanted and name.split()[0] not in wanted:
                    continue
                await stack.control(session, "DELETE", "/_sandbox/faults")
                for provider, fault in faults.items():
                    await stack.control(session, "PUT", f"/_sandbox/faults/{provider}", fault)
                for concurrency in (1, 32):
                    print((await drive(stack, name, query, concurrency, args.duration)).row(), flush=True)
                if args.profile and name.split()[0] == args.profile:
                    await profile(stack, name, query)
    finally:
        stack.stop()


async def profile(stack: Stack, name: str, query: Callable[[], str]) -> None:
    """Record the gateway with py-spy while the scenario runs at concurrency 32."""
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        print("py-spy not installed: pip install py-spy", file=sys.stderr)
        return
    out = ROOT / "bench" / f"profile-{name.split()[0]}.txt"
    recorder = subprocess.Popen(  # noqa: S603, ASYNC220 - the recorder runs beside the load, not awaited
        [py_spy, "record", "--pid", str(stack.gateway.pid), "--format", "raw", "-d", "8", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await drive(stack, name, query, 32, 8)
    recorder.wait(30)
    print(f"profile written to {out}", file=sys.stderr)


async def soak(args: argparse.Namespace) -> None:
    """Concurrency 32 for `--soak` seconds with one provider failing 30 % of calls."""
    stack = Stack(timeout=args.timeout, workers=1)
    try:
        await stack.start()
        failing = PROVIDERS[-1].spec.name
        async with aiohttp.ClientSession() as session:
            await stack.control(
                session, "PUT", f"/_sandbox/faults/{failing}", {"error_rate": 0.3, "status": 503}
            )
        print(machine())
        print(f"soak: {args.soak:.0f} s at concurrency 32, {failing} failing 30 % of calls")
        print("| window | req/s | p50 ms | p99 ms | responses with errors | gateway 5xx | RSS MiB now |")
        print("|---|---|---|---|---|---|---|")
        windows = max(1, int(args.soak // 10))
        for index in range(windows):
            result = await drive(stack, "soak", constant(S4), 32, args.soak / windows)
            print(
                f"| {index + 1} | {result.rate:,.0f} | {result.percentile_ms(0.5):.1f} | "
                f"{result.percentile_ms(0.99):.1f} | {result.errors} | {result.http_5xx} | "
                f"{rss_mb(stack.gateway.pid, 'VmRSS'):.0f} |",
                flush=True,
            )
    finally:
        stack.stop()


def machine() -> str:
    """A line describing where the numbers were measured."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_gib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1]) // 1024 // 1024
    return f"machine: {os.cpu_count()} cores, {cpu}, {mem_gib} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per scenario and concurrency")
    parser.add_argument("--scenarios", help="comma-separated scenario ids, e.g. S1,S4")
    parser.add_argument("--timeout", type=float, default=1.0, help="GATEWAY_UPSTREAM_TIMEOUT for the run")
    parser.add_argument("--soak", type=float, help="run the soak for this many seconds instead")
    parser.add_argument("--profile", help="scenario id to profile with py-spy (e.g. S2)")
    args = parser.parse_args()
    asyncio.run(soak(args) if args.soak else run(args))


if __name__ == "__main__":
    main()
