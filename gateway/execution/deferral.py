"""Batched loads of a list's objects, completed together once the list's items are.

While a list completes its items (one synchronous pass), an object's `BatchedLoad` field is not
resolved there: the runner leaves null in its place and hands the field to the list's scope.
When the pass ends, the list completes its scope's fields in the order graphql-core's tasks would
run their resolvers: every key read and loaded (the loader batches them as it batches those
tasks' loads), the loads awaited, then each value converted (once per loaded object) and
completed into its place, with errors handled at the field's path as graphql-core handles them.
Objects completed there may defer fields of their own: they are completed the same way, in turn.

Only nullable fields are deferred, so an error never nulls more than the field itself.

The answer is graphql-core's: data, and each error's message, path and location. What graphql-core's
task scheduling decides may differ: where a list's objects have different numbers of async fields
(an interface or union list), the order of their errors and of keys within one batch; and where a
non-null failure discards objects while their loads are under way, whether those loads and their
errors happen (here: fewer, never more).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeAlias

from graphql.pyutils import gather_with_cancel

from gateway.execution.batched import BatchedLoad
from gateway.execution.completion import AnyExecutor, Complete, Info, PathLike, Site

#: A deferred field of one object: the field, the object's response dict, the object, its path.
Entry: TypeAlias = "tuple[DeferredField, dict[str, Any], Any, PathLike]"

_FAILED: Any = object()  # a field whose key or loader failed (its error is recorded already)


class LoadCancelled(Exception):
    """A deferred field's load was cancelled by something else waiting on it."""


@dataclass(frozen=True, slots=True, eq=False)
class DeferredField:
    """A `BatchedLoad` field of one object type in a plan, completed by the list around it."""

    response_key: str
    load: BatchedLoad[Any, Any, Any, Any]
    site: Site
    complete: Complete  # the completion of the field's (nullable) type

    def path(self, object_path: PathLike) -> PathLike:
        """The field's (lazy) path under its object's."""
        return (object_path, self.response_key, self.site.parent_type.name)


def scoped(complete_list: Complete) -> Complete:
    """A list's completion that completes, at its end, the fields its items deferred (unless an
    enclosing list's pass is open: that list completes them)."""

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        scope = open_scope(executor)
        if scope is None:
            return complete_list(executor, value, path, info)
        try:
            completed = complete_list(executor, value, path, info)
        finally:
            close_scope(executor)
        if not scope:
            return completed
        return _then_deferred(executor, completed, scope)

    return complete


async def _then_deferred(executor: AnyExecutor, completed: Any, scope: list[Entry]) -> Any:
    if not executor.is_awaitable(completed):
        await complete_deferred(executor, scope)
        return completed
    # Items still completing: both at once, as graphql-core would; an item's error (a non-null
    # field nulling the list) is the list's, and what was deferred for it is cancelled.
    deferred = asyncio.ensure_future(complete_deferred(executor, scope))
    try:
        items = await completed
    except BaseException:
        deferred.cancel()
        raise
    await deferred
    return items


def open_scope(executor: AnyExecutor) -> list[Entry] | None:
    """Collect the fields deferred from now on, unless an enclosing list collects them already:
    the new scope (close it with `close_scope`), or None."""
    if executor.deferred is not None:  # type: ignore[attr-defined]
        return None
    scope: list[Entry] = []
    executor.deferred = scope  # type: ignore[attr-defined]
    return scope


def close_scope(executor: AnyExecutor, previous: list[Entry] | None = None) -> None:
    """Stop collecting (back to `previous`): fields met later (after an await) are resolved as
    graphql-core resolves them."""
    executor.deferred = previous  # type: ignore[attr-defined]


