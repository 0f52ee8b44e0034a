"""Per-request dataloaders: created on first use, cached for one GraphQL request only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader

from gateway import metrics
from gateway.request.disconnect import cancel_with_request

BatchFn = Callable[[Sequence[Any]], Awaitable[Sequence[Any]]]


class Loaders:
    """The request's loaders by name and client. Never share one between requests: its cache is the
    caller's data.

    A loader is kept per name *and* per client its batch function belongs to: clients are opened per
    credential, so a loader never answers from what another credential's client loaded.
    """

    __slots__ = ("_loaders",)

    def __init__(self) -> None:
        self._loaders: dict[tuple[str, int], tuple[object, DataLoader[Any, Any]]] = {}

    def get(self, name: str, batch: BatchFn, *, max_batch_size: int | None = None) -> DataLoader[Any, Any]:
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

            loader = DataLoader(counted, max_batch_size=max_batch_size)
            # The owner is kept with its loader, so its id cannot be reused by another object meanwhile.
            self._loaders[key] = (owner, loader)
        return loader

    def prime(self, name: str, batch: BatchFn, key: Hashable, value: Any) -> None:
        """Store `value` as the current state of `key` (after a list or a write)."""
        self.get(name, batch).clear(key).prime(key, value)

    def clear(self, name: str, batch: BatchFn, key: Hashable) -> None:
        """Drop `key` from the cache, so the next load of it reads the upstream again."""
        self.get(name, batch).clear(key)
