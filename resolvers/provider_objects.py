"""A provider's objects other than events (spaces, users, classes, realms, organizers) by global id.

Such an object's id is `encode_id(provider, *key parts, kind=...)`. `node(id:)` finds the kind's
`ProviderObjects` in the provider's `ProviderAPI.objects` and loads through the same per-request
loader the fields that reach these objects use, so `node` and `nodes` batch with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.errors import BadUserInput
from gateway.providers.base import JSONObject, ProviderClient, ProviderSpec
from gateway.request.context import Context
from schema.event import Node

ClientT = TypeVar("ClientT", bound=ProviderClient)
KeyT = TypeVar("KeyT", bound=Hashable)
NodeT = TypeVar("NodeT", bound=Node)

#: `node(id:)` for one kind: the object with these global-id key parts, or None.
LoadNode = Callable[[Context, tuple[str, ...]], Awaitable[Node | None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderObjects(Generic[ClientT, KeyT, NodeT]):
    """One kind of a provider's objects: id parts to a batch key, the request's loader, the type.

    `key` turns the parts of a global id into the loader's key (None when malformed); `convert`
    builds the object from the loaded upstream JSON and its key.
    """

    spec: ProviderSpec[Any, ClientT]
    #: What one is called in messages, e.g. "Kona space".
    what: str
    #: The request's loader of these objects (the name the fields reaching them use too).
    loader_name: str
    batch: Callable[[ClientT], Callable[[Sequence[KeyT]], Awaitable[Sequence[JSONObject | None]]]]
    key: Callable[[tuple[str, ...]], KeyT | None]
    convert: Callable[[JSONObject, KeyT], NodeT]

    async def node(self, context: Context, parts: tuple[str, ...]) -> Node | None:
        """The object with these global-id parts (batched with the request's other loads), or None."""
        key = self.key(parts)
        if key is None:
            raise BadUserInput(f"malformed {self.what} id", field=["id"])
        client = context.client(self.spec)
        data: JSONObject | None = await context.loaders.get(self.loader_name, self.batch(client)).load(key)
        return None if data is None else self.convert(data, key)


def one_part(parts: tuple[str, ...]) -> str | None:
    """The key of an id with a single key part (most upstream ids)."""
    return parts[0] if len(parts) == 1 else None


def one_number(parts: tuple[str, ...]) -> int | None:
    """The key of an id with a single numeric key part, as a number within GraphQL's `Int`."""
    if len(parts) != 1 or not parts[0].isdigit() or len(parts[0]) > 10:
        return None
    number = int(parts[0])
    return number if number < 2**31 else None
