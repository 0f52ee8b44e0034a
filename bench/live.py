"""Live updates at rest: the gateway's memory and CPU while it holds many idle `eventChanges` subscribers.

    .venv/bin/python bench/live.py                          # 1,000 WebSocket subscribers, 60 s idle
    .venv/bin/python bench/live.py --transport sse          # the same over SSE
    .venv/bin/python bench/live.py --subscribers 200 --idle 20

The sandbox and the gateway (`event-gateway serve`, GATEWAY_POLL_INTERVAL at its default of 30 s)
run in their own processes; the subscribers are this process's, each on its own connection (as
browser tabs are), all on the default filter: one poller per provider for everyone. Reported: the
gateway's resident memory before and with the subscribers (VmRSS), its CPU over the idle period
(utime + stime from /proc, polls included), and how long one write through the gateway takes to
reach every subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from stack import Stack, cpu_seconds, machine, rss_mb

from tests.gateway.upstream.strigo_requests import CREATE, new_event  # importable once `stack` set sys.path

SUBSCRIPTION = "subscription { eventChanges { kind id event { title startsAt } } }"
NEW_EVENT = new_event("Fan-out")


async def metric(session: aiohttp.ClientSession, url: str, name: str) -> float:
    async with session.get(f"{url}/metrics") as response:
        text = await response.text()
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(found[1]) if found else 0.0


async def serving(session: aiohttp.ClientSession, url: str, count: int) -> None:
    """Wait until the gateway serves `count` subscriptions."""
    for _ in range(600):
        if await metric(session, url, "gateway_live_subscribers") >= count:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the gateway did not reach {count} subscribers")


class WebSocketSubscriber:
    """One graphql-transport-ws connection with one subscription."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url.replace("http://", "ws://") + "/graphql"
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def open(self) -> None:
        self.ws = await self.session.ws_connect(self.url, protocols=("graphql-transport-ws",), heartbeat=None)
        await self.ws.send_json({"type": "connection_init"})
        assert (await self.ws.receive_json())["type"] == "connection_ack"
        await self.ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIPTION}})

    async def change(self) -> dict[str, Any]:
        assert self.ws is not None
        message = await self.ws.receive_json()
        change: dict[str, Any] = message["payload"]["data"]["eventChanges"]
        return change

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class SseSubscriber:
    """One GraphQL-over-SSE stream."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url + "/graphql"
        self.response: aiohttp.ClientResponse | None = None

    async def open(self) -> None:
        self.response = await self.session.post(
            self.url, json={"query": SUBSCRIPTION}, headers={"Accept": "text/event-stream"}
        )

    async def change(self) -> dict[str, Any]:
        assert self.response is not None
        async for raw in self.response.content:
            line = raw.decode().strip()
            if line.startswith("data: {"):
                change: dict[str, Any] = json.loads(line[6:])["data"]["eventChanges"]
                return change
        raise EOFError

    async def close(self) -> None:
        if self.response is not None:
            self.response.close()


@contextlib.asynccontextmanager
async def running_stack() -> AsyncIterator[Stack]:
    stack = Stack(timeout=10)
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop()


async def main(count: int, transport: str, idle: float) -> None:
    async with running_stack() as stack:
        url, pid = stack.gateway.url, stack.gateway.pid
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=None)
        ) as session:
            await asyncio.sleep(2)  # let the gateway settle after start-up
            before = rss_mb(pid, "VmRSS")
            kind = WebSocketSubscriber if transport == "ws" else SseSubscriber
            subscribers = [kind(session, url) for _ in range(count)]
            for batch in range(0, count, 50):
                await asyncio.gather(*(subscriber.open() for subscriber in subscribers[batch : batch + 50]))
            await serving(session, url, count)
            # Reading from the start answers the server's WebSocket pings while the subscribers idle.
            waiting = [asyncio.ensure_future(subscriber.change()) for subscriber in subscribers]
            await asyncio.sleep(2)  # first polls done
            with_subscribers = rss_mb(pid, "VmRSS")
            cpu_before, started = cpu_seconds(pid), time.monotonic()
            await asyncio.sleep(idle)
            cpu = (cpu_seconds(pid) - cpu_before) / (time.monotonic() - started)

            sent = time.perf_counter()
            async with session.post(
                url + "/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}}
            ):
                pass
            arrivals = []
            for future in asyncio.as_completed(waiting):
                await future
                arrivals.append(time.perf_counter() - sent)
            peak = rss_mb(pid)
            await asyncio.gather(*(subscriber.close() for subscriber in subscribers))

    print(machine())
    print("| transport | subscribers | RSS before MB | RSS with MB | KB per subscriber | idle CPU % "
          "| fan-out p50 ms | fan-out last ms | peak RSS MB |")  # fmt: skip
    print(
        f"| {transport} | {count:,} | {before:.0f} | {with_subscribers:.0f} | "
        f"{(with_subscribers - before) * 1024 / count:.1f} | {cpu * 100:.1f} | "
        f"{sorted(arrivals)[len(arrivals) // 2] * 1000:.0f} | {arrivals[-1] * 1000:.0f} | {peak:.0f} |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1_000)
    parser.add_argument("--transport", choices=("ws", "sse"), default="ws")
    parser.add_argument(
        "--idle", type=float, default=60.0, help="seconds to measure CPU while nothing changes"
    )
    args = parser.parse_args()
    asyncio.run(main(args.subscribers, args.transport, args.idle))
