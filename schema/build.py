"""`build_schema()`: the one place the strawberry schema is assembled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import Executor as GraphQLExecutionContext
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from resolvers.registry import PROVIDERS
from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import SCALAR_MAP


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, minus its logging of every error with a stack trace.

    Errors raised on purpose are answers, not incidents; unexpected ones are logged (once, with
    the request id) by `gateway.edge.view.MaskUnexpectedErrors`.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
    execution_context_class: type[GraphQLExecutionContext[Any]] | None = None,
) -> strawberry.Schema:
    """The gateway's schema; concrete event types are listed since they are reached via `Event`.

    `execution_context_class` replaces graphql-core's executor (e.g. the compiled one)."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[event_type for api in PROVIDERS for event_type in api.types],
        extensions=list(extensions),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=execution_context_class,
    )


def export_sdl() -> str:
    """The schema as SDL (what `schema/schema.graphql` holds)."""
    return build_schema().as_str() + "\n"
