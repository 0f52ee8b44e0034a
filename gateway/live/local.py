"""Live updates within one process: it polls every key it has subscribers for and delivers in place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gateway.live.changes import Notice, Written
from gateway.live.detector import Snapshot
from gateway.live.hub import FeedKey, Receiver


class LocalLease:
    """Always held; the snapshot lives in the detector only; notices go straight to the feed."""

    def __init__(self, receiver: Receiver, key: FeedKey) -> None:
        self.receiver = receiver
        self.key = key

    @property
    def lost(self) -> bool:
        return False

    async def load(self) -> Snapshot | None:
        return None

    async def commit(
        self, notices: Sequence[Notice], updates: Mapping[str, str | None], *, baseline: bool = False
    ) -> None:
        self.receiver.deliver(self.key.name, notices)

    async def release(self) -> None:
        return None


class LocalCoordination:
    """No Redis: each process polls for its own subscribers, and a write reaches its own detectors."""

    def __init__(self) -> None:
        self.receiver: Receiver | None = None

    def attach(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def join(self, key: FeedKey) -> None:
        return None

    async def leave(self, key: FeedKey) -> None:
        return None

    async def claim(self, key: FeedKey) -> LocalLease:
        assert self.receiver is not None
        return LocalLease(self.receiver, key)

    async def publish_write(self, written: Written) -> None:
        assert self.receiver is not None
        await self.receiver.written(written)

    async def close(self) -> None:
        return None
