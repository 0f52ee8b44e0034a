"""Query depth, alias and cost limits, measured on the parsed document before any upstream call.

Cost counts every field once per object it is resolved on. A list field multiplies its children
by the length it asks for — `first`, or the length of `ids` (or `representations`) — read from
literals, from the request's variables or from the argument's default; without one, by
`DEFAULT_LIST_SIZE` at the root and `EMBEDDED_LIST_SIZE` inside an object (such a list comes in
its parent's reply); a connection's `edges`/`nodes` lists are already counted by the connection's
own multiplier. On an interface or union, fragments that only one concrete type resolves count as
the costliest of those types, not their sum: each object is of one type. An object fetched by id
(a field with an `id`, `ids` or `representations` argument) adds `LOOKUP_COST` per object: a
loader round or an upstream call, measured at ten times the work of resolving a field.
Introspection is counted like any other field, its lists (`types`, `fields`, `args`, …) by their
mean length in this schema and `ofType` by how often it is not null (see
`gateway.query_limits.introspection_cost`): known, so no guess is needed.

Each fragment is measured once and every selection is visited at most once per document, within
a work budget, so no document costs more than a few milliseconds to measure whatever its shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    VariableNode,
    get_named_type,
    get_nullable_type,
)

from gateway.errors import ErrorCode
from gateway.query_limits.introspection_cost import introspection_fanouts

DEFAULT_LIST_SIZE = 50
#: A list of objects inside an object (attachments, translations, user errors) is part of one
#: upstream reply, not a fetch of its own: a few items, bounded by the reply's size limit.
EMBEDDED_LIST_SIZE = 5
#: What fetching one object by id costs, in fields (60-110 µs against 6-12 µs per field).
LOOKUP_COST = 10
#: Arguments that fetch objects by id: `node(id:)`, `nodes(ids:)`, and a subgraph's
#: `_entities(representations:)` (one object per representation).
_LOOKUPS = ("id", "ids", "representations")
#: Selections a measurement may visit (about 15 ms); a document needing more is refused as too
#: complex. The default token limit keeps documents far below it (2,000 tokens: about 2 ms).
WORK_BUDGET = 10_000
#: Costs saturate here, so a hostile document never builds huge integers.
COST_CEILING = 10**15
# `ofType` walks a type's wrappers (at most a few, never a list): it does not add depth, so that
# GraphiQL's introspection query (nine `ofType` levels) passes the depth limit.
_DEPTH_FREE = frozenset({("__Type", "ofType")})


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The limits every operation must stay within."""

    max_depth: int
    max_cost: int
    max_aliases: int


@dataclass(frozen=True, slots=True)
class Measurement:
    """What a selection set would resolve: fields weighted by list lengths, nesting, aliases."""

    cost: float = 0.0
    depth: int = 0
    aliases: int = 0


class TooComplexToMeasure(Exception):
    """The document needs more work to measure than the budget allows."""


def limit_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: QueryLimits,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> list[GraphQLError]:
    """`QUERY_TOO_COMPLEX` errors for the operations over a limit (all of them, or the named one).

    Without `variables` (at validation, before a request's values are known) an argument given by
    a variable counts as a list of one: a lower bound, so nothing is refused that a request's
    values could make acceptable. With them (as sent, defaults filled in), lists count by their
    length and `first` by its value.
    """
    return measured(schema, document, limits, variables, operation_name)[0]


