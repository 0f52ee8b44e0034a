"""The GraphQL side of the provider seam: what one provider adds to the schema, `node` and `events`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.providers.base import AnySpec, JSONObject
from gateway.request.context import Context
from resolvers.provider_objects import LoadNode
from schema.event import Event

#: Sort key of the federated order: dated events first by instant, then provider, then upstream id,
#: then the global id (unique even where an upstream id is not, e.g. one pretix slug in two organizers).
OrderKey = tuple[bool, datetime, str, str, str]

_NO_START = datetime.max.replace(tzinfo=UTC)


def order_key(event: Event) -> OrderKey:
    """Where an event sits in the federated order (`startsAt`, provider, provider id; no start last)."""
    starts = event.starts_at
    return (
        starts is None,
        _NO_START if starts is None else starts.astimezone(UTC),
        event.provider.name,
        event.provider_id,
        str(event.id),
    )


@dataclass(frozen=True, slots=True)
class Window:
    """What the federated `events` query asks of one provider.

    A provider pushes what it can down to its API (dates, search) and may return more than asked;
    `select` then applies the whole window in the gateway, so the result is exact either way.
    `limit` bounds upstream work: a provider may stop paging once it has `limit` events after `after`.
    `path` is where the query's answer goes in the response (the field's alias, if it has one): a
    provider reports a problem that must not blank the rest there (`Context.partial_errors`).
    """

    starts_after: datetime | None = None
    starts_before: datetime | None = None
    search: str | None = None
    after: OrderKey | None = None
    limit: int = 50
    path: tuple[str | int, ...] = ("events",)

    def admits(self, event: Event) -> bool:
        """Whether the event belongs to this window (dates inclusive/exclusive, search, cursor)."""
        starts = event.starts_at
        if self.starts_after is not None and (starts is None or starts < self.starts_after):
            return False
        if self.starts_before is not None and (starts is None or starts >= self.starts_before):
            return False
        if self.search and not _matches(event, self.search):
            return False
        return self.after is None or order_key(event) > self.after


def _matches(event: Event, search: str) -> bool:
    needle = search.casefold()
    texts = (event.title, event.description, event.location)
    return any(needle in text.casefold() for text in texts if text)


def select(events: Iterable[Event], window: Window) -> list[Event]:
    """The window's events in federated order, at most `limit` of them."""
    return sorted((event for event in events if window.admits(event)), key=order_key)[: window.limit]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderAPI:
    """One provider's contribution: root fields, concrete types, and the ways in for shared fields.

    `load_node` takes the key parts of a decoded event id and resolves through the request's
    loaders, so many ids of one provider cost one batched round; `objects` does the same for each
    kind of its other objects (`encode_id(..., kind=)`). `list_window` answers the federated
    `events` query for this provider (already filtered with `select`), and is what the
    `eventChanges` change detectors poll. `convert` builds an event from upstream JSON and the
    scope parts of its global id (what a change carries to each subscriber).
    """

    spec: AnySpec
    query: type
    mutation: type
    types: tuple[type, ...]
    load_node: Callable[[Context, tuple[str, ...]], Awaitable[Event | None]]
    list_window: Callable[[Context, Window], Awaitable[list[Event]]]
    convert: Callable[[Context, JSONObject, tuple[str, ...]], Event]
    objects: Mapping[str, LoadNode] = field(default_factory=dict)
