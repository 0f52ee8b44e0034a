"""GraphQL documents to run both executors over: generated from the schema, and the suite's own.

`generated_queries()` draws queries for every root field with hypothesis-graphql (derandomized,
so the same ones every run). `suite_documents()` finds every string constant in `tests/**/*.py`
that parses as an executable GraphQL document, so documents added to the suite later are
picked up too; `example_variables()` gives their variables values of the right types.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    ExecutableDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_sandbox

TESTS = Path(__file__).resolve().parents[2]

_CUSTOM_SCALARS = {
    # Around the sandboxes' seeded data, so that date filters keep some events and drop others.
    "DateTime": st.sampled_from(
        ["2024-03-01T00:00:00Z", "2025-03-03T09:00:00+00:00", "2026-01-01T00:00:00+01:00"]
    ).map(nodes.String),
    "Date": st.sampled_from(["2024-03-01", "2025-03-10"]).map(nodes.String),
    "JSON": st.just(nodes.String("x")),
}
_SCALAR_EXAMPLES: dict[str, Any] = {
    "ID": encode_id("strigo", strigo_sandbox.EVENT_IDS[0]),
    "String": "x",
    "Int": 1,
    "Float": 1.5,
    "Boolean": True,
    "DateTime": "2026-01-01T09:00:00Z",
    "Date": "2026-01-01",
    "JSON": {},
}


@dataclass(frozen=True)
class Operation:
    """One operation of a document, as a request would name it."""

    document: str
    name: str | None
    kind: OperationType
    origin: str


def generated_queries(schema: GraphQLSchema, per_root_field: int) -> list[str]:
    """Distinct queries for each root field of `Query` (hypothesis-graphql, derandomized)."""
    drawn: dict[str, None] = {}
    for root_field in schema.query_type.fields if schema.query_type else ():

        @settings(
            max_examples=per_root_field,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(queries(schema, fields=[root_field], custom_scalars=_CUSTOM_SCALARS, allow_x00=False))
        def draw(query: str) -> None:
            drawn[query] = None

        draw()
    return list(drawn)


def suite_documents(root: Path = TESTS) -> list[Operation]:
    """Every operation of every string constant in the test suite that is an executable document."""
    operations: dict[tuple[str, str | None], Operation] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or "{" not in node.value:
                continue
            for operation in _operations(node.value, f"{path.relative_to(root)}:{node.lineno}"):
                operations.setdefault((operation.document, operation.name), operation)
    return list(operations.values())


def _operations(text: str, origin: str) -> list[Operation]:
    try:
        document = parse(text)
    except GraphQLSyntaxError:
        return []
    if not all(isinstance(definition, ExecutableDefinitionNode) for definition in document.definitions):
        return []
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return [
        Operation(text, d.name.value if d.name and len(found) > 1 else None, d.operation, origin)
        for d in found
    ]


def example_variables(schema: GraphQLSchema, operation: Operation) -> dict[str, Any]:
    """A value of the declared type for each required variable (a Strigo event's id for IDs); optional
    ones are left out so that their defaults apply."""
    for definition in parse(operation.document).definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation.name is None or (definition.name and definition.name.value == operation.name)
        ):
            return {
                variable.variable.name.value: _example(type_from_ast(schema, variable.type))  # type: ignore[arg-type]
                for variable in definition.variable_definitions or ()
                if isinstance(type_from_ast(schema, variable.type), GraphQLNonNull)
            }
    return {}


def _example(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _example(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_example(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _example(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    return _SCALAR_EXAMPLES.get(type_.name, "x")
