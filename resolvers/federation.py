"""Subgraph mode's root fields: `_service { sdl }` and `_entities(representations:)` (Apollo Federation v2).

Every `Node` type is an entity keyed by `id`: a representation `{__typename, id}` resolves like
`node(id:)`, batched per provider through the same loaders, and only as the type it names.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Union

import strawberry

from gateway.errors import BadUserInput, GatewayError, NotFound
from gateway.request.context import Info
from resolvers.nodes import load
from resolvers.registry import PROVIDERS
from schema.event import Node
from schema.federation import Service, subgraph_sdl
from schema.scalars import Representation

#: Every type a representation may name: the registered providers' `Node` types.
ENTITY_TYPES: tuple[type, ...] = tuple(
    kind for api in PROVIDERS for kind in api.types if issubclass(kind, Node)
)
ENTITY_NAMES = frozenset(kind.__strawberry_definition__.name for kind in ENTITY_TYPES)  # type: ignore[attr-defined]
Entity = Annotated[
    Union[ENTITY_TYPES],  # type: ignore[valid-type]  # noqa: UP007 (built from the registry)
    strawberry.union("_Entity", description="Every type of this subgraph with a `@key`: the `Node` types."),
]

_sdl: dict[int, str] = {}


def service(info: Info) -> Service:
    """The subgraph SDL (computed once per schema)."""
    schema = info.schema
    sdl = _sdl.get(id(schema))
    if sdl is None:
        sdl = _sdl[id(schema)] = subgraph_sdl(schema.as_str(), ENTITY_NAMES)
    return Service(sdl=sdl)


async def _entity(info: Info, representation: Any) -> Node:
    if not isinstance(representation, dict):
        raise BadUserInput("a representation is an object `{__typename, id}`", field=["representations"])
    typename, global_id = representation.get("__typename"), representation.get("id")
    if typename not in ENTITY_NAMES or not isinstance(global_id, str):
        raise BadUserInput(
            "a representation names a Node type and its `id`, e.g. `{__typename: StrigoEvent, id: …}`",
            field=["representations"],
        )
    node = await load(info, global_id, "representations")
    if type(node).__strawberry_definition__.name != typename:  # type: ignore[attr-defined]
        raise NotFound(f"{global_id!r} is not the id of a {typename}", field=["representations"])
    return node


async def entities(
    info: Info,
    representations: Annotated[
        list[Representation],
        strawberry.argument(description="The entities wanted: `{__typename, id}` each."),
    ],
) -> list[Entity | None]:
    """The entities in the order asked; a missing one is null with its own error."""
    results = await asyncio.gather(*(_entity(info, each) for each in representations), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, GatewayError):
            raise result
    return results  # type: ignore[return-value]  # graphql-core makes an exception null plus an error


@strawberry.type
class FederationQuery:
    service_: Service = strawberry.field(
        name="_service", resolver=service, description="This subgraph's SDL, for supergraph composition."
    )
    entities_: list[Entity | None] = strawberry.field(
        name="_entities",
        resolver=entities,
        description="Entities by representation, for a supergraph router: batched per provider.",
    )
