"""What the compiled executor may assume about strawberry's resolvers and runtime type checks.

Every assumption is checked against the object strawberry built (its resolver function, its
type check closure) rather than taken on faith; anything unrecognised is "not plain" or "not
determined by the class", and the executor then does exactly what graphql-core does.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLAbstractType, GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from gateway.execution.batched import BATCHED, BatchedLoad

__all__ = [
    "TYPE_CAST_ATTRIBUTE",
    "batched_load",
    "is_class_determined_check",
    "plain_attribute",
    "value_determines_type",
]

DEFINITION = "strawberry-definition"
_CONVERTER = "strawberry.schema.schema_converter"
# strawberry's resolver for a field with no resolver, no field extensions (permission classes
# are extensions) and no exception handlers: `getattr(source, python_name)` and nothing else.
_BASIC_RESOLVER = "GraphQLCoreConverter.from_resolver.<locals>._get_basic_result"
# strawberry's own `is_type_of` closures: `isinstance` / `strawberry.cast` checks on the value.
_IS_TYPE_OF = (
    "GraphQLCoreConverter.from_object.<locals>._get_is_type_of.<locals>.is_type_of",
    "GraphQLCoreConverter._get_is_type_of.<locals>.is_type_of",
)
_INTERFACE_RESOLVE_TYPE = (
    "GraphQLCoreConverter.from_interface.<locals>._get_resolve_type.<locals>.resolve_type"
)


def _is_strawberry_function(function: Any, qualnames: tuple[str, ...]) -> bool:
    return (
        getattr(function, "__module__", None) == _CONVERTER
        and getattr(function, "__qualname__", None) in qualnames
    )


def plain_attribute(field: GraphQLField) -> str | None:
    """The Python attribute strawberry reads for `field` when resolving it is a bare `getattr`, else None."""
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    if not _is_strawberry_function(field.resolve, (_BASIC_RESOLVER,)):
        return None
    if not definition.is_basic_field or definition.default_resolver is not getattr:
        return None
    return definition.python_name


def batched_load(field: GraphQLField) -> BatchedLoad[Any, Any, Any, Any] | None:
    """The `BatchedLoad` a field declares its resolver to be, when nothing else runs around that
    resolver (no arguments, no field extensions or permission classes), else None."""
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField) or field.args or definition.extensions:
        return None
    load = definition.metadata.get(BATCHED)
    return load if isinstance(load, BatchedLoad) else None


def is_class_determined_check(function: Any) -> bool:
    """Whether `function` (an `is_type_of`) is strawberry's, whose verdict depends only on the value's
    class and its `strawberry.cast` target."""
    return _is_strawberry_function(function, _IS_TYPE_OF)


def value_determines_type(schema: GraphQLSchema, abstract: GraphQLAbstractType, value: Any) -> bool:
    """Whether strawberry's `resolve_type` for `abstract` answers the same for every value with this
    value's class and `strawberry.cast` target (so the answer may be cached under that pair)."""
    if not isinstance(abstract, GraphQLInterfaceType):
        return False
    if not _is_strawberry_function(abstract.resolve_type, (_INTERFACE_RESOLVE_TYPE,)):
        return False
    cast = getattr(value, TYPE_CAST_ATTRIBUTE, None)
    if cast is not None and any(_defines(possible, cast) for possible in schema.get_possible_types(abstract)):
        return True  # the cast names the type outright
    interface = (abstract.extensions or {}).get(DEFINITION)
    if not isinstance(interface, StrawberryObjectDefinition) or not isinstance(value, interface.origin):
        return False  # strawberry then asks every possible type's `is_type_of`: value-dependent
    definition = getattr(type(value), "__strawberry_definition__", None)
    return isinstance(definition, StrawberryObjectDefinition) and not definition.is_graphql_generic


def _defines(object_type: GraphQLObjectType, cast: type) -> bool:
    definition = (object_type.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryObjectDefinition):
        return False
    return definition.origin is cast or (
        definition.concrete_of is not None and definition.concrete_of.origin is cast
    )
