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

What graphql-core's `execute` derives from the document alone (the operation to run, the
fragments; ~10 µs a request) is derived once per prepared operation (`Setup`): each request
still builds its own executor, variables and errors, and executes the operation in full.

Anything else takes `Schema.execute`. `tests/gateway/edge/test_plain_post.py` holds both paths to
the same answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    get_operation_ast,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import OperationType as OperationKind
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.executor import (
    UNEXPECTED_MULTIPLE_PAYLOADS,
    Executor,
    default_field_resolver,
    default_type_resolver,
)
from graphql.execution.incremental.incremental_executor import IncrementalExecutor
from graphql.execution.middleware import MiddlewareManager
from graphql.execution.values import VariableValues
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


@dataclass(frozen=True, slots=True)
class Setup:
    """What graphql-core's `Executor.build` finds in a document for one operation name."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]


@dataclass(slots=True)
class Prepared:
    """A prepared operation: its document, its name as strawberry tells it (the one given, else the
    document's; for the metrics label), and its `Setup` once it has run here."""

    document: DocumentNode
    name: str | None
    setup: Setup | None = None


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
                        prepared = Prepared(document, execution.operation_name)
                        documents.put((query, given), prepared, document_bytes(document, query))
                yield

        return PreparedRecorder


async def execute_prepared(
    schema: BaseSchema, prepared: Prepared, operation_name: str | None, context: Context
) -> ExecutionResult:
    """The prepared operation's result, as `Schema.execute` with the gateway's extensions gives it."""
    started = time.perf_counter()
    document = prepared.document
    try:
        result: Any = _execute(schema, prepared, operation_name, context)
        if optimized_is_awaitable(result):
            result = await result
        if not isinstance(result, GraphQLExecutionResult):
            raise GraphQLError(UNEXPECTED_MULTIPLE_PAYLOADS)  # as `graphql.execute` does
        data, errors = result.data, result.errors
    except Exception as error:
        data, errors = (
            None,
            [error if isinstance(error, GraphQLError) else GraphQLError(str(error), original_error=error)],
        )
    outcome = ExecutionResult(data=data, errors=errors)
    finish(outcome, context)
    record_operation(
        operation_label(prepared.name, document), outcome, context, time.perf_counter() - started
    )
    outcome.extensions = {}
    return outcome


def _execute(schema: BaseSchema, prepared: Prepared, operation_name: str | None, context: Context) -> Any:
    """What `graphql.execute(...)` as strawberry calls it returns (a result, or an awaitable of
    one), with the operation and fragments of the prepared `Setup`."""
    graphql_schema = schema._schema  # type: ignore[attr-defined]
    executor_class: type[Executor[Any]] = schema.execution_context_class or IncrementalExecutor  # type: ignore[attr-defined]
    setup = prepared.setup
    if setup is None:
        built = executor_class.build(
            graphql_schema,
            prepared.document,
            operation_name=operation_name,
            middleware=_NO_MIDDLEWARE,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            operation_extensions=None,
        )
        if isinstance(built, list):  # not for an operation that has run: as `graphql.execute` says it
            return GraphQLExecutionResult(None, errors=built)
        setup = Setup(built.operation, built.fragment_definitions, built.fragments)
        prepared.setup = setup
    # As `Executor.build` makes it, from the schema (valid: it has run this operation), the setup,
    # and no variables (a prepared operation defines none).
    executor = executor_class(
        graphql_schema,
        setup.fragment_definitions,
        setup.fragments,
        None,
        context,
        setup.operation,
        VariableValues({}, {}),
        default_field_resolver,
        default_type_resolver,
        default_field_resolver,
        False,
        _NO_MIDDLEWARE,
        optimized_is_awaitable,  # type: ignore[arg-type]
        None,
        hide_suggestions=False,
        abort_signal=None,
        hooks=None,
        operation_extensions=None,  # type: ignore[call-arg]  # strawberry's executor takes it
    )
    return executor.execute_operation()
