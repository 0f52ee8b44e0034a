"""Value completion for one field position (leaf, list, object, abstract), as graphql-core's `complete_value`.

Each completer is `complete(executor, value, path, info) -> completed | awaitable`, raising where
graphql-core raises, so the caller's error handling (graphql-core's own `handle_field_error`)
decides between null propagation and a recorded error. Paths are built lazily: `path` is a real
`Path` or a `(prev, key, typename)` tuple chain ending in one, turned into a `Path` only when an
error, a resolver or a type check needs it. `info` is built lazily too (None until needed).
Anything unusual (an awaitable, an async iterable, a custom `is_type_of`) goes to graphql-core.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import Executor, invalid_return_type_error
from graphql.pyutils import Path, Undefined, gather_with_cancel

from gateway.execution import strawberry_facts as facts

AnyExecutor: TypeAlias = Executor[Any]
Info: TypeAlias = GraphQLResolveInfo[Any]
PathLike: TypeAlias = Any  # Path | tuple[PathLike, str | int, str | None]
Complete: TypeAlias = Callable[[AnyExecutor, Any, PathLike, Info | None], Any]
Runner: TypeAlias = Callable[[AnyExecutor, Any, PathLike], Any]

_complete_value = Executor.complete_value
_complete_leaf_value = Executor.complete_leaf_value
_complete_object_value = Executor.complete_object_value


def to_path(path: PathLike) -> Path:
    """The real `Path` for a lazily built one."""
    if path.__class__ is Path:
        return path  # type: ignore[no-any-return,unused-ignore]
    prev, key, typename = path
    return Path(to_path(prev), key, typename)


@dataclasses.dataclass(slots=True, eq=False)
class Site:
    """One field in one object type of a plan: what graphql-core's `execute_field` would know."""

    parent_type: GraphQLObjectType
    field: GraphQLField
    field_details: FieldDetailsList
    nodes: list[FieldNode] = dataclasses.field(init=False)
    name: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.nodes = [details.node for details in self.field_details]
        self.name = self.nodes[0].name.value

    def info(self, executor: AnyExecutor, path: PathLike) -> Info:
        """The resolve info graphql-core passes down this field's completion (the field's own path)."""
        real = to_path(path)
        while real.key.__class__ is int:
            real = real.prev  # type: ignore[assignment]  # a list item's info is its field's
        return executor.build_resolve_info(self.field, self.nodes, self.parent_type, real)

    def fail(self, executor: AnyExecutor, error: Exception, path: PathLike) -> None:
        """graphql-core's field error handling: record and return null, or raise to the parent."""
        executor.handle_field_error(error, self.field.type, self.field_details, to_path(path))


def delegate(site: Site, type_: GraphQLOutputType) -> Complete:
    """graphql-core's own completion of a value at this position (for the unusual cases)."""

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        info = info or site.info(executor, path)
        return _complete_value(executor, type_, site.field_details, info, to_path(path), value, None)

    return complete


def non_null(inner: Complete, site: Site) -> Complete:
    message = f"Cannot return null for non-nullable field {site.parent_type}.{site.name}."

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        completed = inner(executor, value, path, info)
        if completed is None:
            raise TypeError(message)
        return completed

    return complete


def leaf(type_: Any) -> Complete:
    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        return _complete_leaf_value(type_, value)

    return complete


def list_of(list_type: GraphQLList[Any], item: Complete, site: Site, fast_class: type | None) -> Complete:
    """Lists and tuples item by item (with per-item error handling); other iterables go to graphql-core."""
    item_type = list_type.of_type
    unusual = delegate(site, list_type)
    details = site.field_details

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        kind = value.__class__
        if kind is not list and kind is not tuple:
            return unusual(executor, value, path, info)
        if fast_class is not None:
            for entry in value:
                if entry.__class__ is not fast_class:
                    break
            else:
                return list(value)
        is_awaitable = executor.is_awaitable
        completed: list[Any] = []
        pending: list[int] = []
        index = 0
        try:
            for index, entry in enumerate(value):
                item_path = (path, index, None)
                if is_awaitable(entry):
                    info = info or site.info(executor, path)
                    completed.append(
                        executor.complete_awaitable_list_item_value(
                            entry, item_type, details, info, to_path(item_path), None
                        )
                    )
                    pending.append(index)
                    continue
                try:
                    result = item(executor, entry, item_path, info)
                    if is_awaitable(result):
                        result = _await_item(executor, result, item_type, details, item_path)
                        pending.append(index)
                except Exception as error:
                    executor.handle_field_error(error, item_type, details, to_path(item_path))
                    result = None
                completed.append(result)
        except Exception:
            # As graphql-core: awaitables already made, and those still in the list, are settled
            # in the background so that none is left never awaited.
            unsettled = [completed[position] for position in pending]
            unsettled += [entry for entry in value[index + 1 :] if is_awaitable(entry)]
            if unsettled:
                executor.settle_in_background(unsettled)
            raise
        if not pending:
            return completed
        return _gather_items(completed, pending)

    return complete


