"""`gateway_schema()`: a strawberry schema of the gateway's kind from its root types (see `gateway.app`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import Executor as GraphQLExecutionContext
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

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


def gateway_schema(
    *,
    query: type,
    mutation: type,
    types: Sequence[type],
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
    execution_context_class: type[GraphQLExecutionContext[Any]] | None = None,
    max_batch: int = 0,
) -> strawberry.Schema:
    """The schema of these roots; `types` lists the concrete event types, reached only via `Event`.

    `execution_context_class` replaces graphql-core's executor (e.g. the compiled one);
    `max_batch` operations may come in one array body (0: none)."""
    return GatewaySchema(
        query=query,
        mutation=mutation,
        types=list(types),
        extensions=list(extensions),
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            batching_config={"max_operations": max_batch} if max_batch else None,
        ),
        execution_context_class=execution_context_class,
    )
