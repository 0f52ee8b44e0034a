"""Fields whose value is one load of a per-request batch loader (`class`, `space`, `organizerObject`…).

A schema field declares what its resolver does as a `BatchedLoad` (the key it reads from its
object, the request's loader, how the loaded JSON becomes the field's value) and puts it in the
field's metadata. Its resolver is `BatchedLoad.resolve`, which graphql-core runs as any other; the
compiled executor reads the same declaration and, for the objects of one list, loads every key
and completes every value in one pass, without a coroutine, a task and a resolver call per object.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

SourceT = TypeVar("SourceT")
ContextT = TypeVar("ContextT")
LoadedT = TypeVar("LoadedT")
ValueT = TypeVar("ValueT")

#: The key of a field's `BatchedLoad` in its strawberry metadata.
BATCHED = "gateway.batched-load"


@dataclass(frozen=True, slots=True, eq=False)
class BatchedLoad(Generic[SourceT, ContextT, LoadedT, ValueT]):
    """A nullable field that is `convert(loaded)` for the `loaded` the request's `loader` has under
    `key(source)`; null when the key is None or nothing is loaded under it."""

    key: Callable[[SourceT], Hashable | None]
    loader: Callable[[ContextT], DataLoader[Any, LoadedT | None]]
    convert: Callable[[LoadedT], ValueT]

    async def resolve(self, source: SourceT, context: ContextT) -> ValueT | None:
        """The field's value for `source` (what its resolver returns)."""
        key = self.key(source)
        if key is None:
            return None
        loaded = await self.loader(context).load(key)
        return None if loaded is None else self.convert(loaded)

    @property
    def metadata(self) -> Mapping[str, Any]:
        """The strawberry field metadata that declares this load (`strawberry.field(metadata=...)`)."""
        return {BATCHED: self}
