"""Per-request dataloaders: created on first use, cached for one GraphQL request only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader

from gateway import metrics
from gateway.request.disconnect import cancel_with_request

BatchFn = Callable[[Sequence[Any]], Awaitable[Sequence[Any]]]
_ABSENT: Any = object()


class _PrimedCache(dict[Hashable, "asyncio.Future[Any]"]):
    """A loader's futures by key, and values primed under keys, made futures only when first loaded:
    a list primes every item it lists, and few of them are ever loaded again."""

    __slots__ = ("primed",)

    def __init__(self) -> None:
        super().__init__()
        self.primed: dict[Hashable, Any] = {}

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is None and self.primed:
            value = self.primed.pop(key, _ABSENT)
            if value is not _ABSENT:
                found = self[key] = asyncio.get_running_loop().create_future()
                if isinstance(value, Exception):
                    found.set_exception(value)
                else:
                    found.set_result(value)
        return default if found is None else found

    def __setitem__(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        future.add_done_callback(_retrieved)
        dict.__setitem__(self, key, future)

    def pop(self, key: Hashable, default: Any = None) -> Any:
        self.primed.pop(key, None)
        return dict.pop(self, key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.primed

    def clear(self) -> None:
        self.primed.clear()
        dict.clear(self)


def _retrieved(future: asyncio.Future[Any]) -> None:
    # A load's error reaches each of its waiters; with none left (all cancelled: shielded, they
    # leave the shared future running), asyncio would log it as "never retrieved".
    if not future.cancelled():
        future.exception()


class RequestLoader(DataLoader[Any, Any]):
    """aiodataloader's loader, whose primed values cost a future only once they are loaded, and whose
    shared futures no waiter can cancel."""

    def __init__(self, batch: Callable[[list[Any]], Any], max_batch_size: int | None) -> None:
        self._primed = _PrimedCache()
        super().__init__(batch, max_batch_size=max_batch_size, cache_map=self._primed)

    def load(self, key: Any) -> asyncio.Future[Any]:
        """The value at `key` (batched, cached), shielded: every waiter of a key awaits one cached
        future, and a waiter cancelled (graphql-core cancels a failed field's siblings) would cancel
        it for all of them, and for every later load of the key in the request."""
        return asyncio.shield(self.load_shared(key))

    def load_shared(self, key: Any) -> asyncio.Future[Any]:
        """aiodataloader's `load`: the cached future itself, for a caller that never cancels it."""
        return super().load(key)

    def replace(self, key: Hashable, value: Any) -> None:
        """What loading `key` answers from now on (`clear(key).prime(key, value)`, kept as a value)."""
        dict.pop(self._primed, key, None)
        self._primed.primed[key] = value


class Loaders:
    """The request's loaders by name and client. Never share one between requests: its cache is the
    caller's data.

    A loader is kept per name *and* per client its batch function belongs to: clients are opened per
    credential, so a loader never answers from what another credential's client loaded.
    """

    __slots__ = ("_loaders",)

    def __init__(self) -> None:
        self._loaders: dict[tuple[str, int], tuple[object, RequestLoader]] = {}

    def get(self, name: str, batch: BatchFn, *, max_batch_size: int | None = None) -> RequestLoader:
        """The loader called `name`, built around `batch` the first time this request asks for it."""
        owner = getattr(batch, "__self__", batch)  # the client of a bound method
        key = (name, id(owner))
        found = self._loaders.get(key)
        loader = None if found is None else found[1]
        if loader is None:

            async def counted(keys: list[Any]) -> list[Any]:
                cancel_with_request()  # the batch runs in a task of its own: a disconnect must reach it
                metrics.LOADER_BATCH_SIZE.labels(name).observe(len(keys))
                return list(await batch(keys))

            loader = RequestLoader(counted, max_batch_size)
            # The owner is kept with its loader, so its id cannot be reused by another object meanwhile.
            self._loaders[key] = (owner, loader)
        return loader

    def prime(self, name: str, batch: BatchFn, key: Hashable, value: Any) -> None:
        """Store `value` as the current state of `key` (after a list or a write)."""
        self.get(name, batch).replace(key, value)

    def clear(self, name: str, batch: BatchFn, key: Hashable) -> None:
        """Drop `key` from the cache, so the next load of it reads the upstream again."""
        self.get(name, batch).clear(key)
