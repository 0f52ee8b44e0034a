"""The `Query` root: shared fields plus every registered provider's fields."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from resolvers.nodes import node, nodes
from resolvers.registry import PROVIDERS
from schema.event import Node


@strawberry.type
class CoreQuery:
    node: Node | None = strawberry.field(
        resolver=node, description="Any object by its global id; null (with a NOT_FOUND error) if missing."
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=nodes,
        description="Objects by global id, in the order asked; one batched round per provider.",
    )


Query = merge_types("Query", (CoreQuery, *(api.query for api in PROVIDERS)))
