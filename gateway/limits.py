"""Query depth, cost and alias limits, checked during validation — before any upstream call.

Cost counts every field once per object it is resolved on: a list field multiplies its
children by its `first` argument (a literal), else by `DEFAULT_LIST_SIZE`; a connection's
`edges`/`nodes` lists are already counted by the connection's own multiplier.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

DEFAULT_LIST_SIZE = 50
CODE = "QUERY_TOO_COMPLEX"


def _fanout(node: FieldNode, field_type: Any, parent: GraphQLNamedType) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first" and isinstance(argument.value, IntValueNode):
            return max(1, int(argument.value.value))
        if argument.name.value == "ids" and isinstance(argument.value, ListValueNode):
            return max(1, len(argument.value.values))
    named = get_named_type(field_type)
    if named is not None and named.name.endswith("Connection"):
        return DEFAULT_LIST_SIZE
    if isinstance(get_nullable_type(field_type), GraphQLList):
        return 1 if parent.name.endswith("Connection") else DEFAULT_LIST_SIZE
    return 1


class _Measure:
    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self.aliases = 0
        self.depth = 0

    def cost(
        self,
        selections: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        depth: int,
        seen: frozenset[str],
    ) -> int:
        if selections is None or parent is None:
            return 0
        self.depth = max(self.depth, depth)
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, depth, seen)
            elif isinstance(selection, InlineFragmentNode):
                inner = (
                    self._type(selection.type_condition.name.value) if selection.type_condition else parent
                )
                total += self.cost(selection.selection_set, inner, depth, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.context.get_fragment(selection.name.value)
                if isinstance(fragment, FragmentDefinitionNode):
                    inner = self._type(fragment.type_condition.name.value)
                    total += self.cost(fragment.selection_set, inner, depth, seen | {selection.name.value})
        return total

    def _field(self, node: FieldNode, parent: GraphQLNamedType, depth: int, seen: frozenset[str]) -> int:
        if node.alias is not None:
            self.aliases += 1
        if node.name.value.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 1
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 1
        fanout = _fanout(node, definition.type, parent)
        child = get_named_type(definition.type)
        return 1 + fanout * self.cost(node.selection_set, child, depth + 1, seen)

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.context.schema.get_type(name)


def complexity_rule(max_depth: int, max_cost: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations over the limits with `QUERY_TOO_COMPLEX`."""

    class ComplexityLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            measure = _Measure(self.context)
            cost = measure.cost(node.selection_set, root, 1, frozenset())
            problems = []
            if measure.depth > max_depth:
                problems.append(f"depth {measure.depth} exceeds the limit of {max_depth}")
            if measure.aliases > max_aliases:
                problems.append(f"{measure.aliases} aliases exceed the limit of {max_aliases}")
            if cost > max_cost:
                problems.append(f"estimated cost {cost} exceeds the limit of {max_cost}")
            for problem in problems:
                self.report_error(
                    GraphQLError(
                        f"Query too complex: {problem}.", node, extensions={"code": CODE, "cost": cost}
                    )
                )

    return ComplexityLimit
