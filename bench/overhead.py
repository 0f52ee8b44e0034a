"""In-process: the gateway's own cost per request, through the whole ASGI app, without a network.

    python bench/overhead.py                    # CPU µs per request for S0 and S1, medians of rounds
    python bench/overhead.py --profile S0       # cProfile of S0's requests, the top functions

Each request is an ASGI `http` scope as uvicorn builds it (the headers a typical client sends), a
body, and a `receive` that says `http.disconnect` once the response is complete, as uvicorn's does.
The sandbox runs in its own process (`event-gateway sandbox`), so S1's numbers hold the gateway's
upstream call (aiohttp, redaction, decoding) but not the emulator's work.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
from stack import S2, S3, Sandbox, wait_for

from gateway.app import create_app
from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_sandbox
from gateway.settings import Settings

HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"Python/3.11 aiohttp/3.11"),
    (b"accept", b"*/*"),
    (b"accept-encoding", b"gzip, deflate"),
    (b"content-type", b"application/json"),
]


def scenarios() -> dict[str, str]:
    event_id = encode_id("strigo", strigo_sandbox.EVENT_IDS[0])
    return {
        "S0": "{ __typename }",
        "S1": f'{{ node(id: "{event_id}") {{ id ... on StrigoEvent {{ name status startsAt }} }} }}',
        "S2": S2,
        **{f"S3-{provider}": query for provider, query in S3.items()},
    }


async def one_request(app: Any, state: dict[str, Any], body: bytes) -> int:
    """One POST /graphql through `app`; the response status."""
    done = asyncio.Event()
    sent: list[Any] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [*HEADERS, (b"content-length", str(len(body)).encode())],
        "state": dict(state),
    }
    await app(scope, receive, send)
    return int(sent[0]["status"])


async def rounds(run: Callable[[], Any], count: int, seconds: float) -> list[float]:
    """CPU µs of this process per call, in each of `count` rounds of about `seconds` of CPU.

    CPU time rather than wall time: S1 waits for the sandbox, and other processes on the machine
    take the CPU away at times; neither is the gateway's cost."""
    results = []
    for _ in range(count):
        calls, started = 0, time.process_time()
        while time.process_time() - started < seconds:
            await run()
            calls += 1
        results.append((time.process_time() - started) / calls * 1e6)
    return results


async def main(args: argparse.Namespace) -> None:
    sandbox = Sandbox()
    try:
        await wait_for(f"{sandbox.url}/_sandbox/calls")
        env = sandbox.gateway_env(1.0)
        settings = Settings.from_values({key.lower(): value for key, value in env.items()})
        app = create_app(settings)
        async with app.router.lifespan_context(app) as lifespan_state:
            state = dict(lifespan_state or {})
            for name, query in scenarios().items():
                if name not in (args.profile or args.scenarios).split(","):
                    continue
                body = orjson.dumps({"query": query})

                async def run(body: bytes = body) -> None:
                    # A task of its own, as uvicorn runs each request: the loop turns once at least.
                    status = await asyncio.ensure_future(one_request(app, state, body))
                    assert status == 200, status

                for _ in range(200):  # warm: caches, plans, connections
                    await run()
                if args.profile:
                    profiler = cProfile.Profile(time.process_time)
                    profiler.enable()
                    for _ in range(args.requests):
                        await run()
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
                    continue
                timings = await rounds(run, args.rounds, args.seconds)
                print(f"{name}: {statistics.median(timings):.0f} CPU µs per request (rounds: "
                      f"{', '.join(f'{t:.0f}' for t in timings)})")  # fmt: skip
    finally:
        sandbox.process.terminate()
        sandbox.process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", help="a scenario: cProfile its requests instead of timing them")
    parser.add_argument("--requests", type=int, default=3000, help="--profile: requests profiled")
    parser.add_argument("--sort", default="cumulative", help="--profile: pstats sort key")
    parser.add_argument("--top", type=int, default=60, help="--profile: functions shown")
    parser.add_argument(
        "--scenarios", default="S0,S1", help="comma-separated: S0, S1, S2, S3-strigo, S3-kona, ..."
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(parser.parse_args()))
