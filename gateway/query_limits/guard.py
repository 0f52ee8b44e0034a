"""The strawberry extension that keeps every operation within `gateway.query_limits.measure`, cheaply.

Order matters, so that no document stalls the event loop whatever its shape:

1. parse: a query longer than `max_length` characters is refused unread, and parsing stops past
   `max_tokens` (parse time is linear in both);
2. the depth/alias/cost limits, before graphql-core's validation (whose field-merging rule is
   quadratic), so an over-limit query is refused in milliseconds;
3. graphql-core's validation, its field-merging rule on a work budget far below graphql-core's own;
4. just before execution, the cost again with the request's variables (`nodes(ids: $ids)`): the
   validation, cached per document, cannot see them; in a batch, the operations' costs together
   (`gateway.query_limits.batch_cost`).

Documents and validation results are cached by query text (`gateway.query_limits.document_cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
    get_operation_ast,
    parse,
    value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.errors import ErrorCode
from gateway.query_limits.batch_cost import cost_in_request
from gateway.query_limits.document_cache import DocumentCache, Rules
from gateway.query_limits.measure import QueryLimits, limit_errors, measured

#: Work units (about 2 µs each) graphql-core's field-merging rule may spend on one document;
#: graphql-core allows 500,000 (a second). GraphiQL's introspection query spends none, thirty
#: fragments of five fields each on one object about 11,000.
MERGE_CHECK_BUDGET = 20_000


@dataclass(frozen=True, slots=True)
class DocumentLimits(QueryLimits):
    """`QueryLimits` plus the size of the document text itself."""

    max_length: int
    max_tokens: int


def parse_within(query: str, limits: DocumentLimits) -> DocumentNode:
    """The parsed document; `QUERY_TOO_COMPLEX` when the text is over the length or token limit."""
    if len(query) > limits.max_length:
        raise _too_complex(
            f"Query too large: {len(query)} characters exceed the limit of {limits.max_length}."
        )
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as error:
        if error.message.endswith(f"more than {limits.max_tokens} tokens. Parsing aborted."):
            raise _too_complex(f"Query too large: more than {limits.max_tokens} tokens.") from None
        raise


class BoundedFieldMerging(OverlappingFieldsCanBeMergedRule):
    """graphql-core's "overlapping fields can be merged" rule, with `MERGE_CHECK_BUDGET` of work.

    Hundreds of fields with one response name make the rule compare every pair; over budget, the
    document is refused as too complex instead of the loop stalling for a second.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = MERGE_CHECK_BUDGET
        self.exhausted = False

    def enter_selection_set(self, *args: Any) -> None:
        if self.exhausted:
            return
        try:
            super().enter_selection_set(*args)
        except ValidationAbortedError:
            self.exhausted = True
            self.report_error(
                _too_complex(
                    "Query too complex: too many fields share a response name to check that they merge."
                )
            )


class QueryGuard(SchemaExtension):
    """Applies `DocumentLimits` at parse, validation and execution (see the module docstring)."""

    def __init__(self, *, limits: DocumentLimits, documents: DocumentCache) -> None:
        super().__init__()
        self.limits = limits
        self.documents = documents

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            BoundedFieldMerging if rule is OverlappingFieldsCanBeMergedRule else rule
            for rule in context.validation_rules
        )
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = self.documents.parse(
                context.query, lambda query: parse_within(query, self.limits)
            )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            schema, rules = context.schema._schema, context.validation_rules
            context.pre_execution_errors = self.documents.validate(
                context.query or "", document, rules, lambda: self._validate(schema, document, rules)
            )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        errors = self._cost_with_variables(context.schema._schema, context.graphql_document)
        if not errors:
            errors = self._batch_cost(context.schema._schema, context.graphql_document)
        if errors:
            context.result = GraphQLExecutionResult(data=None, errors=errors)  # nothing runs
        yield

    def _batch_cost(self, schema: GraphQLSchema, document: DocumentNode | None) -> list[GraphQLError]:
        """In a batch, the operation's cost taken from what the batch may still spend."""
        budget = cost_in_request.get()
        if budget is None or document is None:
            return []
        context = self.execution_context
        variables = self._variables(document)
        _, cost = measured(schema, document, self.limits, variables, context.operation_name)
        if budget.charge(cost):
            return []
        return [
            _too_complex(
                f"Query too complex: this operation (estimated cost {cost}) and the batch's others "
                f"({budget.spent}) exceed the limit of {budget.limit} for one request together."
            )
        ]

    def _variables(self, document: DocumentNode) -> dict[str, Any] | None:
        """The variables as sent, with the operation's defaults filled in; None without definitions."""
        context = self.execution_context
        operation = get_operation_ast(document, context.operation_name)
        if operation is None or not operation.variable_definitions:
            return None
        sent = context.variables if isinstance(context.variables, dict) else {}
        variables = dict(sent)
        for definition in operation.variable_definitions:
            name = definition.variable.name.value
            if name not in variables and definition.default_value is not None:
                variables[name] = value_from_ast_untyped(definition.default_value)
        return variables

    def _validate(self, schema: GraphQLSchema, document: DocumentNode, rules: Rules) -> list[GraphQLError]:
        """The limits first, then (if within them) strawberry's validation."""
        over = limit_errors(schema, document, self.limits)
        if over:
            return over
        return [
            _too_complex("Query too complex: fragments nested too deeply to validate.")
            if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted."
            else error
            for error in validate_document(schema, document, rules)
        ]

    def _cost_with_variables(
        self, schema: GraphQLSchema, document: DocumentNode | None
    ) -> list[GraphQLError]:
        """The limits measured again with the variables as sent, when the operation declares some.

        The values are read as sent (plus the operation's defaults), not coerced: a list's length
        is known without coercing its thousands of items, and a value that does not coerce fails
        in execution anyway.
        """
        variables = None if document is None else self._variables(document)
        if document is None or variables is None:
            return []
        return limit_errors(schema, document, self.limits, variables, self.execution_context.operation_name)


def _too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})


def query_guard(limits: DocumentLimits) -> Callable[[], QueryGuard]:
    """A factory of `QueryGuard`s sharing one document cache (one per app, so per settings)."""
    documents = DocumentCache()
    return lambda: QueryGuard(limits=limits, documents=documents)
