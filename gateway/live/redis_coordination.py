"""Live updates across replicas through Redis: one poller per key, everyone's subscribers served.

Names start with `event-gateway:live:`; `{key}` is the feed key's opaque name.

- Who polls: the replica holding `…:{key}:lock` (`SET NX` with a TTL, renewed every third of it
  while it polls). A replica that dies stops renewing; another with subscribers for the key takes
  the lock within the TTL.
- The snapshot lives in `…:{key}:snapshot` (id → hash, and an empty field (no id is empty) that
  marks a recorded baseline, so that an empty window's snapshot exists too),
  so a new poller diffs against its predecessor's last poll: nothing re-emitted, nothing lost.
- A poll's changes are published on `…:{key}:changes` by the same Lua script that records them
  in the snapshot, and only while the script's caller still holds the lock: a change is published
  exactly when it is recorded, and a poller whose lock lapsed publishes nothing.
- Every replica with subscribers for a key listens on its channel; writes through the gateway go to
  `…:writes`, where the key's poller (wherever it runs) applies them.

Pub/sub delivers at most once: a replica whose connection to Redis drops misses what was published
meanwhile. While Redis does not answer, nobody polls; the snapshot in Redis lets the next poller
catch up on what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping, Sequence

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from gateway.live.changes import Notice, Written, decode_notice, decode_written, encode_notice, encode_written
from gateway.live.detector import LeaseLost, Snapshot, SnapshotGone
from gateway.live.hub import FeedKey, Receiver
from gateway.live.tasks import cancel_and_wait
from gateway.upstream.redis_link import REDIS_ERRORS

log = logging.getLogger("gateway.live")

#: Every key, channel and lock the gateway keeps in Redis starts with this (the reply cache's too).
PREFIX = "event-gateway:live"
WRITES = f"{PREFIX}:writes".encode()
#: Seconds the reader waits for a message before looking again (it also notices a lost connection).
READ_WAIT = 1.0

# KEYS: lock, snapshot. ARGV: token, snapshot TTL (ms), channel, reset (1/0), sets, deletes,
# then `sets` pairs (id, hash), `deletes` ids, and the messages to publish.
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local sets, deletes, i = tonumber(ARGV[5]), tonumber(ARGV[6]), 7
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], '', '')
elseif sets + deletes > 0 and redis.call('HEXISTS', KEYS[2], '') == 0 then
  return 2
end
for _ = 1, sets do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, deletes do redis.call('HDEL', KEYS[2], ARGV[i]); i = i + 1 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
while i <= #ARGV do redis.call('PUBLISH', ARGV[3], ARGV[i]); i = i + 1 end
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lock_key(key: FeedKey) -> str:
    """The poller's lock (the braces keep a key's entries in one Redis Cluster slot)."""
    return f"{PREFIX}:{{{key.name}}}:lock"


def snapshot_key(key: FeedKey) -> str:
    """The last poll's snapshot."""
    return f"{PREFIX}:{{{key.name}}}:snapshot"


def channel(name: str) -> bytes:
    """The channel of a key's notices."""
    return f"{PREFIX}:{name}:changes".encode()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _name_of(channel: bytes) -> str | None:
    head, _, rest = channel.decode().partition(f"{PREFIX}:")
    name, _, tail = rest.partition(":")
    return name if not head and name and tail == "changes" else None


class RedisLease:
    """The lock on one key, renewed in the background while held."""

    def __init__(self, coordination: RedisCoordination, key: FeedKey, token: str) -> None:
        self.coordination = coordination
        self.key = key
        self.token = token
        self._lost = False
        self._renewer = asyncio.create_task(self._renew(), name="live lease renewal")

    @property
    def lost(self) -> bool:
        return self._lost

    async def load(self) -> Snapshot | None:
        try:
            stored = await self.coordination.client.hgetall(snapshot_key(self.key))
        except REDIS_ERRORS as error:
            raise self._unsure(error, "reading a snapshot") from error
        found = {_text(id): _text(digest) for id, digest in stored.items()}
        if "" not in found:  # the baseline mark
            return None
        return {id: digest for id, digest in found.items() if id}

    async def commit(
        self, notices: Sequence[Notice], updates: Mapping[str, str | None], *, baseline: bool = False
    ) -> None:
        sets = [(id, digest) for id, digest in updates.items() if digest is not None]
        deletes = [id for id, digest in updates.items() if digest is None]
        args: list[str | bytes | int] = [
            self.token,
            self.coordination.snapshot_ttl_ms,
            channel(self.key.name),
            1 if baseline else 0,
            len(sets),
            len(deletes),
        ]
        for id, digest in sets:
            args += [id, digest]
        args += deletes
        args += [encode_notice(notice) for notice in notices]
        keys = [lock_key(self.key), snapshot_key(self.key)]
        try:
            outcome = await self.coordination.client.eval(_COMMIT, 2, *keys, *args)
        except REDIS_ERRORS as error:
            raise self._unsure(error, "publishing changes") from error
        if outcome == 0:
            self._lost = True
            raise LeaseLost
        if outcome == 2:
            raise SnapshotGone

    def _unsure(self, error: Exception, doing: str) -> LeaseLost:
        """Redis failed: whether this replica still holds the lock is unknown, so it stops polling and
        campaigns again (the claim waits for Redis); the snapshot in Redis keeps what was recorded."""
        self.coordination.warn(error, doing)
        self._lost = True
        return LeaseLost()

    async def release(self) -> None:
        # Given up: the renewal stops at its next look even if a Redis error stood in for its cancellation.
        self._lost = True
        await cancel_and_wait(self._renewer)
        with contextlib.suppress(*REDIS_ERRORS):
            await self.coordination.client.eval(_RELEASE, 1, lock_key(self.key), self.token)

    async def _renew(self) -> None:
        client, ttl_ms = self.coordination.client, self.coordination.lock_ttl_ms
        while not self._lost:
            await asyncio.sleep(self.coordination.lock_ttl / 3)
            try:
                renewed = await client.eval(_RENEW, 1, lock_key(self.key), self.token, ttl_ms)
            except REDIS_ERRORS as error:
                self.coordination.warn(error, "renewing a poller's lock")
                continue
            if not renewed:
                self._lost = True


