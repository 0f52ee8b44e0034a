"""Live updates across replicas sharing a real redis-server: one poller per key, everyone served.

Two apps in this process show the sharing; two `event-gateway serve` processes show the handover,
since "the poller dies" means SIGKILL: no goodbye, the lock left to expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from gateway.ids import encode_id
from gateway.sandbox.server import sandbox_env
from gateway.upstream.redis_link import open_redis
from resolvers.registry import NAMES
from tests.gateway.live.test_feeds import NEW_EVENT
from tests.gateway.live.wire import INTERVAL, live_gateway, metric, transport_ws, until
from tests.gateway.upstream.strigo_requests import CREATE
from tests.harness import Sandbox
from tests.redis_server import RedisServer
from tests.resolvers.test_event_changes import STRIGO_API, strigo_body, upstream

SUBSCRIBE = "subscription { eventChanges(filter: {providers: [STRIGO]}) { kind id } }"
LOCK_TTL = 1.0
ROOT = Path(__file__).parents[3]


async def live_keys(redis_server: RedisServer) -> list[bytes | str]:
    client = open_redis(redis_server.url)
    try:
        return list(await client.keys("event-gateway:live:*"))
    finally:
        await client.aclose()


async def create_through(base: str, name: str) -> str:
    """Create a Strigo event through the gateway at `base`; its global id."""
    variables = {"input": {**NEW_EVENT, "name": name}}
    async with (
        aiohttp.ClientSession() as session,
        session.post(base + "/graphql", json={"query": CREATE, "variables": variables}) as response,
    ):
        created: str = (await response.json())["data"]["createStrigoEvent"]["event"]["id"]
        return created


async def strigo_polls(base: str) -> float:
    return await metric(base, "gateway_live_polls_total", provider="strigo", outcome="ok")


async def test_one_replica_polls_and_every_replicas_subscribers_receive(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    shared = {"gateway_redis_url": redis_server.url, "gateway_poll_lock_ttl": LOCK_TTL}
    async with (
        live_gateway(sandbox, **shared) as first,
        live_gateway(sandbox, **shared) as second,
        transport_ws(first) as one,
        transport_ws(second) as other,
    ):
        polled = await strigo_polls(first)  # one registry in this process: the sum of both replicas
        await one.subscribe("1", SUBSCRIBE)
        await other.subscribe("1", SUBSCRIBE)

        async def both_subscribed_and_polled() -> bool:
            subscribers = await metric(first, "gateway_live_subscribers")
            return subscribers == 2 and await strigo_polls(first) >= polled + 2

        await until(both_subscribed_and_polled, "two subscribers and a couple of polls")
        assert await metric(first, "gateway_live_pollers", provider="strigo") == 1  # not one per replica

        created = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Seen by both replicas"))
        for client in (one, other):
            assert await client.change("1") == {"kind": "CREATED", "id": encode_id("strigo", created["id"])}

        # A write through either replica (one of them does not poll) reaches both, once.
        for base in (first, second):
            written = await create_through(base, "Written through a replica")
            for client in (one, other):
                assert await client.change("1") == {"kind": "CREATED", "id": written}
        target = await strigo_polls(first) + 3

        async def more_polls() -> bool:
            return await strigo_polls(first) >= target

        await until(more_polls, "three more polls")
        marker = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Marker"))
        for client in (one, other):
            assert await client.change("1") == {"kind": "CREATED", "id": encode_id("strigo", marker["id"])}

        await one.complete("1")
        await other.complete("1")

        async def forgotten() -> bool:
            return await live_keys(redis_server) == []

        # The last subscriber gone on every replica: lock released, snapshot forgotten.
        await until(forgotten, "no live keys left in Redis")


# --- the handover, between real processes ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def replica(
    sandbox: Sandbox, redis_server: RedisServer, log: Path
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """`event-gateway serve` in its own process, wired to the sandbox and Redis; its URL and process."""
    port = free_port()
    env = {
        **os.environ,
        **sandbox_env(NAMES, sandbox.base_url),
        "GATEWAY_REDIS_URL": redis_server.url,
        "GATEWAY_POLL_INTERVAL": str(INTERVAL),
        "GATEWAY_POLL_LOCK_TTL": str(LOCK_TTL),
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=ROOT, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:

            async def healthy() -> bool:
                if process.returncode is not None:
                    raise AssertionError(f"the replica exited; its output is in {log}")
                try:
                    async with session.get(base + "/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await until(healthy, "the replica serves", wait=60)
        yield base, process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_killing_the_poller_hands_over_without_losing_or_repeating_a_change(
    sandbox: Sandbox, redis_server: RedisServer, tmp_path: Path
) -> None:
    async with (
        replica(sandbox, redis_server, tmp_path / "a.log") as (base_a, process_a),
        replica(sandbox, redis_server, tmp_path / "b.log") as (base_b, process_b),
        transport_ws(base_a) as on_a,
        transport_ws(base_b) as on_b,
    ):
        await on_a.subscribe("1", SUBSCRIBE)
        await on_b.subscribe("1", SUBSCRIBE)
        replicas = {base_a: process_a, base_b: process_b}

        async def one_poller_has_polled() -> bool:
            pollers = [await metric(base, "gateway_live_pollers", provider="strigo") for base in replicas]
            polls = [await strigo_polls(base) for base in replicas]
            return sorted(pollers) == [0, 1] and max(polls) >= 1

        await until(one_poller_has_polled, "one replica polls")
        [poller] = [
            base for base in replicas if await metric(base, "gateway_live_pollers", provider="strigo")
        ]
        survivor, watching = (base_b, on_b) if poller == base_a else (base_a, on_a)

        seen: list[dict[str, Any]] = []
        first = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Before the handover"))
        seen.append(await watching.change("1"))

        replicas[poller].send_signal(signal.SIGKILL)  # no goodbye: its lock must expire
        await replicas[poller].wait()
        second = await upstream(sandbox, "POST", STRIGO_API, strigo_body("While nobody polls"))
        seen.append(await watching.change("1"))  # the survivor took over and found it

        assert await metric(survivor, "gateway_live_pollers", provider="strigo") == 1
        await upstream(sandbox, "PATCH", f"{STRIGO_API}/{first['id']}", {"name": "After the handover"})
        seen.append(await watching.change("1"))

        # Nothing repeated: after more polls by the survivor, the next message is the marker's.
        target = await strigo_polls(survivor) + 3

        async def more_polls() -> bool:
            return await strigo_polls(survivor) >= target

        await until(more_polls, "three more polls by the survivor")
        marker = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Marker"))
        seen.append(await watching.change("1"))

    ids = [first["id"], second["id"], first["id"], marker["id"]]
    assert [change["kind"] for change in seen] == ["CREATED", "CREATED", "UPDATED", "CREATED"]
    assert [change["id"] for change in seen] == [encode_id("strigo", id) for id in ids]
