"""The compiled execution context: graphql-core's executor, with cached plans completing field values.

graphql-core still parses variables, collects the root fields, calls every resolver that is not
a bare attribute read, and owns error handling (`handle_field_error`), so the response is the
spec's. What changes: the root fields run with the plan's field groups, and `complete_value`
for a field group the plan knows goes to the plan's completer instead of graphql-core's generic,
per-field machinery.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import DeferUsage, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.execution.deferral import Entry
from gateway.execution.plan_cache import PlanCache
from gateway.execution.plans import FieldCompletion

DEFAULT_MAX_PLANS = 128
DEFAULT_MAX_PLAN_BYTES = 32 * 2**20  # estimated: ~40 KB for a 10-field list query, ~2 MB for 500 fields


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with compiled plans (use `compiled_execution_context()`)."""

    plans: ClassVar[PlanCache]
    _completions: dict[int, FieldCompletion] | None = None
    #: The fields deferred to the list whose items are completing now (`deferral`), if any.
    deferred: list[Entry] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core's resolve-info helpers are bound methods of the executor it keeps: a cycle,
        # through which a finished request's context, loaders and upstream replies waited for a full
        # collection. Weakly bound, the executor and all it holds go when the request is done.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work)
        )

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not new_defer_usages and self._plannable():
            plan = self.plans.plan_for(self, root_type, grouped_field_set)
            if plan is not None:
                self._completions = plan.completions
                grouped_field_set = plan.root_fields
        return super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        completions = self._completions
        if completions is not None:
            completion = completions.get(id(field_details_list))
            # graphql-core recurses with the inner types of a field's type: only the field's own
            # type is the plan's to complete.
            if (
                completion is not None
                and completion.return_type is return_type
                and completion.field_details is field_details_list
            ):
                return completion.complete(self, result, path, info)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _plannable(self) -> bool:
        # Resolver middleware (a strawberry extension with `resolve`) must see every field, and an
        # abort signal must be checked at field boundaries: graphql-core does both.
        middleware = self.middleware_manager
        return (middleware is None or not middleware.middlewares) and self.abort_signal is None


def _weakly(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, without keeping its object alive (it is called only while the object executes)."""
    reference = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = reference()
        if bound is None:  # pragma: no cover - a resolve info used after its execution ended
            raise RuntimeError("the execution this resolve info belongs to has ended")
        return bound(*args, **kwargs)

    return call


def compiled_execution_context(
    max_plans: int = DEFAULT_MAX_PLANS, max_bytes: int = DEFAULT_MAX_PLAN_BYTES
) -> type[CompiledExecutionContext]:
    """An execution context class with its own plan cache: pass one per schema as
    `strawberry.Schema(..., execution_context_class=...)`."""

    class SchemaExecutionContext(CompiledExecutionContext):
        plans = PlanCache(max_plans, max_bytes)

    return SchemaExecutionContext