async def _await_item(
    executor: AnyExecutor, result: Awaitable[Any], item_type: Any, details: FieldDetailsList, path: PathLike
) -> Any:
    try:
        return await result
    except Exception as error:
        executor.handle_field_error(error, item_type, details, to_path(path))
        return None


async def _gather_items(completed: list[Any], pending: list[int]) -> list[Any]:
    if len(pending) == 1:
        completed[pending[0]] = await completed[pending[0]]
    else:
        results = await gather_with_cancel(*(completed[index] for index in pending))
        for index, result in zip(pending, results, strict=True):
            completed[index] = result
    return completed


#: Runners specialised by the class of the values completed, per object position (then one for any).
MAX_RUNNER_CLASSES = 8


def object_of(
    object_type: GraphQLObjectType, site: Site, runner: Callable[[AnyExecutor, type | None], Runner]
) -> Complete:
    """An object: strawberry's `is_type_of` verdict (cached by class and cast), then the plan's runner
    for the value's class (`runner(executor, class)`; a class of None: for values of any class)."""
    is_type_of = object_type.is_type_of
    by_class = is_type_of is not None and facts.is_class_determined_check(is_type_of)
    verdicts: dict[tuple[type, Any], bool] = {}
    compiled: dict[type | None, Runner] = {}

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        if is_type_of is not None:
            if not by_class:
                info = info or site.info(executor, path)
                details = site.field_details
                return _complete_object_value(
                    executor, object_type, details, info, to_path(path), value, None
                )
            key = (value.__class__, getattr(value, facts.TYPE_CAST_ATTRIBUTE, None))
            verdict = verdicts.get(key)
            if verdict is None:
                verdict = verdicts[key] = bool(is_type_of(value, info or site.info(executor, path)))
            if not verdict:
                raise invalid_return_type_error(object_type, value, site.field_details)
        cls = value.__class__
        run = compiled.get(cls)
        if run is None:
            if len(compiled) >= MAX_RUNNER_CLASSES:
                cls = None
                run = compiled.get(None)
            if run is None:
                run = compiled[cls] = runner(executor, cls)
        return run(executor, value, path)

    return complete


def stock_runner(object_type: GraphQLObjectType, details: FieldDetailsList) -> Runner:
    """graphql-core's own execution of an object's fields (when no runner could be made)."""

    def run(executor: AnyExecutor, value: Any, path: PathLike) -> Any:
        return executor.collect_and_execute_subfields(object_type, details, to_path(path), value, None)

    return run


def abstract_of(
    abstract: GraphQLAbstractType, site: Site, object_completer: Callable[[GraphQLObjectType], Complete]
) -> Complete:
    """An interface or union value: its runtime type (cached by class and cast where strawberry's
    answer depends on nothing else), checked as graphql-core checks it, then that object's completion."""
    by_class: dict[tuple[type, Any], Complete] = {}
    details = site.field_details

    def complete(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        key = (value.__class__, getattr(value, facts.TYPE_CAST_ATTRIBUTE, None))
        known = by_class.get(key)
        if known is not None:
            return known(executor, value, path, info)
        info = info or site.info(executor, path)
        resolve_type = abstract.resolve_type or executor.type_resolver
        runtime_name = resolve_type(value, info, abstract)
        if executor.is_awaitable(runtime_name):
            return _complete_later(executor, runtime_name, value, path, info)
        runtime = executor.ensure_valid_runtime_type(runtime_name, abstract, details, info, value)
        completer = object_completer(runtime)
        if facts.value_determines_type(executor.schema, abstract, value):
            by_class[key] = completer
        return completer(executor, value, path, info)

    async def _complete_later(
        executor: AnyExecutor, runtime_name: Any, value: Any, path: PathLike, info: Info
    ) -> Any:
        name = await executor.with_abort_signal(runtime_name)
        runtime = executor.ensure_valid_runtime_type(name, abstract, details, info, value)
        completed = object_completer(runtime)(executor, value, path, info)
        if executor.is_awaitable(completed):
            return await completed
        return completed

    return complete


def field_level(site: Site, complete: Complete) -> Complete:
    """A plain field's value as `execute_field` completes its resolver's result (awaitables included)."""
    return_type = site.field.type
    details = site.field_details

    def complete_field(executor: AnyExecutor, value: Any, path: PathLike, info: Info | None) -> Any:
        if executor.is_awaitable(value):
            info = info or site.info(executor, path)
            return executor.complete_awaitable_value(return_type, details, info, to_path(path), value, None)
        completed = complete(executor, value, path, info)
        if executor.is_awaitable(completed):
            return _await_field(executor, completed, site, path)
        return completed

    return complete_field


async def _await_field(executor: AnyExecutor, completed: Awaitable[Any], site: Site, path: PathLike) -> Any:
    try:
        return await completed
    except Exception as error:
        site.fail(executor, error, path)
        return None