async def complete_deferred(executor: AnyExecutor, entries: list[Entry]) -> None:
    """Load, convert and complete every field of `entries` (and the fields they defer in turn)."""
    later: list[asyncio.Future[None]] = []  # completions that wait, running beside the next loads
    try:
        while entries:
            loads = _start_loads(executor, entries)
            ranks = await _settled(loads)
            # In the order graphql-core's resolvers would resume: those that never waited first, then
            # those waiting on each load, load by load as they settled (so errors are listed alike).
            order = sorted(range(len(entries)), key=lambda index: ranks.get(id(loads[index]), 0))
            entries = _complete(
                executor, [entries[index] for index in order], [loads[index] for index in order], later
            )
    except BaseException:
        for pending in later:  # cancelled (a disconnect): what runs beside is cancelled with it
            pending.cancel()
        raise
    if later:
        await gather_with_cancel(*later)


async def _settled(loads: list[Any]) -> dict[int, int]:
    """Wait for the loads still pending: id(load) -> the rank (from 1) in which each settled."""
    pending: dict[int, Any] = {}
    for future in loads:
        if future is not None and future is not _FAILED and not future.done():
            pending[id(future)] = future
    if not pending:
        return {}
    settled: list[Any] = []
    all_settled = asyncio.get_running_loop().create_future()

    def one_settled(future: Any) -> None:
        # Done callbacks run in the order the loads settled (as their waiters' wake-ups would).
        settled.append(future)
        if len(settled) == len(pending) and not all_settled.done():
            all_settled.set_result(None)

    for future in pending.values():
        future.add_done_callback(one_settled)
    await all_settled
    return {id(future): rank for rank, future in enumerate(settled, start=1)}


def _start_loads(executor: AnyExecutor, entries: list[Entry]) -> list[Any]:
    context = executor.context_value
    loaders: dict[int, Any] = {}  # id(load) -> its loader's `load`: the request's, for every field
    loads: list[Any] = []
    for field, _, source, path in entries:
        try:
            key = field.load.key(source)
            if key is None:
                loads.append(None)
                continue
            load = loaders.get(id(field.load))
            if load is None:
                loader = field.load.loader(context)
                # The loader's shared future, when it offers it (this pass never cancels a load).
                load = loaders[id(field.load)] = getattr(loader, "load_shared", loader.load)
            loads.append(load(key))
        except Exception as error:
            field.site.fail(executor, error, field.path(path))
            loads.append(_FAILED)
    return loads


def _complete(
    executor: AnyExecutor, entries: list[Entry], loads: list[Any], later: list[asyncio.Future[None]]
) -> list[Entry]:
    """Complete each loaded field into its object; the fields their values defer."""
    converted: dict[tuple[int, int], Any] = {}  # (id(load), id(future)): one value per loaded object
    # No list's pass is open here (this runs after an await), but restore whatever was.
    previous: list[Entry] | None = executor.deferred  # type: ignore[attr-defined]
    nested: list[Entry] = []
    executor.deferred = nested  # type: ignore[attr-defined]
    is_awaitable = executor.is_awaitable
    try:
        for (field, data, _, object_path), future in zip(entries, loads, strict=True):
            if future is _FAILED:
                continue
            path = field.path(object_path)
            try:
                value = None if future is None else _converted(field.load, future, converted)
                completed = field.complete(executor, value, path, None)
                if is_awaitable(completed):
                    later.append(asyncio.ensure_future(_fill(executor, field, data, completed, path)))
                else:
                    data[field.response_key] = completed
            except Exception as error:
                field.site.fail(executor, error, path)
    finally:
        close_scope(executor, previous)
    return nested


def _converted(
    load: BatchedLoad[Any, Any, Any, Any], future: Any, converted: dict[tuple[int, int], Any]
) -> Any:
    key = (id(load), id(future))
    if key in converted:
        return converted[key]
    if future.cancelled():  # by another waiter of the loader's future: an error here, not a crash
        raise LoadCancelled("the related object's load was cancelled")
    loaded = future.result()
    value = converted[key] = None if loaded is None else load.convert(loaded)
    return value


async def _fill(
    executor: AnyExecutor,
    field: DeferredField,
    data: dict[str, Any],
    completed: Awaitable[Any],
    path: PathLike,
) -> None:
    try:
        data[field.response_key] = await completed
    except Exception as error:
        field.site.fail(executor, error, path)
