"""`gateway_schema()`: a strawberry schema of the gateway's kind from its root types (see `gateway.app`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import Executor as GraphQLExecutionContext
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext
from strawberry.types.execution import PreExecutionError

from gateway.execution.lean_runner import LeanExtensionsRunner
from schema.scalars import SCALAR_MAP


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, minus its logging of every error with a stack trace, with the lean
    extension runner (`gateway.execution.lean_runner`).

    Errors raised on purpose are answers, not incidents; unexpected ones are logged (once, with
    the request id) by `gateway.edge.view.MaskUnexpectedErrors`.
    """

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def stream(self, *args: Any, **kwargs: Any) -> StreamResult:
        """Strawberry's, with a GraphQL error raised by a parse hook (the query limits') reported as
        the pre-execution error it is, as `execute` does, instead of breaking the stream (SSE, WS)."""
        return _early_errors_reported(await super().stream(*args, **kwargs))


async def _early_errors_reported(source: StreamResult) -> AsyncGenerator[Any, None]:
    started = False
    try:
        async with aclosing(source):
            async for result in source:
                started = True
                yield result
    except GraphQLError as error:
        if started:
            raise
        yield PreExecutionError(data=None, errors=[error])


def gateway_schema(
    *,
    query: type,
    mutation: type,
    subscription: type | None = None,
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
        subscription=subscription,
        types=list(types),
        extensions=list(extensions),
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            batching_config={"max_operations": max_batch} if max_batch else None,
        ),
        execution_context_class=execution_context_class,
    )
