"""The process's live feeds: one per watched key, shared by its subscribers, within the configured bounds.

A subscription watches one key per provider its filter covers. The first subscriber of a key opens
its feed (joins the key's notices and campaigns to poll it); the last one to leave closes it,
which stops the poller. A subscriber that reads too slowly is dropped on the spot (its slot freed,
its feeds closed if it was their last), rather than buffered without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway import metrics
from gateway.errors import TooManySubscriptions
from gateway.live.changes import Notice, Observed, Written
from gateway.live.detector import ChangeDetector, Lease, LeaseLost, Source
from gateway.live.subscriber import Subscriber
from gateway.live.tasks import cancel_and_wait

log = logging.getLogger("gateway.live")


@dataclass(frozen=True, slots=True)
class FeedKey:
    """What one detector watches: a provider, a window (its canonical text) and an opaque credential key."""

    provider: str
    window: str
    credential: str

    @property
    def name(self) -> str:
        """A short opaque name for the key, the same on every replica (Redis keys, channels)."""
        text = "\x1f".join((self.provider, self.window, self.credential))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Watch:
    """One key a subscription watches, with the source that polls it should this process lead."""

    key: FeedKey
    source: Source


class Receiver(Protocol):
    """Where a coordination hands what arrives: notices for a key, writes through the gateway."""

    def deliver(self, name: str, notices: Sequence[Notice]) -> None:
        """Give `notices` to the subscribers of the key called `name` in this process."""
        ...

    async def written(self, written: Written) -> None:
        """Apply a write through the gateway to the keys this process polls."""
        ...


class ReleasableLease(Lease, Protocol):
    """A lease the feed gives back when it stops."""

    async def release(self) -> None:
        """Give the claim up (another replica may take it at once)."""
        ...


class Coordination(Protocol):
    """Who polls each key, where snapshots live, and how notices and writes travel."""

    def attach(self, receiver: Receiver) -> None:
        """Say where arriving notices and writes go (once, before anything else)."""
        ...

    async def join(self, key: FeedKey) -> None:
        """Start receiving the key's notices."""
        ...

    async def leave(self, key: FeedKey) -> None:
        """Stop receiving them (the last process to leave a key forgets its snapshot)."""
        ...

    async def claim(self, key: FeedKey) -> ReleasableLease:
        """Wait until this process may poll the key; its lease."""
        ...

    async def publish_write(self, written: Written) -> None:
        """Hand a write through the gateway to whichever process polls each key it may concern."""
        ...

    async def close(self) -> None:
        """Release what the coordination holds."""
        ...


class Feed:
    """One key in this process: its subscribers and, while this process polls it, its detector."""

    def __init__(self, key: FeedKey, source: Source, hub: Hub) -> None:
        self.key = key
        self.source = source
        self.hub = hub
        self.subscribers: set[Subscriber] = set()
        self.detector: ChangeDetector | None = None
        self.task: asyncio.Task[None] | None = None

    def deliver(self, notices: Sequence[Notice]) -> None:
        """Offer each notice to each subscriber, in order (never waits)."""
        for notice in notices:
            for subscriber in list(self.subscribers):
                subscriber.offer(notice)

    async def start(self) -> None:
        """Receive the key's notices, and campaign to poll it."""
        await self.hub.coordination.join(self.key)
        # A context of its own: the poller outlives the subscriber that started it, and must not run
        # as part of that subscriber's request (its call budget, its disconnect).
        self.task = asyncio.create_task(
            self._lead(), name=f"live feed {self.key.provider}", context=contextvars.Context()
        )

    async def stop(self) -> None:
        """Stop polling and receiving."""
        if self.task is not None:
            await cancel_and_wait(self.task)
        await self.hub.coordination.leave(self.key)

    async def _lead(self) -> None:
        """Poll while this process holds the key's lease; when it is lost, campaign again."""
        coordination, provider = self.hub.coordination, self.key.provider
        while True:
            lease = await coordination.claim(self.key)
            self.detector = ChangeDetector(self.source, lease, self.hub.interval)
            metrics.LIVE_POLLERS.labels(provider).inc()
            failed = False
            try:
                await self.detector.run()
            except LeaseLost:
                log.info("stopped polling %s window %s: its lease went elsewhere", provider, self.key.name)
            except Exception:
                log.exception("the %s change detector failed; it starts again", provider)
                failed = True
            finally:
                self.detector = None
                metrics.LIVE_POLLERS.labels(provider).dec()
                await lease.release()
            if failed:
                await asyncio.sleep(self.hub.interval)


