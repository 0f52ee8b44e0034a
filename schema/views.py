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
from operator import attrgetter
from typing import Any, Generic, Self, TypeVar, overload

from gateway.ids import decode_id
from gateway.providers.base import JSONObject

ViewT = TypeVar("ViewT", bound="UpstreamView")
T = TypeVar("T")


class UpstreamView:
    """Base of a view: `data` is the decoded upstream object its `lazy` fields read."""

    __slots__ = ()
    data: JSONObject


class lazy(Generic[ViewT, T]):
    """A view's field computed by `compute(view)` on its first read, then kept on the instance.

    A non-data descriptor: once the value is in the instance's `__dict__`, Python reads it from
    there without calling back here, so later reads cost what a dataclass attribute costs.
    """

    __slots__ = ("compute", "name")

    def __init__(self, compute: Callable[[ViewT], T]) -> None:
        self.compute = compute
        self.name = getattr(compute, "__name__", "")

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, view: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, view: ViewT, owner: type[Any]) -> T: ...

    def __get__(self, view: ViewT | None, owner: type[Any]) -> Self | T:
        if view is None:
            return self
        value = self.compute(view)
        view.__dict__[self.name] = value
        return value


class read(Generic[T]):
    """A view's field that is `convert(data.get(key))`, kept as `lazy` keeps its values (one call
    fewer than a `lazy` would make; the `gateway.upstream.values` readers never raise)."""

    __slots__ = ("convert", "key", "name")

    def __init__(self, key: str, convert: Callable[[Any], T]) -> None:
        self.key = key
        self.convert = convert
        self.name = key

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, view: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, view: UpstreamView, owner: type[Any]) -> T: ...

    def __get__(self, view: UpstreamView | None, owner: type[Any]) -> Self | T:
        if view is None:
            return self
        value = view.__dict__[self.name] = self.convert(view.data.get(self.key))
        return value


def same_as(name: str) -> lazy[UpstreamView, Any]:
    """A field with the value of the view's field `name` (read, and so computed, once for both)."""
    return lazy(attrgetter(name))


class EventView(UpstreamView):
    """A view of an event: `id_parts` are its global id's parts after the provider (scope and own
    id, as text), kept so that code that needs them need not decode the id."""

    __slots__ = ()
    id_parts: tuple[str, ...]


def id_parts(event: Any) -> tuple[str, ...]:
    """The parts of an event's global id after the provider: as its view kept them, else decoded."""
    if isinstance(event, EventView):
        return event.id_parts
    return decode_id(event.id).parts
