"""A poller's Redis lease: stopping the poller while it releases the lease stops it for good.

The poller's task releases its lease in a `finally`; a stop arriving during that release once got
swallowed with the renewal task's own cancellation, and the poller went on claiming and renewing
the lock with no subscriber left (the replica test saw the lock outlive every feed).
"""

from __future__ import annotations

import asyncio

from gateway.live.hub import FeedKey
from gateway.live.redis_coordination import RedisCoordination, lock_key
from gateway.upstream.redis_link import open_redis
from tests.redis_server import RedisServer

KEY = FeedKey(provider="strigo", window="", credential="service")


async def test_a_stop_during_the_release_is_not_swallowed(redis_server: RedisServer) -> None:
    client = open_redis(redis_server.url)
    try:
        coordination = RedisCoordination(client, lock_ttl=30.0, interval=10.0)
        lease = await coordination.claim(KEY)
        assert await client.get(lock_key(KEY)) is not None
        releasing = asyncio.create_task(lease.release())
        await asyncio.sleep(0)  # the release has cancelled the renewal and waits for it to end
        releasing.cancel()
        await asyncio.wait([releasing])
        assert releasing.cancelled()
        await coordination.close()
    finally:
        await client.aclose()
