"""Prepared operations: a query the gateway has already parsed, validated and executed once, run
again without strawberry's per-operation machinery.

`Schema.execute` builds an execution context, six extension instances and their hooks' stages,
looks the document and its validation up in their caches and collects the extensions' results
for every operation; for `{ __typename }` that is about a third of the request's CPU. An
operation qualifies when every one of those steps is known to do nothing for it but what
`execute_prepared` does itself:

- it is a query (`WritableDates` checks mutations only), with no variable definitions (the query
  guard re-measures only those) and no `null` in its text (`ExplicitNulls` looks at nothing else),
  outside a batch (whose operations share one cost budget);
- its text and operation name passed parsing, the limits and validation (the full path got as far
  as executing it, where `PreparedOperations` records it), and the request sends no variables and
  no extensions;
- what is left runs here as the extensions would run it: the same executor, the operation's log
  line and metrics (`observability.record_operation`), error masking and partial failures
  (`masking.finish`).

Anything else takes `Schema.execute`. `tests/gateway/edge/test_plain_post.py` holds both paths to
the same answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, execute, get_operation_ast
from graphql import OperationType as OperationKind
from graphql.execution.middleware import MiddlewareManager
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from gateway.edge.masking import finish
from gateway.edge.observability import operation_label, record_operation
from gateway.query_limits.batch_cost import cost_in_request
from gateway.query_limits.document_cache import document_bytes
from gateway.request.context import Context
from gateway.sized_lru import SizedLru

Key = tuple[str, str | None]
#: A prepared operation: its document and its name as strawberry tells it (the one given, else the
#: document's), for the metrics label.
Prepared = tuple[DocumentNode, str | None]
#: Prepared operations kept (by text and operation name), and the estimated memory of their
#: documents (the guard's own, kept alive here once the guard's cache has let them go).
MAX_PREPARED = 256
MAX_PREPARED_BYTES = 16 * 1024 * 1024
#: What strawberry passes when no extension resolves fields: without middlewares it keeps no state.
_NO_MIDDLEWARE = MiddlewareManager()


class PreparedOperations:
    """The operations that may skip `Schema.execute`, by (query text, operation name)."""

    def __init__(self) -> None:
        self._documents: SizedLru[Key, Prepared] = SizedLru(MAX_PREPARED, MAX_PREPARED_BYTES)

    @property
    def size(self) -> int:
        """The estimated memory of the prepared documents."""
        return self._documents.size

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, query: str | None, operation_name: str | None) -> Prepared | None:
        """The prepared operation for this text and the operation name the request gives, if any."""
        if not isinstance(query, str) or not isinstance(operation_name, str | None):
            return None
        return self._documents.get((query, operation_name))

    def recorder(self) -> type[SchemaExtension]:
        """The extension (last of the schema's) that records each operation that qualifies."""
        documents = self._documents

        class PreparedRecorder(SchemaExtension):
            def on_execute(self) -> Iterator[None]:
                execution = self.execution_context
                query, document = execution.query, execution.graphql_document
                if (
                    execution.result is None  # no extension refused it
                    and query is not None
                    and document is not None
                    and "null" not in query
                    and cost_in_request.get() is None
                ):
                    # Keyed by the name the request gave, not the one strawberry derives from the
                    # document (its first operation's, even when the document has several).
                    given = getattr(execution, "_provided_operation_name", execution.operation_name)
                    operation = get_operation_ast(document, given)
                    if (
                        operation is not None
                        and operation.operation is OperationKind.QUERY
                        and not operation.variable_definitions
                        and documents.peek((query, given)) is None
                    ):
                        prepared = (document, execution.operation_name)
                        documents.put((query, given), prepared, document_bytes(document, query))
                yield

        return PreparedRecorder


async def execute_prepared(
    schema: BaseSchema, prepared: Prepared, operation_name: str | None, context: Context
) -> ExecutionResult:
    """The prepared operation's result, as `Schema.execute` with the gateway's extensions gives it."""
    started = time.perf_counter()
    document, name = prepared
    graphql_schema = schema._schema  # type: ignore[attr-defined]
    executor_class = schema.execution_context_class  # type: ignore[attr-defined]
    extra: dict[str, Any] = {} if executor_class is None else {"executor_class": executor_class}
    try:
        result: Any = execute(
            graphql_schema,
            document,
            root_value=None,
            middleware=_NO_MIDDLEWARE,
            variable_values=None,
            operation_name=operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            operation_extensions=None,
            **extra,
        )
        if optimized_is_awaitable(result):
            result = await result
        data, errors = result.data, result.errors
    except Exception as error:
        data, errors = (
            None,
            [error if isinstance(error, GraphQLError) else GraphQLError(str(error), original_error=error)],
        )
    outcome = ExecutionResult(data=data, errors=errors)
    finish(outcome, context)
    record_operation(operation_label(name, document), outcome, context, time.perf_counter() - started)
    outcome.extensions = {}
    return outcome
