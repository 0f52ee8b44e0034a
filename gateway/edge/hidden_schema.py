"""With introspection off, the schema stays hidden: validation no longer suggests names either.

graphql-core's validation errors end in "Did you mean 'providers'?" for a misspelt field,
argument, type or enum value, so a client could read the schema back one guess at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection

from gateway import error_shape

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?\s*$")


class HiddenSchema(DisableIntrospection):
    """`DisableIntrospection`, and validation errors without graphql-core's name suggestions."""

    def on_validate(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors
        if errors:
            errors[:] = [_without_suggestion(error) for error in errors]


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    return error_shape.with_message(error, _SUGGESTION.sub("", error.message))
