"""The benchmark's moving parts: the sandbox and gateway processes, the load loop, the scenarios."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.ids import encode_id  # noqa: E402
from gateway.sandbox import strigo as strigo_sandbox  # noqa: E402
from gateway.sandbox.server import sandbox_env  # noqa: E402
from resolvers.registry import NAMES  # noqa: E402

S0 = "{ __typename }"
S2 = "{ strigoEvents { id title startsAt endsAt status availability classId url provider providerId } }"
S3 = {
    "strigo": "{ strigoEvents { id title class { name } } }",
    "schoology": "{ events(first: 100, filter: {providers: [SCHOOLOGY]}) { edges { node { id "
    "... on SchoologyEvent { realm { name } } } } } }",
    "kona": '{ konaCalendarEvents(dateRangeStart: "2024-03-01T00:00:00Z", '
    'dateRangeEnd: "2024-03-31T23:59:59Z", first: 100) '
    "{ edges { node { id space { name } creator { name } } } } }",
    "pretix": "{ events(first: 100, filter: {providers: [PRETIX]}) { edges { node { id "
    "... on PretixEvent { organizerObject { name } } } } } }",
}
S4 = "{ events(first: 50) { edges { node { id provider title startsAt } } pageInfo { hasNextPage } } }"
#: The provider S5 hangs and the soak fails: named, so that registering a provider changes neither.
HANGING = "pretix"

Scenario = tuple[Callable[[], str], dict[str, dict[str, Any]]]


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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


class Sandbox:
    """The upstream emulators in their own process (quotas lifted: this is not a rate-limiter bench)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, SANDBOX_STRIGO_RATE_LIMIT="100000000")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gateway", "sandbox", "--port", str(self.port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def gateway_env(self, timeout: float) -> dict[str, str]:
        """The environment of a gateway wired to this sandbox, its client-side quotas lifted."""
        env = dict(sandbox_env(NAMES, self.url))
        env.update(
            GATEWAY_UPSTREAM_TIMEOUT=str(timeout), GATEWAY_LOG_LEVEL="WARNING", GATEWAY_MAX_CONCURRENCY="64",
            STRIGO_RATE_PER_MINUTE="100000000", SCHOOLOGY_RATE_LIMIT="100000000",
            PRETIX_RATE_PER_MINUTE="100000000",
        )  # fmt: skip
        return env

    async def control(self, session: aiohttp.ClientSession, method: str, path: str, body: Any = None) -> Any:
        async with session.request(method, f"{self.url}{path}", json=body) as response:
            return await response.json() if response.status == 200 else None

    async def set_faults(self, faults: Mapping[str, dict[str, Any]]) -> None:
        """Replace the injected faults by these (per provider)."""
        async with aiohttp.ClientSession() as session:
            await self.control(session, "DELETE", "/_sandbox/faults")
            for provider, fault in faults.items():
                await self.control(session, "PUT", f"/_sandbox/faults/{provider}", fault)


class Gateway:
    """`event-gateway serve` (uvicorn, one worker) from the source tree at `root`, in its own process."""

    def __init__(self, env: Mapping[str, str], root: Path = ROOT, python: str = sys.executable) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, **env, PYTHONPATH=str(root))
        self.process = subprocess.Popen(  # noqa: S603
            [python, "-m", "gateway", "serve", "--port", str(self.port), "--workers", "1"],
            cwd=root, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid


class Stack:
    """The sandbox and one gateway, each in its own process."""

    def __init__(self, timeout: float, extra_env: Mapping[str, str] | None = None) -> None:
        self.sandbox = Sandbox()
        self.gateway = Gateway({**self.sandbox.gateway_env(timeout), **(extra_env or {})})

    async def start(self) -> None:
        await wait_for(f"{self.sandbox.url}/_sandbox/calls")
        await wait_for(f"{self.gateway.url}/healthz")

    def stop(self) -> None:
        _stop([self.gateway.process, self.sandbox.process])


async def drive(
    sandbox: Sandbox, gateway: Gateway, name: str, query: Callable[[], str], concurrency: int, duration: float
) -> Result:
    """Send `query` to `gateway` from `concurrency` loops for `duration` seconds."""
    result = Result(name, concurrency, 0, duration)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await sandbox.control(session, "DELETE", "/_sandbox/calls")
        deadline = time.perf_counter() + duration

        async def loop() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(f"{gateway.url}/graphql", json={"query": query()}) as response:
                    body = await response.json(content_type=None)
                result.latencies.append(time.perf_counter() - started)
                result.requests += 1
                result.http_5xx += response.status >= 500
                result.errors += bool(body.get("errors"))

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
        calls = await sandbox.control(session, "GET", "/_sandbox/calls")
        result.upstream_calls = len(calls or [])
    result.rss_mb = rss_mb(gateway.pid)
    return result


def constant(query: str) -> Callable[[], str]:
    """A query factory that always sends `query`."""
    return lambda: query


def scenarios() -> dict[str, Scenario]:
    """Scenario name → (query factory, faults to inject by provider)."""
    event_id = encode_id("strigo", strigo_sandbox.EVENT_IDS[0])
    s1 = f'{{ node(id: "{event_id}") {{ id ... on StrigoEvent {{ name status startsAt }} }} }}'
    enabled = list(NAMES)
    latency = {name: {"latency": 0.05} for name in enabled}
    hanging = dict(latency)
    hanging[HANGING] = {"hang": True}
    return {
        "S0 `{ __typename }`": (constant(S0), {}),
        "S1 node of one Strigo event": (constant(s1), {}),
        "S2 100 Strigo events x 10 fields": (constant(S2), {}),
        **{
            f"S3 {name}: 100 events + related object": (constant(S3[name]), {})
            for name in enabled
            if name in S3
        },
        "S4 events across all providers, 50 ms each": (constant(S4), latency),
        f"S5 S4 with {HANGING} hanging": (constant(S4), hanging),
    }


def selected(wanted: str | None) -> dict[str, Scenario]:
    """The scenarios whose id (`S2`, or `S3` for all four) is in the comma-separated `wanted`."""
    names = {name.strip() for name in wanted.split(",")} if wanted else None
    return {name: s for name, s in scenarios().items() if names is None or name.split()[0] in names}


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
