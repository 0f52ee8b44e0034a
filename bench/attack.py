"""The attack benchmark: issue 10's attack shapes against production-style processes, PASS/FAIL each.

    python bench/attack.py                        # every shape; prints the machine and a Markdown table
    python bench/attack.py --shapes expo21,nodes-ids --repeat 5

The sandbox, the gateway (`event-gateway serve`), a hostile upstream standing in for Strigo and
Kona (bench/hostile_upstream.py) and a probe each run in their own process; the attacks are sent
from this one. For every shape it measures:

- the time from sending each request to having read the whole answer (median and worst);
- the gateway's peak RSS while the shape ran (`VmHWM`, reset before each shape through
  `/proc/<pid>/clear_refs`);
- the event loop's longest block: the slowest `GET /healthz` of a probe sending one every 10 ms
  while the shape runs (a block of B ms shows as a round trip of B - 10 to B ms).

Targets (issue 10): a query costing more than the limit is refused in < 50 ms whatever its shape
(judged on the median, the worst shown beside it); no request of <= 1 MB makes the gateway use
more than 300 MB or block its loop more than 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import select
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stack import Stack, free_port, machine, rss_mb, wait_for  # noqa: E402

from gateway.ids import encode_id  # noqa: E402
from gateway.query_limits.measure import LOOKUP_COST  # noqa: E402
from gateway.settings import Settings  # noqa: E402

REFUSAL_MS = 50
MAX_RSS_MB = 300
MAX_BLOCK_MS = 200
MEGABYTE = 1_000_000
KONA_MARCH = (
    '{ events(first: 5, filter: {providers: [KONA], startsAfter: "2024-03-01T00:00:00Z", '
    'startsBefore: "2024-04-01T00:00:00Z"}) { edges { node { id } } } }'
)


@dataclass(frozen=True)
class Request:
    """One HTTP request to /graphql: a body as bytes and its content type."""

    body: bytes
    content_type: str = "application/json"


def graphql(query: str, variables: dict[str, Any] | None = None) -> Request:
    """A GraphQL POST with a JSON body."""
    return Request(json.dumps({"query": query, "variables": variables or {}}).encode())


@dataclass(frozen=True)
class Shape:
    """An attack: the requests of one repetition (`n` makes them unique, so no cache answers)."""

    key: str
    name: str
    requests: Callable[[int], list[Request]]
    over_limit: bool = False  # a query over the limits: must be refused in < 50 ms
    mode: str | None = None  # the hostile upstream's mode while it runs
    once: bool = False  # too slow or too big to repeat


def fragments_doubling(levels: int, n: int) -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ providers {{ provider }} }} # {n}"


def aliased_introspection(n: int) -> str:
    types = " ".join(
        f"t{i}: types {{ name kind description fields {{ name description type {{ name kind }} }} }}"
        for i in range(100)
    )
    return f"{{ __schema {{ {types} }} }} # {n}"


def many_ids(n: int) -> Request:
    """`nodes(ids: $ids)` with as many ids as fit in 1 MB (36,000)."""
    ids = [encode_id("strigo", f"e{n}x{i:06d}") for i in range(36_000)]
    return graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})


def ids_near_cost_limit(n: int) -> Request:
    """`nodes(ids: $ids)` with as many ids (none of them existing) as the default cost limit allows."""
    count = (Settings.from_values({}).gateway_max_cost - 1) // (LOOKUP_COST + 1)
    ids = [encode_id("strigo", f"e{n}x{i:06d}") for i in range(count)]
    return graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})


def echoed_bad_id(n: int) -> Request:
    """One 56 KB malformed id, referenced 900 times (each error used to quote it whole)."""
    refs = ", ".join(["$a"] * 900)
    return graphql(f"query($a: ID!) {{ nodes(ids: [{refs}]) {{ id }} }} # {n}", {"a": f"{n}" + "x" * 56_000})


def malformed_bodies(n: int) -> list[Request]:
    """Bodies a careless or hostile client sends: every one must be a 4xx with a JSON error."""
    return [
        Request(b"[1, 2, 3]"),
        Request(b'"a string"'),
        Request(b"null"),
        Request(b'{"query": 12}'),
        Request(b'{"query": "{ __typename }", "variables": [1]}'),
        Request(b'{"query": "{ __typename ' + b"\xff\xfe" + b' }"}'),
        Request(b'{"query": "{ __typ'),
        Request(
            json.dumps(
                {"query": "{ events(first: 99999999999999999999999) { pageInfo { hasNextPage } } }"}
            ).encode()
        ),
        Request(b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        Request(json.dumps({"query": f"{{ __typename }} # {n}"}).encode(), "text/plain"),
    ]


def deep_variables(n: int) -> Request:
    depth = 100_000
    variables = "[" * depth + "]" * depth
    return Request(
        f'{{"query": "query($v: JSON) {{ __typename }} # {n}", "variables": {{"v": {variables}}}}}'.encode()
    )


def query_shape(build: Callable[[int], str]) -> Callable[[int], list[Request]]:
    """The requests of a shape that is one query, built per repetition."""
    return lambda n: [graphql(build(n))]


def deep_selections(n: int) -> str:
    return "{ __schema { types { " + "fields { type { " * 6 + "name" + " } }" * 6 + f" }} }} }} # {n}"


def one_mb_comment(n: int) -> str:
    return f"{{ __typename }} #{n}" + "x" * (MEGABYTE - 100)


def one_mb_of_fields(n: int) -> str:
    return "{ " + "__typename " * 90_000 + f"}} # {n}"


def same_fields(n: int) -> str:
    return "{ " + "providers { provider } " * 450 + f"}} # {n}"


def nested_fragments(n: int) -> str:
    return "{ " + "... on Query { " * 190 + "__typename" + " }" * 190 + f" }} # {n}"


def near_cost_limit(n: int) -> str:
    """Aliased `events(first: 200)` lists adding up to just under the default cost limit."""
    one = "events(first: 200) { edges { node { id title startsAt endsAt provider } } }"
    per_alias = 1 + 200 * (1 + 1 + 5)  # edges and node are one each per event, then five fields
    aliases = min(Settings.from_values({}).gateway_max_cost // per_alias, 30)
    return "{ " + " ".join(f"a{i}: {one}" for i in range(aliases)) + f" }} # {n}"


STRIGO_LIST = query_shape(lambda n: "{ strigoEvents { id } }")
SHAPES = [
    Shape(
        "expo21",
        "exponential fragments, 21 levels (882 B)",
        query_shape(lambda n: fragments_doubling(21, n)),
        True,
    ),
    Shape(
        "expo40", "exponential fragments, 40 levels", query_shape(lambda n: fragments_doubling(40, n)), True
    ),
    Shape(
        "intro-aliases",
        "100 aliased `types` under `__schema` (19 KB)",
        query_shape(aliased_introspection),
        True,
    ),
    Shape("nodes-ids", "`nodes(ids: $ids)`, 36,000 ids (1 MB)", lambda n: [many_ids(n)], True),
    Shape("deep-query", "selections 15 deep (introspection)", query_shape(deep_selections), True),
    Shape("doc-1mb-comment", "1 MB document (a comment)", query_shape(one_mb_comment), True),
    Shape("doc-1mb-fields", "1 MB document (90,000 fields)", query_shape(one_mb_of_fields), True),
    Shape(
        "ids-near-limit",
        "`nodes(ids: $ids)`, as many missing ids as the cost limit allows",
        lambda n: [ids_near_cost_limit(n)],
    ),
    Shape(
        "near-cost-limit",
        "aliased `events(first: 200)` just under the cost limit",
        query_shape(near_cost_limit),
    ),
    Shape("same-fields", "450 fields of one name (within the cost limit)", query_shape(same_fields)),
    Shape("nested-fragments", "190 nested inline fragments", query_shape(nested_fragments)),
    Shape("bad-id-echo", "one 56 KB bad id x 900 in `nodes`", lambda n: [echoed_bad_id(n)]),
    Shape("deep-variables", "variables nested 100,000 deep (200 KB)", lambda n: [deep_variables(n)]),
    Shape("malformed", "10 malformed bodies (non-object JSON, bad UTF-8, ...)", malformed_bodies),
    Shape("upstream-1gb", "hostile Strigo: 1 GB reply", STRIGO_LIST, mode="huge", once=True),
    Shape("upstream-gzip", "hostile Strigo: 300 KB gzip bomb (300 MB)", STRIGO_LIST, mode="bomb", once=True),
    Shape("upstream-250k", "hostile Strigo: 250,000-item list", STRIGO_LIST, mode="many", once=True),
    Shape(
        "upstream-endless",
        "hostile Kona: endless pages",
        query_shape(lambda n: KONA_MARCH),
        mode="endless",
        once=True,
    ),
]


@dataclass
class Outcome:
    """What one shape did to the gateway."""

    shape: Shape
    times: list[float] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    refused: bool = True
    server_errors: int = 0
    unanswered: int = 0
    rss_mb: float = 0.0
    block_ms: float = 0.0
    note: str = ""

    def verdict(self) -> str:
        problems = []
        if self.unanswered:
            problems.append("no answer")
        if self.server_errors:
            problems.append("5xx")
        if self.shape.over_limit and not self.refused:
            problems.append("not refused")
        if self.shape.over_limit and self.times and statistics.median(self.times) * 1000 >= REFUSAL_MS:
            problems.append(f">= {REFUSAL_MS} ms")
        if self.rss_mb > MAX_RSS_MB:
            problems.append(f"> {MAX_RSS_MB} MB")
        if self.block_ms > MAX_BLOCK_MS:
            problems.append(f"blocked > {MAX_BLOCK_MS} ms")
        return "PASS" if not problems else "FAIL (" + ", ".join(problems) + ")"

    def row(self) -> str:
        times = sorted(self.times) or [0.0]
        median, worst = statistics.median(times) * 1000, times[-1] * 1000
        answers = ", ".join(sorted(set(self.answers)))
        return (
            f"| {self.shape.name} | {answers} | {median:,.1f} / {worst:,.1f} | {self.rss_mb:,.0f} | "
            f"{self.block_ms:,.0f} | {self.verdict()}{' — ' + self.note if self.note else ''} |"
        )


def summary(status: int, body: bytes) -> tuple[str, bool]:
    """A short description of an answer, and whether it refused the request (an error, no data)."""
    try:
        decoded = json.loads(body)
    except ValueError:
        return f"{status} non-JSON ({len(body):,} B)", status >= 400
    errors = decoded.get("errors") if isinstance(decoded, dict) else None
    codes = sorted(
        {
            str((error.get("extensions") or {}).get("code"))
            for error in errors or ()
            if isinstance(error, dict)
        }
    )
    size = f"{len(body) / MEGABYTE:,.1f} MB" if len(body) >= MEGABYTE else f"{len(body):,} B"
    refused = bool(errors) and decoded.get("data") is None
    return f"{status} {'/'.join(codes) or 'data'} ({size})", refused


def reset_peak_rss(pid: int) -> None:
    """Restart a process's `VmHWM` from its current RSS (Linux: 5 > /proc/<pid>/clear_refs)."""
    with open(f"/proc/{pid}/clear_refs", "w") as control:
        control.write("5")


