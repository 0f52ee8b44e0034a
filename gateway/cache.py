"""`GATEWAY_CACHE_TTL`: upstream GET replies kept across requests for a few seconds, per provider."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(slots=True)
class TtlCache(Generic[V]):
    """A bounded in-process cache whose entries expire `ttl` seconds after they were stored.

    Per process: with several replicas each keeps its own (a shared Redis cache is not built).
    """

    ttl: float
    max_entries: int = 2048
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, tuple[float, V]] = field(default_factory=OrderedDict)

    def get(self, key: str) -> V | None:
        """The value stored under `key`, unless it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self.clock():
            del self._entries[key]
            return None
        return value

    def put(self, key: str, value: V) -> None:
        """Store `value`, evicting the oldest entries beyond `max_entries`."""
        self._entries[key] = (self.clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (after a write: any cached list may now be stale)."""
        self._entries.clear()