class RedisCoordination:
    """One poller per key among the replicas; notices and writes through Redis pub/sub."""

    def __init__(self, client: Redis, *, lock_ttl: float, interval: float) -> None:
        self.client = client
        self.lock_ttl = lock_ttl
        self.lock_ttl_ms = max(1, round(lock_ttl * 1000))
        # Long enough to survive a takeover (the lock's TTL plus a poll or two); short enough that a
        # window nobody watches any more is forgotten soon after.
        self.snapshot_ttl_ms = round((lock_ttl + 3 * interval) * 1000)
        #: How often a replica without the lock tries to take it: a dead poller is replaced within its TTL.
        self.retry = min(interval, lock_ttl / 3)
        self.replica = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._receiver: Receiver | None = None
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._warned_at = -float("inf")

    def attach(self, receiver: Receiver) -> None:
        self._receiver = receiver

    async def join(self, key: FeedKey) -> None:
        pubsub = await self._listening()
        await pubsub.subscribe(channel(key.name))

    async def leave(self, key: FeedKey) -> None:
        if self._pubsub is None:
            return
        try:
            await self._pubsub.unsubscribe(channel(key.name))
            [(_, listeners)] = await self.client.pubsub_numsub(channel(key.name))
            if listeners == 0:  # nobody watches this window any more: a later subscriber starts afresh
                await self.client.delete(snapshot_key(key))
        except REDIS_ERRORS as error:
            self.warn(error, "leaving a live feed")

    async def claim(self, key: FeedKey) -> RedisLease:
        while True:
            token = f"{self.replica}:{uuid.uuid4().hex[:8]}"
            try:
                if await self.client.set(lock_key(key), token, nx=True, px=self.lock_ttl_ms):
                    return RedisLease(self, key, token)
            except REDIS_ERRORS as error:
                self.warn(error, "claiming a live feed")
            await asyncio.sleep(self.retry)

    async def publish_write(self, written: Written) -> None:
        try:
            await self.client.publish(WRITES, encode_written(written))
        except REDIS_ERRORS as error:  # the write stands; the poller's next poll finds its change
            self.warn(error, "publishing a write")

    async def close(self) -> None:
        if self._reader is not None:
            await cancel_and_wait(self._reader)
        if self._pubsub is not None:
            with contextlib.suppress(*REDIS_ERRORS):
                await self._pubsub.aclose()

    def warn(self, error: Exception, doing: str) -> None:
        """Log a Redis failure, at most once a minute."""
        now = time.monotonic()
        if now - self._warned_at >= 60:
            self._warned_at = now
            log.warning("Redis failed (%s while %s): live updates wait for it", type(error).__name__, doing)

    async def _listening(self) -> PubSub:
        if self._pubsub is None:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(WRITES)
            self._pubsub = pubsub
            self._reader = asyncio.create_task(self._read(pubsub), name="live pub/sub reader")
        return self._pubsub

    async def _read(self, pubsub: PubSub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=READ_WAIT)
            except REDIS_ERRORS as error:
                self.warn(error, "reading live notices")
                await asyncio.sleep(READ_WAIT)
                continue
            if message is not None and message.get("type") == "message":
                await self._dispatch(message["channel"], message["data"])

    async def _dispatch(self, channel: bytes, data: bytes) -> None:
        assert self._receiver is not None
        try:
            if channel == WRITES:
                await self._receiver.written(decode_written(data))
            elif (name := _name_of(channel)) is not None:
                self._receiver.deliver(name, [decode_notice(data)])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live message on %r", channel)