class Probe:
    """The /healthz probe process: `start`, then `stop` answers the slowest round trip since."""

    def __init__(self, gateway_url: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--probe", gateway_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def start(self) -> None:
        self._send("start")

    async def stop(self) -> dict[str, float]:
        self._send("stop")
        assert self.process.stdout is not None
        line = await asyncio.to_thread(self.process.stdout.readline)
        result: dict[str, float] = json.loads(line)
        return result

    def close(self) -> None:
        self._send("quit")
        self.process.wait(10)


def probe_loop(url: str) -> None:
    """The probe process: GET /healthz every 10 ms between `start` and `stop` (read from stdin)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    connection = http.client.HTTPConnection(host, port, timeout=120)
    active, worst, count, failures = False, 0.0, 0, 0
    while True:
        started = time.perf_counter()
        if active:
            try:
                connection.request("GET", "/healthz")
                connection.getresponse().read()
            except (OSError, http.client.HTTPException):
                failures += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=120)
            worst = max(worst, time.perf_counter() - started)
            count += 1
        wait = max(0.0, 0.01 - (time.perf_counter() - started))
        if select.select([sys.stdin], [], [], wait)[0]:
            command = sys.stdin.readline().strip()
            if command == "start":
                active, worst, count, failures = True, 0.0, 0, 0
            elif command == "stop":
                active = False
                print(
                    json.dumps({"worst_ms": worst * 1000, "probes": count, "failures": failures}), flush=True
                )
            else:
                return


class Attack:
    """The hostile upstream, a fresh sandbox and gateway per shape, and the client that attacks them.

    A fresh gateway per shape keeps one shape's memory (Python keeps what it allocated) and its
    leftover work (pages still being fetched) out of the next shape's numbers.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.hostile_port = free_port()
        self.hostile_url = f"http://127.0.0.1:{self.hostile_port}"
        self.hostile = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / "hostile_upstream.py"), "--port", str(self.hostile_port)],
            cwd=ROOT,
        )
        self.gateway_url = ""

    async def start(self) -> None:
        await wait_for(f"{self.hostile_url}/_calls", within=60)

    def stop(self) -> None:
        self.hostile.terminate()
        self.hostile.wait(10)

    @contextlib.asynccontextmanager
    async def fresh_gateway(self, session: aiohttp.ClientSession) -> AsyncIterator[tuple[Stack, Probe]]:
        """The sandbox and a gateway (Strigo and Kona pointed at the hostile upstream), warmed up."""
        upstreams = {
            "STRIGO_BASE_URL": f"{self.hostile_url}/strigo/api/v1",
            "KONA_BASE_URL": f"{self.hostile_url}/kona/api",
        }
        stack = Stack(timeout=10.0, extra_env=upstreams)
        probe = Probe(stack.gateway.url)
        try:
            await stack.start()
            self.gateway_url = stack.gateway.url
            await self._send(session, graphql("{ providers { provider } }"), Outcome(SHAPES[0]))
            yield stack, probe
        finally:
            probe.close()
            stack.stop()

    async def idle_block_ms(self, session: aiohttp.ClientSession) -> float:
        """The slowest /healthz of an idle gateway over one second."""
        async with self.fresh_gateway(session) as (_, probe):
            probe.start()
            await asyncio.sleep(1.0)
            return (await probe.stop())["worst_ms"]

    async def run(self, shape: Shape, repeat: int, session: aiohttp.ClientSession) -> Outcome:
        outcome = Outcome(shape)
        async with self.fresh_gateway(session) as (stack, probe):
            gateway = stack.gateway.pid
            reset_peak_rss(gateway)
            await self._mode(session, shape.mode or "normal")
            probe.start()
            await asyncio.sleep(0.05)
            for n in range(1 if shape.once else repeat):
                for request in shape.requests(n):
                    await self._send(session, request, outcome)
            if shape.mode == "endless":
                outcome.note = await self._calls_after_disconnect(session)
            await asyncio.sleep(0.1)
            outcome.block_ms = (await probe.stop())["worst_ms"]
            outcome.rss_mb = rss_mb(gateway)
            await self._mode(session, "normal")
        return outcome

    async def _send(self, session: aiohttp.ClientSession, request: Request, outcome: Outcome) -> None:
        started = time.perf_counter()
        try:
            async with session.post(
                f"{self.gateway_url}/graphql",
                data=request.body,
                headers={"Content-Type": request.content_type},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            outcome.unanswered += 1
            outcome.answers.append(
                f"no answer in {self.timeout:.0f} s"
                if isinstance(error, TimeoutError)
                else type(error).__name__
            )
            outcome.refused = False
            return
        outcome.times.append(time.perf_counter() - started)
        answer, refused = summary(response.status, body)
        outcome.answers.append(answer)
        outcome.refused = outcome.refused and refused
        outcome.server_errors += response.status >= 500

    async def _mode(self, session: aiohttp.ClientSession, mode: str) -> None:
        async with session.put(f"{self.hostile_url}/_mode/{mode}") as response:
            response.raise_for_status()

    async def _calls_after_disconnect(self, session: aiohttp.ClientSession) -> str:
        """Kona list calls the gateway made while the client waited, and in the second after it left."""
        async with session.get(f"{self.hostile_url}/_calls") as response:
            before = (await response.json()).get("kona", 0)
        await asyncio.sleep(1.0)
        async with session.get(f"{self.hostile_url}/_calls") as response:
            after = (await response.json()).get("kona", 0)
        return f"{before:,} Kona pages asked for, {after - before:,} more in the second after the client left"


async def run(args: argparse.Namespace) -> None:
    wanted = {key.strip() for key in args.shapes.split(",")} if args.shapes else None
    attack = Attack(args.timeout)
    try:
        await attack.start()
        # A connection per request: a gateway that drops one after a 500 must not fail the next.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            idle = await attack.idle_block_ms(session)
            print(machine())
            print(
                f"idle: slowest /healthz {idle:.1f} ms; targets: refusal < {REFUSAL_MS} ms, "
                f"RSS <= {MAX_RSS_MB} MB, loop block <= {MAX_BLOCK_MS} ms; "
                f"{args.repeat} repetitions (upstream shapes once); a fresh gateway per shape\n"
            )
            print(
                "| shape | answer | time ms (median / worst) | peak RSS MB | longest /healthz ms | verdict |"
            )
            print("|---|---|---|---|---|---|")
            for shape in SHAPES:
                if wanted is None or shape.key in wanted:
                    print((await attack.run(shape, args.repeat, session)).row(), flush=True)
    finally:
        attack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shapes", help="comma-separated shape keys (default: all): " + ", ".join(s.key for s in SHAPES)
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each query shape")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe_loop(args.probe)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