class Hub:
    """The process's feeds by key, its subscribers, and the write path into the detectors."""

    def __init__(
        self,
        coordination: Coordination,
        *,
        interval: float,
        max_subscriptions: int,
        max_pending: int,
        max_feeds: int = 100,
    ) -> None:
        self.coordination = coordination
        self.interval = interval
        self.max_subscriptions = max_subscriptions
        self.max_feeds = max_feeds
        self.max_pending = max_pending
        self._feeds: dict[FeedKey, Feed] = {}
        self._by_name: dict[str, Feed] = {}
        self._memberships: dict[Subscriber, tuple[list[Feed], Callable[[], None]]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        coordination.attach(self)

    @property
    def subscribers(self) -> int:
        """Subscriptions this process serves now."""
        return len(self._memberships)

    def feed(self, key: FeedKey) -> Feed | None:
        """The open feed of `key` in this process, if any."""
        return self._feeds.get(key)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, watches: Sequence[Watch], on_drop: Callable[[], None] = lambda: None
    ) -> AsyncIterator[Subscriber]:
        """A subscriber of every watched key for the block's duration (`TooManySubscriptions` when full).

        `on_drop` runs if the subscriber is dropped for reading too slowly (e.g. to close its socket).
        """
        if self.subscribers >= self.max_subscriptions:
            raise TooManySubscriptions(self.max_subscriptions, "GATEWAY_MAX_SUBSCRIPTIONS")
        subscriber = Subscriber(self.max_pending, self._dropped)
        feeds: list[Feed] = []
        self._memberships[subscriber] = (feeds, on_drop)
        metrics.LIVE_SUBSCRIBERS.inc()
        try:
            for watch in watches:
                feed = self._feeds.get(watch.key)
                if feed is None:
                    if len(self._feeds) >= self.max_feeds:
                        raise TooManySubscriptions(self.max_feeds, "GATEWAY_MAX_LIVE_FEEDS", "polled filters")
                    feed = self._open(watch)
                    try:
                        await feed.start()
                    except BaseException:
                        self._forget(feed)
                        raise
                feed.subscribers.add(subscriber)
                feeds.append(feed)
            yield subscriber
        finally:
            # Each emptied feed is stopped by a task of its own, started before anything is awaited:
            # a subscriber leaving by cancellation (an SSE client going away) is cancelled again at
            # its first await, and feeds stopped one after another in here stayed polling for good.
            stopping = [self._stop_later(feed) for feed in self._release(subscriber)]
            if stopping:
                await asyncio.shield(asyncio.gather(*stopping))

    async def written(self, written: Written) -> None:
        """Apply a write through the gateway to the keys this process polls (same provider, credential)."""
        observed = None if written.raw is None else Observed.of(written.id, written.raw, written.unhashed)
        for feed in list(self._feeds.values()):
            key, detector = feed.key, feed.detector
            if detector is None or key.provider != written.provider or key.credential != written.credential:
                continue
            try:
                await detector.apply(written, observed)
            except LeaseLost:
                pass  # the new poller's next poll sees the write
            except Exception:
                log.exception("could not publish a write to %s at once; the next poll will", key.provider)

    async def publish(self, written: Written) -> None:
        """A write through the gateway: its change goes to the subscribers it concerns now, on any replica.

        Never fails the write: should publishing fail, the next poll finds the change instead.
        """
        try:
            await self.coordination.publish_write(written)
        except Exception:
            log.exception("could not publish a write to %s at once; the next poll will", written.provider)

    def deliver(self, name: str, notices: Sequence[Notice]) -> None:
        """Give `notices` to the subscribers of the key called `name`."""
        feed = self._by_name.get(name)
        if feed is not None:
            feed.deliver(notices)

    async def close(self) -> None:
        """Stop every feed (at shutdown)."""
        for feed in list(self._feeds.values()):
            self._forget(feed)
            await feed.stop()
        if self._closing:
            await asyncio.wait(list(self._closing))
        await self.coordination.close()

    def _open(self, watch: Watch) -> Feed:
        feed = Feed(watch.key, watch.source, self)
        self._feeds[watch.key] = feed
        self._by_name[watch.key.name] = feed
        metrics.LIVE_FEEDS.inc()
        return feed

    def _forget(self, feed: Feed) -> None:
        if self._feeds.get(feed.key) is feed:
            del self._feeds[feed.key]
            del self._by_name[feed.key.name]
            metrics.LIVE_FEEDS.dec()

    def _release(self, subscriber: Subscriber) -> list[Feed]:
        """Take `subscriber` out of its feeds; the feeds it leaves empty, already forgotten."""
        membership = self._memberships.pop(subscriber, None)
        if membership is None:
            return []  # already released when it was dropped
        metrics.LIVE_SUBSCRIBERS.dec()
        emptied = []
        for feed in membership[0]:
            feed.subscribers.discard(subscriber)
            if not feed.subscribers:
                self._forget(feed)
                emptied.append(feed)
        return emptied

    def _stop_later(self, feed: Feed) -> asyncio.Task[None]:
        """Stop `feed` in a task of its own, which `close` waits for."""
        task = asyncio.get_running_loop().create_task(feed.stop())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return task

    def _dropped(self, subscriber: Subscriber) -> None:
        """A subscriber fell too far behind: free its slot now, close its feeds if it was their last."""
        metrics.LIVE_DROPPED.inc()
        on_drop = self._memberships[subscriber][1] if subscriber in self._memberships else None
        for feed in self._release(subscriber):
            _ = self._stop_later(feed)  # `close` waits for it
        if on_drop is not None:
            on_drop()
