"""The bounded (LRU) cache of plans, and what a plan is keyed by.

A plan depends on the document's text, the operation chosen in it and the values of the
variables its directives read (`@skip(if: $x)` changes which fields exist), so those are the
key. Documents a plan cannot express — fragment variables, `@defer`/`@stream`, subscriptions,
directive variables with unhashable values — get no plan: graphql-core executes them as ever.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLObjectType,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.language import Node

from gateway.execution.completion import AnyExecutor
from gateway.execution.plans import Plan
from gateway.sized_lru import SizedLru

_ABSENT: Any = object()  # a variable not given (and without a default): distinct from null
_INCREMENTAL = frozenset({"defer", "stream"})

PlanKey = tuple[str, str | None, tuple[tuple[str, Hashable], ...]]
_UNKNOWN: Any = object()


class PlanCache:
    """At most `max_plans` plans, and at most `max_bytes` of their estimated memory (a plan grows as
    executions reach more of it), least recently used evicted first: by count alone, plans of large
    queries (a comment changed for each) would pin hundreds of MB."""

    def __init__(self, max_plans: int, max_bytes: int) -> None:
        self.max_plans = max_plans
        self._plans: SizedLru[PlanKey, Plan] = SizedLru(max_plans, max_bytes)
        # (document text, operation name) -> names of the variables its directives read, or None
        # when no plan can express the operation.
        self._directive_variables: OrderedDict[tuple[str, str | None], tuple[str, ...] | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._plans)

    @property
    def estimated_bytes(self) -> int:
        """The estimated memory of the plans kept."""
        return self._plans.size

    def plan_for(
        self, executor: AnyExecutor, root_type: GraphQLObjectType, root_fields: GroupedFieldSet
    ) -> Plan | None:
        """This request's plan (made from its root fields on first sight), or None if it gets none."""
        key = self._key(executor)
        if key is None:
            return None
        plan = self._plans.get(key)
        if plan is not None and plan.schema is executor.schema:
            return plan
        plan = Plan(executor.schema, root_type, root_fields)
        self._plans.put(key, plan, plan.size)

        def reweigh(grown: Plan) -> None:
            if self._plans.peek(key) is grown:
                self._plans.put(key, grown, grown.size)

        plan.on_growth = reweigh
        return plan

    def _key(self, executor: AnyExecutor) -> PlanKey | None:
        operation = executor.operation
        if operation.loc is None or operation.operation is OperationType.SUBSCRIPTION:
            return None
        text = operation.loc.source.body
        name = operation.name.value if operation.name else None
        names = self._directive_variables.get((text, name), _UNKNOWN)
        if names is _UNKNOWN:
            names = self._remember_directive_variables(executor, text, name)
        if names is None:
            return None
        if not names:
            return (text, name, ())
        coerced = executor.variable_values.coerced
        values = tuple((variable, coerced.get(variable, _ABSENT)) for variable in names)
        try:
            hash(values)
        except TypeError:
            return None
        return (text, name, values)

    def _remember_directive_variables(
        self, executor: AnyExecutor, text: str, name: str | None
    ) -> tuple[str, ...] | None:
        names = _directive_variables(executor)
        remembered = self._directive_variables
        remembered[(text, name)] = names
        if len(remembered) > self.max_plans:
            remembered.popitem(last=False)  # the oldest: recomputing it is cheap
        return names


def _directive_variables(executor: AnyExecutor) -> tuple[str, ...] | None:
    """Variables read by any directive of the operation or its fragments; None if not plannable."""
    if any(details.variable_signatures for details in executor.fragments.values()):
        return None  # fragment variables make collected fields depend on each spread's arguments
    names: set[str] = set()
    roots: list[Node] = [executor.operation, *executor.fragment_definitions.values()]
    for directive in _directives(roots):
        if directive.name.value in _INCREMENTAL:
            return None
        for argument in directive.arguments or ():
            names.update(variable.name.value for variable in _variables(argument.value))
    return tuple(sorted(names))


def _directives(roots: list[Node]) -> Iterator[DirectiveNode]:
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield from getattr(node, "directives", None) or ()
        selection_set: SelectionSetNode | None = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def _variables(value: Any) -> Iterator[VariableNode]:
    if isinstance(value, VariableNode):
        yield value
        return
    for item in getattr(value, "values", None) or ():
        yield from _variables(item)
    for field in getattr(value, "fields", None) or ():
        yield from _variables(field.value)
