"""An LRU bounded by entry count and by the total size of its values, as their owner measures it.

The gateway's in-process caches (parsed documents, APQ texts, upstream replies) hold values of
very different sizes chosen by callers: a bound on entries alone lets distinct large values (as
many as an attacker likes) grow a cache to gigabytes. This keeps both bounds in one place.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(slots=True)
class SizedLru(Generic[K, V]):
    """Least recently used entries are evicted while there are more than `max_entries` or their
    sizes add up to more than `max_size`; a value larger than `max_item_size` is not kept at all
    (it would evict everything else for one entry)."""

    max_entries: int
    max_size: int
    max_item_size: int | None = None
    size: int = 0
    _entries: OrderedDict[K, tuple[V, int]] = field(default_factory=OrderedDict)

    def get(self, key: K) -> V | None:
        """The value under `key` (now the most recently used), or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def peek(self, key: K) -> V | None:
        """The value under `key` without marking it used, or None."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep `value` of `size` under `key`, evicting the least recently used beyond the bounds;
        False when it is too large to keep (what `key` held before is gone either way)."""
        self.pop(key)
        if size > (self.max_size if self.max_item_size is None else min(self.max_item_size, self.max_size)):
            return False
        self._entries[key] = (value, size)
        self.size += size
        while len(self._entries) > self.max_entries or self.size > self.max_size:
            _, (_, evicted) = self._entries.popitem(last=False)
            self.size -= evicted
        return True

    def pop(self, key: K) -> V | None:
        """Remove and return the value under `key`, or None."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.size -= entry[1]
        return entry[0]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
