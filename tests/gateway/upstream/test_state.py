"""The in-process cache and quota behind the `ReplyCache` / `Quota` seam, driven directly."""

from __future__ import annotations

import time

import pytest

from gateway.errors import QuotaExhausted
from gateway.upstream.cache import LocalReplyCache
from gateway.upstream.quota import LocalQuota
from gateway.upstream.replies import Reply

REPLY = Reply(200, {"content-type": "application/json"}, {"data": [1, 2]}, "http://upstream.test/events")


async def test_a_reply_fetched_across_a_clear_is_not_stored() -> None:
    cache = LocalReplyCache(ttl=60)
    missed = await cache.lookup("events")
    assert missed.reply is None
    await cache.clear()  # a write landed while the read was on its way
    await missed.store(REPLY)
    assert (await cache.lookup("events")).reply is None
    again = await cache.lookup("events")
    await again.store(REPLY)
    assert (await cache.lookup("events")).reply == REPLY


async def test_the_local_quota_waits_at_most_max_wait_then_refuses() -> None:
    quota = LocalQuota("strigo", rate=(1, 60))
    await quota.acquire(max_wait=0.01)
    with pytest.raises(QuotaExhausted) as refused:
        await quota.acquire(max_wait=0.01)
    assert refused.value.extensions == {"code": "UPSTREAM_RATE_LIMITED", "provider": "STRIGO"}


async def test_an_announced_pause_beyond_max_wait_is_refused_at_once() -> None:
    quota = LocalQuota("kona")
    await quota.pause_until(time.time() + 60)
    with pytest.raises(QuotaExhausted) as refused:
        await quota.acquire(max_wait=2)
    assert refused.value.retry_after is not None
    assert refused.value.retry_after > 2
