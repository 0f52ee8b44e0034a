"""How many objects each introspection field resolves to, on average, in a given schema.

The cost of an introspection query need not be guessed: the schema is known. A list's mean
length (`__Type.fields`: every field of every type over the number of types) makes nested lists
add up to the schema's real totals; `__Type.ofType` counts as often as a type reference has one
more wrapper (`[X!]!` has three), so GraphiQL's nine nested `ofType`s cost what they return.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    GraphQLWrappingType,
)


@functools.lru_cache(maxsize=8)
def introspection_fanouts(schema: GraphQLSchema) -> dict[tuple[str, str], float]:
    """Mean number of objects per (introspection type, field) in this schema."""
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [field for t in with_fields for field in t.fields.values()]
    inputs = [t for t in types if isinstance(t, GraphQLInputObjectType)]
    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    directives = list(schema.directives)
    wrappers = [_wrappers(reference) for reference in _references(schema)]
    count = len(types)
    return {
        ("__Schema", "types"): count,
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): _mean(len(fields), count),
        ("__Type", "interfaces"): _mean(sum(len(t.interfaces) for t in with_fields), count),
        ("__Type", "possibleTypes"): _mean(sum(len(schema.get_possible_types(t)) for t in abstract), count),
        ("__Type", "enumValues"): _mean(
            sum(len(t.values) for t in types if isinstance(t, GraphQLEnumType)), count
        ),
        ("__Type", "inputFields"): _mean(sum(len(t.fields) for t in inputs), count),
        # Level k of a reference's `ofType` chain is there when it has more than k wrappers: a
        # factor of (wrappers / layers) per level adds up to the mean number of wrappers.
        ("__Type", "ofType"): _mean(sum(wrappers), sum(wrappers) + len(wrappers)),
        ("__Field", "args"): _mean(sum(len(field.args) for field in fields), len(fields)),
        ("__Directive", "args"): _mean(sum(len(d.args) for d in directives), len(directives)),
    }


def _references(schema: GraphQLSchema) -> Iterator[GraphQLType]:
    """Every type reference introspection can show: fields, arguments, input fields."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field in named.fields.values():
                yield field.type
                yield from (argument.type for argument in field.args.values())
        elif isinstance(named, GraphQLInputObjectType):
            yield from (field.type for field in named.fields.values())
    for directive in schema.directives:
        yield from (argument.type for argument in directive.args.values())


def _wrappers(reference: GraphQLType) -> int:
    count = 0
    while isinstance(reference, GraphQLWrappingType):
        count, reference = count + 1, reference.of_type
    return count


def _mean(total: int, count: int) -> float:
    return total / count if count else 0.0
