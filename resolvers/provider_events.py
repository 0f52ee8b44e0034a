"""What every provider's resolvers share about its events: the by-key loader, priming, global ids.

A provider's event has the global id `encode_id(provider, *scope, own id)`: the scope is where
the event lives upstream (a Schoology realm's kind and id, a pretix organizer; empty for most
providers). A `ProviderEvents` turns such ids into the client's batch keys, loads through the
request's loader, and primes it with every event a list or a write returns, so `node(id:)` later
in the same request costs nothing. A write also goes to the `eventChanges` subscribers it
concerns, at once (`written`, `erased`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import strawberry

from gateway.errors import BadUserInput
from gateway.ids import decode_id
from gateway.live.changes import Written
from gateway.providers.base import JSONObject, ProviderClient, ProviderSpec
from gateway.request.context import Context
from gateway.request.loaders import RequestLoader
from resolvers.mutations import deletion, payload
from resolvers.provider import ProviderAPI, Window, select
from resolvers.provider_objects import LoadNode
from schema.event import Event
from schema.payloads import DeleteEventPayload, Payload
from schema.views import id_parts

ClientT = TypeVar("ClientT", bound=ProviderClient)
KeyT = TypeVar("KeyT", bound=Hashable)
EventT = TypeVar("EventT", bound=Event)

#: A client's batch function: objects by key, None where there is none.
Batch = Callable[[Sequence[KeyT]], Awaitable[Sequence[JSONObject | None]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderEvents(Generic[ClientT, KeyT, EventT]):
    """One provider's events in a request: ids to keys, loads in batches, priming.

    `batch` picks the client's by-key batch function; `key` turns the parts of a global id into
    its key (None when they are malformed); `convert` builds the event from upstream JSON and the
    scope parts (refusing, as `from_upstream` does, an object without a usable id).
    """

    spec: ProviderSpec[Any, ClientT]
    #: What one is called in messages, e.g. "Strigo event".
    what: str
    batch: Callable[[ClientT], Batch[KeyT]]
    key: Callable[[tuple[str, ...]], KeyT | None]
    convert: Callable[[Context, JSONObject, tuple[str, ...]], EventT]

    @property
    def loader_name(self) -> str:
        """The request's loader of these events."""
        return f"{self.spec.name}.events"

    def client(self, context: Context) -> ClientT:
        """The provider's client (PROVIDER_NOT_CONFIGURED when it has no credentials here)."""
        return context.client(self.spec)

    def loader(self, context: Context) -> RequestLoader:
        """The request's by-key loader of these events."""
        return context.loaders.get(self.loader_name, self.batch(self.client(context)))

    async def load(self, context: Context, key: KeyT) -> JSONObject | None:
        """The upstream object at `key` (batched with the request's other loads), None if missing."""
        data: JSONObject | None = await self.loader(context).load(key)
        return data

    def key_of(self, global_id: str, field: str = "id") -> KeyT:
        """The key of one of this provider's global ids; BAD_USER_INPUT (at `field`) for any other id."""
        return self._key_and_scope(global_id, field)[0]

    def _key_and_scope(self, global_id: str, field: str = "id") -> tuple[KeyT, tuple[str, ...]]:
        """`key_of`, and the id's scope parts (all but the upstream's own id)."""
        decoded = decode_id(global_id, field=field)
        key = self.key(decoded.parts) if decoded.is_of(self.spec.name) else None
        if key is None:
            raise BadUserInput(f"{global_id!r} is not a {self.what} id", field=[field])
        return key, decoded.parts[:-1]

    async def node(self, context: Context, parts: tuple[str, ...]) -> EventT | None:
        """`node(id:)` for this provider: the event with these global-id parts, or None."""
        key = self.key(parts)
        if key is None:
            raise BadUserInput(f"malformed {self.what} id", field=["id"])
        data = await self.load(context, key)
        return None if data is None else self.convert(context, data, parts[:-1])

    def remember(
        self,
        context: Context,
        data: JSONObject,
        *scope: str,
        loader: RequestLoader | None = None,
    ) -> EventT:
        """The event built from a list's or a write's upstream JSON, primed for later loads under the
        key of its own global id (an occurrence of a series may have one its upstream id alone is not).
        A list passes its `loader` (the request's, `loader(context)`), found once for all its events."""
        event = self.convert(context, data, scope)  # first: it refuses an object without a usable id
        key = self.key(id_parts(event))
        if key is not None:
            (loader or self.loader(context)).replace(key, data)
        return event

    async def listed(
        self, context: Context, fetch: Callable[[ClientT], Awaitable[Iterable[JSONObject]]], *scope: str
    ) -> list[EventT]:
        """The events a list call `fetch(client)` returns, each remembered (so `node` later is free)."""
        found = await fetch(self.client(context))
        loader = self.loader(context)
        return [self.remember(context, data, *scope, loader=loader) for data in found]

    def window(
        self, fetch: Callable[[ClientT], Awaitable[Iterable[JSONObject]]]
    ) -> Callable[[Context, Window], Awaitable[list[Event]]]:
        """A `list_window` for an API that cannot filter: the whole list `fetch(client)`, `select`ed."""

        async def list_window(context: Context, window: Window) -> list[Event]:
            return select(await self.listed(context, fetch), window)

        return list_window

    def api(
        self,
        *,
        query: type,
        mutation: type,
        types: tuple[type, ...],
        list_window: Callable[[Context, Window], Awaitable[list[Event]]],
        objects: Mapping[str, LoadNode] | None = None,
        convert: Callable[[Context, JSONObject, tuple[str, ...]], Event] | None = None,
    ) -> ProviderAPI:
        """The provider's `ProviderAPI`, its spec, `node(id:)` and `convert` these events' own."""
        return ProviderAPI(
            spec=self.spec,
            query=query,
            mutation=mutation,
            types=types,
            load_node=self.node,
            list_window=list_window,
            convert=convert or self.convert,
            objects=objects or {},
        )

    async def create(
        self, context: Context, write: Callable[[ClientT], Awaitable[JSONObject]], *scope: str
    ) -> Payload[EventT]:
        """A create mutation: `write(client)`'s event, `written`; caller-fixable errors are `userErrors`."""

        async def run() -> EventT:
            return await self.written(context, await write(self.client(context)), *scope)

        return await payload(run())

    async def update(
        self,
        context: Context,
        global_id: strawberry.ID,
        write: Callable[[ClientT, KeyT], Awaitable[JSONObject]],
    ) -> Payload[EventT]:
        """An update mutation of the event `global_id`: `write(client, key)`'s event, `written` in the
        id's scope; caller-fixable errors are `userErrors`, a bare NOT_FOUND points at `id`."""

        async def run() -> EventT:
            key, scope = self._key_and_scope(global_id)
            data = await write(self.client(context), key)
            return await self.written(context, data, *scope)

        return await payload(run(), missing="id")

    async def delete(
        self, context: Context, global_id: strawberry.ID, erase: Callable[[ClientT, KeyT], Awaitable[object]]
    ) -> DeleteEventPayload:
        """A delete mutation of the event `global_id`: `erase(client, key)`, then `erased`; caller-fixable
        errors are `userErrors`, a bare NOT_FOUND points at `id`."""

        async def run() -> strawberry.ID:
            key = self.key_of(global_id)
            await erase(self.client(context), key)
            await self.erased(context, key, global_id)
            return global_id

        return await deletion(run(), missing="id")

    async def written(self, context: Context, data: JSONObject, *scope: str) -> EventT:
        """`remember` for a write's upstream JSON, which also goes to the subscribers it concerns now."""
        event = self.remember(context, data, *scope)
        await self.announce(context, event)
        return event

    async def announce(self, context: Context, event: EventT) -> None:
        """Tell `event`, just written, to the subscribers it concerns now. Give it as a list shows it:
        its upstream object is what the next poll compares with (the same content hashes the same)."""
        await self._publish(context, str(event.id), cast(JSONObject, event.raw))

    async def erased(self, context: Context, key: KeyT, global_id: str) -> None:
        """The event at `key` (global id `global_id`) was deleted: forget it, tell its subscribers."""
        self.prime(context, key, None)
        await self._publish(context, global_id, None)

    async def _publish(self, context: Context, global_id: str, data: JSONObject | None) -> None:
        if context.live is not None:
            name = self.spec.name
            credential = context.credential_key(name)
            unhashed = self.spec.endpoint_only_keys
            written = Written(provider=name, credential=credential, id=global_id, raw=data, unhashed=unhashed)
            await context.live.publish(written)

    def prime(self, context: Context, key: KeyT, data: JSONObject | None) -> None:
        """Store `data` as what `key` holds now; None: the event is gone (after a delete)."""
        context.loaders.prime(self.loader_name, self.batch(self.client(context)), key, data)

    def stale(self, context: Context, key: KeyT) -> None:
        """Drop `key` from the request's cache, so the next load reads the upstream again."""
        context.loaders.clear(self.loader_name, self.batch(self.client(context)), key)
