"""`GATEWAY_REDIS_URL` against a real redis-server: replicas share cache and quotas, and outlive it.

Each test starts its own server on a free loopback port; two apps on one server are two replicas.
"""

from __future__ import annotations

import logging
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.sandbox import strigo as emulator
from gateway.sandbox.recorder import CallLog
from gateway.upstream.cache import LocalReplyCache, RedisReplyCache
from gateway.upstream.redis_link import RedisLink, open_redis
from gateway.upstream.replies import Reply
from tests.gateway.upstream.strigo_requests import CREATE, LIST, new_event
from tests.harness import Gateway, Sandbox, running_gateway, settings_for
from tests.redis_server import RedisServer

NEW_EVENT = new_event("Shared cache drill")


def methods(sandbox: Sandbox) -> list[str]:
    return [call.method for call in sandbox.calls("strigo")]


async def only_error_code(gateway: Gateway, query: str = LIST) -> str:
    body = await gateway.query(query)
    [error] = body["errors"]
    code: str = error["extensions"]["code"]
    return code


async def test_replicas_share_the_cache_and_a_write_through_either_clears_it(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    settings = settings_for(sandbox, gateway_redis_url=redis_server.url, gateway_cache_ttl=60)
    async with running_gateway(settings) as first, running_gateway(settings) as second:
        listed = await first.data(LIST)
        assert await second.data(LIST) == listed
        assert methods(sandbox) == ["GET"]  # the second replica answered from the shared cache

        await second.data(CREATE, {"input": NEW_EVENT})
        relisted = await first.data(LIST)  # the write through the second cleared the first's cache too
        assert methods(sandbox) == ["GET", "POST", "GET"]
        assert len(relisted["strigoEvents"]) == len(listed["strigoEvents"]) + 1

        assert await second.data(LIST) == relisted
        await first.data(CREATE, {"input": NEW_EVENT | {"name": "Second drill"}})
        assert len((await second.data(LIST))["strigoEvents"]) == len(listed["strigoEvents"]) + 2
    assert methods(sandbox) == ["GET", "POST", "GET", "POST", "GET"]


async def test_replicas_share_one_quota(sandbox: Sandbox, redis_server: RedisServer) -> None:
    # Two calls a minute: the first two calls go at once, the third would wait 30 s (> max_wait).
    settings = settings_for(sandbox, gateway_redis_url=redis_server.url, strigo_rate_per_minute=2)
    async with running_gateway(settings) as first, running_gateway(settings) as second:
        await first.data(LIST)
        await second.data(LIST)
        assert await only_error_code(first) == "UPSTREAM_RATE_LIMITED"
        assert await only_error_code(second) == "UPSTREAM_RATE_LIMITED"
        status = await first.data("{ providers { provider breaker } }")
    assert methods(sandbox) == ["GET", "GET"]  # the refused requests never reached Strigo
    assert {"provider": "STRIGO", "breaker": "CLOSED"} in status["providers"]  # refusals are no failures


async def test_a_pause_the_upstream_announced_holds_for_every_replica(redis_server: RedisServer) -> None:
    log = CallLog()
    root = web.Application()
    # Pinned to the start of the next minute so the emulator's window cannot refill during the test.
    pinned = (time.time() // 60 + 1) * 60
    root.add_subapp("/strigo", emulator.create_app(log, rate_limit=2, clock=lambda: pinned))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        sandbox = Sandbox(log=log, base_url=str(server.make_url("")).rstrip("/"))
        settings = settings_for(sandbox, gateway_redis_url=redis_server.url)
        async with running_gateway(settings) as first, running_gateway(settings) as second:
            await first.data(LIST)
            await first.data(LIST)  # answered with x-ratelimit-remaining: 0 until the next minute
            code = await only_error_code(second)
    finally:
        await server.close()
    assert code == "UPSTREAM_RATE_LIMITED"
    assert len(log.of("strigo")) == 2


async def test_a_reply_fetched_while_another_replica_wrote_is_not_stored(redis_server: RedisServer) -> None:
    reply = Reply(
        200, {"content-type": "application/json"}, {"data": [{"id": "e1"}]}, "http://strigo.test/events"
    )
    first, second = open_redis(redis_server.url), open_redis(redis_server.url)
    try:
        mine = RedisReplyCache(RedisLink(first), "strigo", 60, LocalReplyCache(60))
        theirs = RedisReplyCache(RedisLink(second), "strigo", 60, LocalReplyCache(60))
        missed = await mine.lookup("events")
        assert missed.reply is None
        await theirs.clear()  # a write through the other replica, while this read was on its way
        await missed.store(reply)
        assert (await theirs.lookup("events")).reply is None
        await (await mine.lookup("events")).store(reply)
        assert (await theirs.lookup("events")).reply == reply
        keys = sorted(await first.keys("*"))
    finally:
        await first.aclose()
        await second.aclose()
    assert keys == [
        b"event-gateway:strigo:cache:0:events",  # the stale one, never read, expires with its TTL
        b"event-gateway:strigo:cache:1:events",
        b"event-gateway:strigo:cache:generation",
    ]


async def test_without_redis_the_gateway_serves_on_per_process_state(
    sandbox: Sandbox, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(sandbox, gateway_redis_url=redis_server.url, gateway_cache_ttl=60)
    async with running_gateway(settings) as gateway:
        ready = await gateway.http.get("/readyz")
        assert (ready.status_code, ready.json()["redis"]) == (200, "ok")
        await gateway.data(LIST)
        await redis_server.stop()
        caplog.set_level(logging.WARNING, logger="gateway.redis")

        responses = [
            await gateway.http.post("/graphql", json={"query": LIST}),
            await gateway.http.post("/graphql", json={"query": LIST}),
            await gateway.http.post("/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}}),
            await gateway.http.post("/graphql", json={"query": LIST}),
        ]
        ready = await gateway.http.get("/readyz")
    assert [response.status_code for response in responses] == [200] * 4
    assert all("errors" not in response.json() for response in responses)
    # The first read after Redis left missed the shared cache; the fallback cache served the second.
    assert methods(sandbox) == ["GET", "GET", "POST", "GET"]
    assert (ready.status_code, ready.json()["redis"]) == (200, "unreachable")
    warnings = [record for record in caplog.records if record.name == "gateway.redis"]
    assert len(warnings) == 1
    assert "fall back to per-process state" in warnings[0].getMessage()


async def test_the_link_skips_redis_for_a_while_after_a_failure_then_tries_again(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    client = open_redis(redis_server.url)
    link = RedisLink(client, retry_after=5, warn_every=60, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="gateway.redis")
    try:
        assert await link.check() == "ok"
        await redis_server.stop()
        assert await link.check() == "unreachable"
        assert not link.usable()
        await redis_server.start()  # back on the same port
        now[0] = 4.0
        assert await link.check() == "unreachable"  # not tried yet
        now[0] = 5.0
        assert await link.check() == "ok"
    finally:
        await client.aclose()
    assert [record.levelname for record in caplog.records if record.name == "gateway.redis"] == [
        "WARNING",
        "INFO",
    ]
