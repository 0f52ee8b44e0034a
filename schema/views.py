"""Thin views: a GraphQL object read from its decoded upstream object field by field, on first read.

A provider's view subclasses its strawberry type (so the schema, `is_type_of` and `resolve_type`
see that type, and strawberry's resolvers stay plain attribute reads the compiled executor
inlines) without running the dataclass's `__init__`: the constructor keeps the decoded dict and
checks only what must fail at once (the upstream id), and every other field is a `lazy`
descriptor. A field the query does not select costs nothing; one it selects is computed on its
first read and stored on the instance, so ids and instants are computed once per object however
many fields (`startsAt` and `dateStart`, say) or readers (windows, sorting, `remember`) use them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, Generic, Self, TypeVar, cast, overload

import strawberry

from gateway.execution.computed import ComputedAttribute
from gateway.ids import decode_id, encode_id
from gateway.providers.base import JSONObject
from schema.event import EventStatus, Provider, status_in_time
from schema.scalars import JSON, as_json

ViewT = TypeVar("ViewT", bound="UpstreamView")
T = TypeVar("T")


class UpstreamView:
    """Base of a view: `data` is the decoded upstream object its `lazy` fields read."""

    __slots__ = ()
    data: JSONObject


class lazy(ComputedAttribute, Generic[ViewT, T]):
    """A view's field computed by `compute(view)` on its first read, then kept on the instance.

    A non-data descriptor: once the value is in the instance's `__dict__`, Python reads it from
    there without calling back here, so later reads cost what a dataclass attribute costs (and the
    compiled executor reads it inline, `gateway.execution.computed`).
    """

    __slots__ = ("compute", "name")

    def __init__(self, compute: Callable[[ViewT], T]) -> None:
        self.compute = compute
        self.name = getattr(compute, "__name__", "")

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def reader(self) -> Callable[[ViewT], T]:
        return self.compute

    @overload
    def __get__(self, view: None, owner: type[Any] | None = None) -> Self: ...

    @overload
    def __get__(self, view: ViewT, owner: type[Any] | None = None) -> T: ...

    def __get__(self, view: ViewT | None, owner: type[Any] | None = None) -> Self | T:
        if view is None:
            return self
        value = self.compute(view)
        view.__dict__[self.name] = value
        return value


class read(ComputedAttribute, Generic[T]):
    """A view's field that is `convert(data.get(key))`, kept as `lazy` keeps its values (one call
    fewer than a `lazy` would make; the `gateway.upstream.values` readers never raise)."""

    __slots__ = ("convert", "key", "name")

    def __init__(self, key: str, convert: Callable[[Any], T]) -> None:
        self.key = key
        self.convert = convert
        self.name = key

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def reader(self) -> Callable[[UpstreamView], T]:
        convert, key = self.convert, self.key
        return lambda view: convert(view.data.get(key))

    @overload
    def __get__(self, view: None, owner: type[Any] | None = None) -> Self: ...

    @overload
    def __get__(self, view: UpstreamView, owner: type[Any] | None = None) -> T: ...

    def __get__(self, view: UpstreamView | None, owner: type[Any] | None = None) -> Self | T:
        if view is None:
            return self
        value = view.__dict__[self.name] = self.convert(view.data.get(self.key))
        return value


def same_as(name: str) -> lazy[UpstreamView, Any]:
    """A field with the value of the view's field `name` (read, and so computed, once for both)."""
    return lazy(attrgetter(name))


class EventView(UpstreamView):
    """A view of an event: `id_parts` are its global id's parts after the provider (scope and own
    id, as text), kept so that code that needs them need not decode the id; `id` is encoded from
    them and the view's `provider` on first read (with a `__dict__`: its fields are kept there)."""

    provider: Provider
    provider_id: str
    id_parts: tuple[str, ...]

    def __init__(self, data: JSONObject, *id_parts: str) -> None:
        """The view of `data`, the event whose own id is the last of `id_parts`."""
        self.data = data
        self.id_parts = id_parts
        self.provider_id = id_parts[-1]

    @lazy
    def raw(self) -> JSON:
        return as_json(self.data)

    @lazy
    def id(self) -> strawberry.ID:
        # `_value_`, not `value`: the same string, without Enum's property (once per listed event).
        return strawberry.ID(encode_id(cast(str, self.provider._value_), *self.id_parts))


#: `startsAt`, `endsAt`, `startDate`, `endDate`: an event's times, worked out together.
Span = tuple[datetime | None, datetime | None, date | None, date | None]


class SpannedEventView(EventView):
    """An event view whose four times come from one `span` its provider computes (all-day days and
    the midnights bounding them depend on each other), and whose `status` is read from the clock."""

    __slots__ = ()
    span: Span
    all_day: bool
    now: datetime | None

    @lazy
    def starts_at(self) -> datetime | None:
        return self.span[0]

    @lazy
    def ends_at(self) -> datetime | None:
        return self.span[1]

    @lazy
    def start_date(self) -> date | None:
        return self.span[2]

    @lazy
    def end_date(self) -> date | None:
        return self.span[3]

    @lazy
    def status(self) -> EventStatus:
        now = self.now or datetime.now(UTC)
        return status_in_time(self.starts_at, self.ends_at, all_day=self.all_day, now=now)


def id_parts(event: Any) -> tuple[str, ...]:
    """The parts of an event's global id after the provider: as its view kept them, else decoded."""
    if isinstance(event, EventView):
        return event.id_parts
    return decode_id(event.id).parts