def measured(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: QueryLimits,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> tuple[list[GraphQLError], int]:
    """`limit_errors`, and the estimated cost of the operations measured (what a batch adds up)."""
    walker = _Walker(schema, document, variables)
    errors = []
    total = 0
    for operation in _operations(document, operation_name):
        try:
            measurement = walker.operation(operation)
        except (TooComplexToMeasure, RecursionError):
            reason = f"it needs more than {WORK_BUDGET} selections (or fragment levels) to measure"
            errors.append(_error(reason, operation, None))
            continue
        cost = _rounded(measurement.cost)
        total += cost
        errors.extend(_problems(measurement, cost, limits, operation))
    return errors, total


def _operations(document: DocumentNode, name: str | None) -> Iterable[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            yield definition


def _rounded(cost: float) -> int:
    # Introspection's mean list lengths make the cost a float: round up, past float noise.
    nearest = round(cost)
    return nearest if abs(cost - nearest) < 1e-6 else math.ceil(cost)


def _problems(
    measured: Measurement, cost: int, limits: QueryLimits, operation: OperationDefinitionNode
) -> list[GraphQLError]:
    problems = []
    if measured.depth > limits.max_depth:
        problems.append(f"depth {measured.depth} exceeds the limit of {limits.max_depth}")
    if measured.aliases > limits.max_aliases:
        problems.append(f"{measured.aliases} aliases exceed the limit of {limits.max_aliases}")
    if cost > limits.max_cost:
        problems.append(f"estimated cost {cost} exceeds the limit of {limits.max_cost}")
    return [_error(problem, operation, cost) for problem in problems]


def _error(problem: str, operation: OperationDefinitionNode, cost: int | None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": ErrorCode.QUERY_TOO_COMPLEX.value}
    if cost is not None:
        extensions["cost"] = cost
    return GraphQLError(f"Query too complex: {problem}.", operation, extensions=extensions)


class _Walker:
    """Measures one document's operations; fragments are measured once and remembered."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.introspection = introspection_fanouts(schema)
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measurement] = {}
        self.measuring: set[str] = set()
        self.visits = 0

    def operation(self, operation: OperationDefinitionNode) -> Measurement:
        root = self.schema.get_root_type(operation.operation)
        return self.selection_set(operation.selection_set, root)

    def selection_set(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measurement:
        """Fields for every object, plus, on an abstract type, the costliest of the fragments that
        only objects of one concrete type resolve (an object is of one type, never of all)."""
        if selections is None or parent is None:
            return Measurement()
        cost, depth, aliases = 0.0, 1, 0
        only_on: dict[str, float] = {}  # concrete type -> cost of the fragments only it resolves
        for selection in selections.selections:
            self.visits += 1
            if self.visits > WORK_BUDGET:
                raise TooComplexToMeasure
            condition: GraphQLNamedType | None = parent
            if isinstance(selection, FieldNode):
                inner = self.field(selection, parent)
                aliases += selection.alias is not None
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is not None:
                    condition = self._type(selection.type_condition.name.value)
                inner = self.selection_set(selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                condition, inner = self.fragment(selection.name.value)
            else:  # pragma: no cover - the three kinds of selection are all there is
                continue
            if condition is not parent and isinstance(condition, GraphQLObjectType) and _is_abstract(parent):
                only_on[condition.name] = min(only_on.get(condition.name, 0.0) + inner.cost, COST_CEILING)
            else:
                cost = min(cost + inner.cost, COST_CEILING)
            depth = max(depth, inner.depth)
            aliases += inner.aliases
        return Measurement(min(cost + max(only_on.values(), default=0.0), COST_CEILING), depth, aliases)

    def fragment(self, name: str) -> tuple[GraphQLNamedType | None, Measurement]:
        """A fragment's type condition and measurement, measured once per document."""
        definition = self.fragments.get(name)
        if definition is None:
            return None, Measurement()  # unknown: validation reports it
        condition = self._type(definition.type_condition.name.value)
        known = self.measured.get(name)
        if known is not None:
            return condition, known
        if name in self.measuring:
            return condition, Measurement()  # a cycle: validation reports it
        self.measuring.add(name)
        try:
            measured = self.selection_set(definition.selection_set, condition)
        finally:
            self.measuring.discard(name)
        self.measured[name] = measured
        return condition, measured

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> Measurement:
        """The field and what it selects, as (cost, depth counted from the field, aliases within)."""
        definition = self._field_definition(parent, node.name.value)
        if definition is None or node.selection_set is None:
            return Measurement(1.0, 1, 0)
        inner = self.selection_set(node.selection_set, get_named_type(definition.type))
        fanout = self._fanout(node, definition, parent)
        lookup = LOOKUP_COST if any(name in definition.args for name in _LOOKUPS) else 0
        grows = 0 if (parent.name, node.name.value) in _DEPTH_FREE else 1
        cost = min(1 + fanout * (lookup + inner.cost), COST_CEILING)
        return Measurement(cost, inner.depth + grows, inner.aliases)

    def _field_definition(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _fanout(self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType) -> float:
        for name in ("first", *_LOOKUPS[1:]):
            argument = definition.args.get(name)
            if argument is not None:
                size = self._asked_size(node, name, argument)
                if size is not None:
                    return size
        known = self.introspection.get((parent.name, node.name.value))
        if known is not None:
            return known
        if get_named_type(definition.type).name.endswith("Connection"):
            return DEFAULT_LIST_SIZE
        if not isinstance(get_nullable_type(definition.type), GraphQLList):
            return 1
        if parent.name.endswith("Connection"):
            return 1
        return DEFAULT_LIST_SIZE if parent is self.schema.query_type else EMBEDDED_LIST_SIZE

    def _asked_size(self, node: FieldNode, name: str, argument: GraphQLArgument) -> float | None:
        """The length asked for by `first: n` or `ids: [...]`; None when the field gives none."""
        given = next((arg.value for arg in node.arguments or () if arg.name.value == name), None)
        value: Any
        if given is None:
            value = argument.default_value
        elif isinstance(given, VariableNode):
            if self.variables is None:
                return 1  # not known yet: the least it can be
            value = self.variables.get(given.name.value, argument.default_value)
        elif isinstance(given, IntValueNode):
            # Beyond 32 bits the literal is no Int: validation refuses it, say so rather than "costly".
            value = int(given.value) if len(given.value) <= 11 else 1
            value = value if -(2**31) <= value < 2**31 else 1
        elif isinstance(given, ListValueNode):
            value = given.values
        elif isinstance(given, NullValueNode):
            value = None
        else:
            value = [given]  # a single value where a list is expected is a list of one
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON numbers as sent: 5.0 is the Int 5
        if isinstance(value, int) and not isinstance(value, bool):
            return max(1, min(value, COST_CEILING))
        if isinstance(value, list | tuple):
            return max(1, len(value))
        return None

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


def _is_abstract(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
