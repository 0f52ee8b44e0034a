"""An explicit null where a field may only be given or left out: a BAD_USER_INPUT naming the field.

Update inputs tell "leave it unchanged" (absent) from "clear it" (null) with `strawberry.Maybe`;
where clearing makes no sense the field is `Maybe[T]`, and null is refused. Strawberry refuses it
in words about its own types ("Expected value of type 'StrawberryEnumDefinition(…)'… Use
'Maybe[…]'"), and only as an internal error when the null comes in a variable. This extension
replaces both: before anything runs it finds every such null, literal or from a variable, and
answers `input.availability cannot be null: omit it to leave it unchanged` with the field's path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    value_from_ast_untyped,
    visit,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, get_object_definition

from gateway.errors import ErrorCode

Path = tuple[str | int, ...]


def explicit_nulls(type_: Any, value: Any, path: Path, names: NameConverter) -> Iterator[Path]:
    """The paths inside `value` (an argument of strawberry type `type_`) that are null where only a
    value or nothing is allowed."""
    if isinstance(type_, StrawberryMaybe):
        if value is None:
            if not isinstance(type_.of_type, StrawberryOptional):
                yield path
            return
        type_ = type_.of_type
    if value is None:
        return
    while isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if isinstance(type_, StrawberryList):
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from explicit_nulls(type_.of_type, item, (*path, index), names)
        return
    definition = get_object_definition(type_)
    if definition is not None and definition.is_input and isinstance(value, dict):
        for field in definition.fields:
            name = names.from_field(field)
            if name in value:
                yield from explicit_nulls(field.type, value[name], (*path, name), names)


class _Finder(Visitor):
    def __init__(self, type_info: TypeInfo, variables: Mapping[str, Any], names: NameConverter) -> None:
        super().__init__()
        self.type_info = type_info
        self.variables = variables
        self.names = names
        self.errors: list[GraphQLError] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        argument = self.type_info.get_argument()
        definition = None if argument is None else argument.extensions.get("strawberry-definition")
        if definition is None:
            return
        value = value_from_ast_untyped(node.value, dict(self.variables))
        for path in explicit_nulls(definition.type, value, (node.name.value,), self.names):
            dotted = ".".join(str(part) for part in path)
            self.errors.append(
                GraphQLError(
                    f"`{dotted}` cannot be null: omit it to leave it unchanged",
                    node,
                    extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": [str(p) for p in path]},
                )
            )


def _reachable(document: DocumentNode, operation: OperationDefinitionNode) -> list[Any]:
    """The operation and the fragments it spreads (transitively): what will run."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    found: dict[str, FragmentDefinitionNode] = {}
    pending: list[Any] = [operation]
    while pending:
        node = pending.pop()
        spreads: list[FragmentSpreadNode] = []
        visit(node, _Spreads(spreads))
        for spread in spreads:
            name = spread.name.value
            if name not in found and name in fragments:
                found[name] = fragments[name]
                pending.append(fragments[name])
    return [operation, *found.values()]


class _Spreads(Visitor):
    def __init__(self, found: list[FragmentSpreadNode]) -> None:
        super().__init__()
        self.found = found

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.found.append(node)


def _has_null(value: Any) -> bool:
    # A loop, not recursion: variables nest as deep as the request body lets them.
    pending = [value]
    while pending:
        item = pending.pop()
        if item is None:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class ExplicitNulls(SchemaExtension):
    """Refuses nulls where a field may only be given or omitted, naming the field (see module doc)."""

    def on_validate(self) -> Iterator[None]:
        # strawberry's own rule (`MaybeNullValidationRule`, which its validation always adds) finds
        # the literal ones: `on_execute` reports them, with variables' nulls, in the gateway's words.
        # Before `yield`, after the query guard validated (see `gateway.app`): strawberry decides
        # whether to execute inside this hook, before the hooks' parts after `yield` run.
        errors = self.execution_context.pre_execution_errors
        if errors:
            # In place: the validation cache holds this list too.
            errors[:] = [error for error in errors if not isinstance(error, StrawberryInputCoercionError)]
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        variables = context.variables if isinstance(context.variables, dict) else {}
        document = context.graphql_document
        # Only a document that spells `null`, or variables that hold one, can hold such a null.
        if (
            context.result is None
            and document is not None
            and ("null" in (context.query or "") or _has_null(variables))
        ):
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                schema = context.schema
                finder = _Finder(TypeInfo(schema._schema), variables, schema.config.name_converter)
                for node in _reachable(document, operation):
                    visit(node, TypeInfoVisitor(finder.type_info, finder))
                if finder.errors:
                    context.result = GraphQLExecutionResult(data=None, errors=finder.errors)
        yield
