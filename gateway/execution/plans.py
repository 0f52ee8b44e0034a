"""A plan: the compiled form of one (document, operation, directive variables), built lazily.

The root fields are collected by graphql-core as always; every field group of the plan gets a
completion (registered under the group's identity, which the plan keeps alive), and every
object type reached gets a runner the first time a value of it is completed. Sub-selections
are collected with graphql-core's own `collect_subfields`, so fragments, type conditions,
`@skip`/`@include` and field merging are exactly the spec's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    TypeNameMetaFieldDef,
    get_named_type,
    is_abstract_type,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_subfields
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_int, serialize_string

from gateway.execution import completion, deferral
from gateway.execution.completion import AnyExecutor, Complete, Runner, Site
from gateway.execution.runner import Fast, Step, build_runner
from gateway.execution.strawberry_facts import batched_load, plain_attribute

log = logging.getLogger("gateway.execution")

#: Estimated memory of a plan: per field position (its site, completion and step), and per step of
#: each runner generated (tracemalloc: ~3-3.7 KB a position with its first runner).
SITE_BYTES = 3072
STEP_BYTES = 1024


@dataclass(frozen=True, slots=True)
class FieldCompletion:
    """How the executor completes the value of one field group of a plan."""

    field_details: FieldDetailsList  # held here so that its id is never reused while registered
    return_type: GraphQLOutputType
    complete: Complete


class Plan:
    """The compiled execution of one operation; shared by every request with the same key."""

    def __init__(self, schema: GraphQLSchema, root_type: GraphQLObjectType, root_fields: GroupedFieldSet):
        self.schema = schema
        self.root_fields = root_fields
        #: The plan's estimated memory, growing as executions reach more of it.
        self.size = 0
        #: Told when `size` grows (the cache holding the plan re-weighs it).
        self.on_growth: Callable[[Plan], None] | None = None
        #: id(field group) -> its completion; the groups are alive as long as the plan is.
        self.completions: dict[int, FieldCompletion] = {}
        for details in root_fields.values():
            field = schema.get_field(root_type, details[0].node.name.value)
            if field is not None:
                self._register(Site(root_type, field, details))

    def _grow(self, size: int) -> None:
        self.size += size
        if self.on_growth is not None:
            self.on_growth(self)

    def _register(self, site: Site) -> Complete:
        self._grow(SITE_BYTES)
        complete = self._value(site.field.type, site)
        details = site.field_details
        self.completions[id(details)] = FieldCompletion(details, site.field.type, complete)
        return complete

    def _value(self, type_: GraphQLOutputType, site: Site) -> Complete:
        if is_non_null_type(type_):
            return completion.non_null(self._value(type_.of_type, site), site)
        if is_list_type(type_):
            item_type = type_.of_type
            item = self._value(item_type, site)
            complete_list = completion.list_of(type_, item, site, _fast_class(item_type))
            if is_leaf_type(get_named_type(item_type)):
                return complete_list
            return deferral.scoped(complete_list)
        if is_leaf_type(type_):
            return completion.leaf(type_)
        if is_abstract_type(type_):
            return self._abstract(type_, site)
        if is_object_type(type_):
            return self._object(type_, site)
        raise TypeError(f"cannot complete {type_}")  # pragma: no cover - every output type is above

    def _abstract(self, abstract: GraphQLAbstractType, site: Site) -> Complete:
        objects: dict[str, Complete] = {}

        def object_completer(runtime: GraphQLObjectType) -> Complete:
            known = objects.get(runtime.name)
            if known is None:
                known = objects[runtime.name] = self._object(runtime, site)
            return known

        return completion.abstract_of(abstract, site, object_completer)

    def _object(self, object_type: GraphQLObjectType, site: Site) -> Complete:
        steps: list[list[Step]] = []  # made once, on the first value; a runner per class of value

        def runner(executor: AnyExecutor, cls: type | None) -> Runner:
            try:
                if not steps:
                    steps.append(self._steps(executor, object_type, site.field_details))
                self._grow(STEP_BYTES * len(steps[0]))
                return build_runner(steps[0], object_type.name, cls)
            except Exception:
                # A plan that cannot be made must not fail the request: graphql-core runs it.
                log.exception("no compiled runner for %s; graphql-core executes its fields", object_type)
                return completion.stock_runner(object_type, site.field_details)

        return completion.object_of(object_type, site, runner)

    def _steps(
        self, executor: AnyExecutor, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> list[Step]:
        collected = collect_subfields(
            self.schema,
            executor.fragments,
            executor.variable_values,
            executor.operation,
            object_type,
            details,
            executor.hide_suggestions,
        )
        if collected.new_defer_usages:  # pragma: no cover - plans are never made for @defer/@stream
            raise TypeError("compiled plans do not support @defer")
        return [
            step
            for key, group in collected.grouped_field_set.items()
            if (step := self._step(object_type, key, group)) is not None
        ]

    def _step(self, object_type: GraphQLObjectType, key: str, details: FieldDetailsList) -> Step | None:
        field = self.schema.get_field(object_type, details[0].node.name.value)
        if field is None:
            return None  # graphql-core skips it as well (validation makes it impossible)
        if field is TypeNameMetaFieldDef:
            return Step(key, typename=object_type.name)
        site = Site(object_type, field, details)
        complete = self._register(site)
        load = batched_load(field)
        if load is not None and not is_non_null_type(field.type):
            return Step(key, site, deferred=deferral.DeferredField(key, load, site, complete))
        attribute = plain_attribute(field)
        if attribute is None:
            return Step(key, site=site)
        return Step(key, site, attribute, completion.field_level(site, complete), _fast(field.type))


def _fast_class(type_: GraphQLOutputType) -> type | None:
    """The class whose instances a list item of this type already is, serialised."""
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not is_leaf_type(named):
        return None
    serialize = named.coerce_output_value
    if serialize is serialize_string or serialize is serialize_id:
        return str
    if serialize is serialize_boolean:
        return bool
    return None


def _fast(type_: GraphQLOutputType) -> Fast:
    non_null = isinstance(type_, GraphQLNonNull)
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not is_leaf_type(named):
        return Fast("composite", non_null)
    leaf: GraphQLLeafType = named
    cls = _fast_class(leaf)
    if cls is not None:
        return Fast("class", non_null, cls=cls)
    if leaf.coerce_output_value is serialize_int:
        return Fast("int", non_null)
    if is_enum_type(leaf) and isinstance(getattr(leaf, "wrapped_cls", None), type):
        return Fast("enum", non_null, names=_enum_names(leaf))
    return Fast("scalar", non_null, leaf_type=leaf)


def _enum_names(enum_type: GraphQLEnumType) -> dict[int, str]:
    """id(member) -> name, as the enum type's own serializer answers for each member (members live
    as long as their class, so their ids are never reused)."""
    names: dict[int, str] = {}
    for member in enum_type.wrapped_cls:  # type: ignore[attr-defined]
        try:
            names[id(member)] = enum_type.coerce_output_value(member)
        except Exception:  # noqa: S112 - a member it refuses is refused again (by the slow path)
            continue
    return names
