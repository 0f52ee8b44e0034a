"""What every GraphQL error the gateway sends looks like: a contract code, and a bounded echo.

Error messages quote what the caller sent (an id, a field name, a variable's value, an operation
name). Unbounded, one request repeating a large value makes a response thousands of times its size.
So each message is cut to `MESSAGE_LIMIT` characters, a quoted value to `QUOTE_LIMIT`, and a
response carries at most `ERROR_LIMIT` errors (the rest are counted in `extensions.errorsOmitted`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from gateway.errors import ErrorCode

MESSAGE_LIMIT = 300
QUOTE_LIMIT = 40
ERROR_LIMIT = 100
#: Beyond this an integer is not exact in JavaScript (or encodable by orjson, past 64 bits).
_SAFE_INTEGER = 2**53


def bounded(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text`, cut to `limit` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A caller's value for a message: its repr, at most `limit` characters of it."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def is_request_error(result: Any) -> bool:
    """Whether an execution result (graphql-core's or strawberry's) is a request error: parse,
    validation or variable errors, so nothing ran and no error has a field path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def code_of(error: GraphQLError) -> str | None:
    """The error's `extensions.code`, if it has one."""
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def with_code(error: GraphQLError, code: ErrorCode) -> GraphQLError:
    """`error` with `extensions.code` set, unless it already has a code."""
    if code_of(error) is not None:
        return error
    return _copy(error, error.message, {**(error.extensions or {}), "code": code.value})


def with_message(error: GraphQLError, message: str) -> GraphQLError:
    """`error` saying `message` instead (itself when that is what it says)."""
    if message == error.message:
        return error
    return _copy(error, message, error.extensions)


def as_callers(error: GraphQLError) -> GraphQLError:
    """A validation error without the exception behind it: a scalar that could not parse the caller's
    value raises `ValueError`, and the message graphql-core built from it is the answer, not a bug."""
    if error.original_error is None or isinstance(error.original_error, GraphQLError):
        return error
    return GraphQLError(
        error.message, error.nodes, error.source, error.positions, error.path, None, error.extensions
    )


def shaped(errors: Sequence[GraphQLError]) -> tuple[list[GraphQLError], int]:
    """The errors to send, each with a code and a bounded message, and how many were left out.

    Errors that reach this point without a code are graphql-core's own: a syntax error is
    `GRAPHQL_PARSE_FAILED`; one without a path came from coercing the variables (validation
    errors were coded as they were found) and is `BAD_USER_INPUT`; one with a path is a value the
    gateway could not serialise, `INTERNAL_SERVER_ERROR`.
    """
    kept = [_shape(error) for error in errors[:ERROR_LIMIT]]
    return kept, max(0, len(errors) - ERROR_LIMIT)


def _shape(error: GraphQLError) -> GraphQLError:
    if code_of(error) is None:
        if isinstance(error, GraphQLSyntaxError):
            error = with_code(error, ErrorCode.GRAPHQL_PARSE_FAILED)
        else:
            code = ErrorCode.BAD_USER_INPUT if error.path is None else ErrorCode.INTERNAL_SERVER_ERROR
            error = with_code(error, code)
    message = bounded(error.message)
    extensions = _json_safe(error.extensions or {})
    if message == error.message and extensions == (error.extensions or {}):
        return error
    return _copy(error, message, extensions)


def _json_safe(extensions: dict[str, Any]) -> dict[str, Any]:
    """`extensions` with integers too large for JSON clients as floats (a query's estimated cost, say)."""
    if not any(_too_large(value) for value in extensions.values()):
        return extensions
    return {key: float(value) if _too_large(value) else value for key, value in extensions.items()}


def _too_large(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SAFE_INTEGER


def _copy(error: GraphQLError, message: str, extensions: object) -> GraphQLError:
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        extensions if isinstance(extensions, dict) else None,
    )
