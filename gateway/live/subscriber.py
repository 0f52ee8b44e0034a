"""One subscription's mailbox: the notices of its feeds, in order, and never more than a bound waiting."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from gateway.errors import SlowConsumer
from gateway.live.changes import Notice


class Subscriber:
    """Notices waiting for one subscription; `limit` of them at most.

    Feeds `offer` without ever waiting, so one slow reader holds up nobody: when its mailbox is
    full it is dropped (`dropped`), what waited is discarded, `on_drop` runs once (the hub frees
    its slot, the transport closes its connection), and its next read raises `SlowConsumer`.
    """

    __slots__ = ("_arrived", "_limit", "_on_drop", "_waiting", "dropped")

    def __init__(self, limit: int, on_drop: Callable[[Subscriber], None]) -> None:
        self._limit = limit
        self._on_drop = on_drop
        self._waiting: deque[Notice] = deque()
        self._arrived = asyncio.Event()
        self.dropped = False

    def offer(self, notice: Notice) -> None:
        """Queue `notice`, or drop this subscriber if `limit` notices already wait."""
        if self.dropped:
            return
        if len(self._waiting) >= self._limit:
            self.dropped = True
            self._waiting.clear()
            self._arrived.set()
            self._on_drop(self)
            return
        self._waiting.append(notice)
        self._arrived.set()

    async def next(self) -> Notice:
        """The oldest waiting notice, once there is one; `SlowConsumer` once dropped."""
        while not self._waiting:
            if self.dropped:
                raise SlowConsumer(self._limit)
            self._arrived.clear()
            await self._arrived.wait()
        return self._waiting.popleft()

    def __len__(self) -> int:
        return len(self._waiting)
