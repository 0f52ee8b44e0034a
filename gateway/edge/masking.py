"""Errors nobody raised on purpose become `INTERNAL_SERVER_ERROR` with a request id; pre-execution
errors get their codes; partial failures a resolver recorded join the response."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from gateway import error_shape
from gateway.errors import ErrorCode, GatewayError
from gateway.request.context import Context

log = logging.getLogger("gateway.graphql")

#: What strawberry raises for a request the caller must fix before anything runs. Over HTTP the view
#: answers them with 400; over SSE and WebSockets they arrive here, as the operation's error.
_REQUEST_MISTAKES = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)


def mask(error: GraphQLError, request_id: str) -> GraphQLError:
    """`error` itself if the gateway raised it on purpose (or graphql-core did), else a masked copy
    whose detail (with its stack trace) goes to the log only."""
    original = error.original_error
    if original is None or isinstance(original, GatewayError | GraphQLError):
        return error
    if isinstance(original, _REQUEST_MISTAKES):
        return error_shape.with_code(error, ErrorCode.BAD_REQUEST)
    log.error("unexpected error in request %s", request_id, exc_info=original)
    return GraphQLError(
        f"Internal server error (request id {request_id})",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR.value, "requestId": request_id},
    )


class MaskUnexpectedErrors(SchemaExtension):
    """Errors the gateway did not raise on purpose become `INTERNAL_SERVER_ERROR` with a request id.

    The detail (with its stack trace) goes to the log only; GraphQL syntax and validation errors
    and every `GatewayError` pass through, syntax errors coded `GRAPHQL_PARSE_FAILED` and
    validation errors `GRAPHQL_VALIDATION_FAILED` (unless a rule gave its own code). Partial
    failures a resolver recorded in the context (one provider down in a federated query) are
    added here, beside the data.
    """

    def on_parse(self) -> Iterator[None]:
        yield
        self._code_pre_execution_errors(ErrorCode.GRAPHQL_PARSE_FAILED)

    def on_validate(self) -> Iterator[None]:
        yield
        self._code_pre_execution_errors(ErrorCode.GRAPHQL_VALIDATION_FAILED, caller=True)

    def _code_pre_execution_errors(self, code: ErrorCode, *, caller: bool = False) -> None:
        errors = self.execution_context.pre_execution_errors
        if errors:
            # In place, since strawberry has already taken this list for its result; copies of the
            # errors, since the validation cache hands the same error objects to every request.
            # Validation runs no gateway code but scalar parsers: their exceptions are the caller's.
            errors[:] = [
                error_shape.with_code(error_shape.as_callers(error) if caller else error, code)
                for error in errors
            ]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None:
            self._finish(result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Over SSE and WebSockets each result goes out as it comes, before `on_operation` ends.
        if isinstance(result, ExecutionResult | GraphQLExecutionResult):
            self._finish(result)
        yield

    def _finish(self, result: ExecutionResult | GraphQLExecutionResult | Any) -> None:
        finish(result, self.execution_context.context)


def finish(result: ExecutionResult | GraphQLExecutionResult | Any, context: Any) -> None:
    """Mask the result's errors and add the partial failures recorded since the last result."""
    request_id = context.request_id if isinstance(context, Context) else "unknown"
    errors = [mask(error, request_id) for error in result.errors or ()]
    if isinstance(context, Context):
        errors.extend(
            GraphQLError(error.message, path=list(path), original_error=error)
            for error, path in context.partial_errors
        )
        context.partial_errors.clear()  # reported once, with this result
    result.errors = errors or None
