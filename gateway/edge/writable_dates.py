"""A write's date or time too near the ends of the calendar: a BAD_USER_INPUT naming the field.

Filters may say "from the beginning of time" and are clamped (see `gateway.instants`). A write
cannot: the upstream stores the value, and the gateway first turns it into the event's zone
(Schoology's wire format, Kona's and Schoology's all-day days), which overflows `datetime` for
9999-12-31 at -14:00 and the like. Before a mutation runs, every `DateTime` and `Date` in its
arguments, literal or from a variable, at any depth, is checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from gateway.errors import ErrorCode
from gateway.instants import FIRST_WRITABLE_DAY, LAST_WRITABLE_DAY, writable

Path = tuple[str | int, ...]
_DATES = frozenset({"DateTime", "Date"})


def out_of_range(type_: GraphQLInputType, value: Any, path: Path) -> Iterator[Path]:
    """The paths inside `value` (raw, as the caller sent it) of dates and times no write may carry."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            yield from out_of_range(type_.of_type, item, (*path, index) if isinstance(value, list) else path)
    elif isinstance(type_, GraphQLInputObjectType):
        if isinstance(value, dict):
            for name, field in type_.fields.items():
                if name in value:
                    yield from out_of_range(field.type, value[name], (*path, name))
    elif isinstance(type_, GraphQLScalarType) and type_.name in _DATES:
        try:
            parsed = type_.parse_value(value)
        except (ValueError, TypeError):
            return  # not a date at all: validation or variable coercion says so
        if not writable(parsed):
            yield path


def _root_fields(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], seen: set[str]
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments, seen)


def _errors(
    mutation: GraphQLObjectType, fields: Iterator[FieldNode], variables: dict[str, Any]
) -> list[GraphQLError]:
    errors = []
    for node in fields:
        definition = mutation.fields.get(node.name.value)
        if definition is None:
            continue
        for argument in node.arguments or ():
            argument_definition = definition.args.get(argument.name.value)
            if argument_definition is None:
                continue
            value = value_from_ast_untyped(argument.value, variables)
            for path in out_of_range(argument_definition.type, value, (argument.name.value,)):
                dotted = ".".join(str(part) for part in path)
                errors.append(
                    GraphQLError(
                        f"`{dotted}` is out of range: a date or time to write must fall between "
                        f"{FIRST_WRITABLE_DAY.isoformat()} and {LAST_WRITABLE_DAY.isoformat()} (UTC)",
                        argument,
                        extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": [str(p) for p in path]},
                    )
                )
    return errors


class WritableDates(SchemaExtension):
    """Refuses a mutation whose arguments hold a date or time no upstream write can carry."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        mutation = context.schema._schema.mutation_type
        if context.result is None and document is not None and mutation is not None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None and operation.operation is OperationType.MUTATION:
                fragments = {
                    definition.name.value: definition
                    for definition in document.definitions
                    if isinstance(definition, FragmentDefinitionNode)
                }
                variables = context.variables if isinstance(context.variables, dict) else {}
                fields = _root_fields(operation.selection_set, fragments, set())
                errors = _errors(mutation, fields, variables)
                if errors:
                    context.result = GraphQLExecutionResult(data=None, errors=errors)
        yield
