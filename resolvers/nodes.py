"""`node(id:)` and `nodes(ids:)`: any provider's ids, batched per provider through the loaders."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from gateway.error_shape import quoted
from gateway.errors import BadUserInput, GatewayError, NotFound
from gateway.ids import decode_id
from gateway.request.context import Info
from resolvers.registry import BY_NAME
from schema.event import Node


async def load(info: Info, global_id: str, field: str) -> Node:
    """The object with this global id (batched per provider), or BAD_USER_INPUT / NOT_FOUND at `field`."""
    decoded = decode_id(global_id, field=field)
    api = BY_NAME.get(decoded.provider)
    loader = None if api is None else api.load_node if decoded.kind is None else api.objects.get(decoded.kind)
    if loader is None:
        raise BadUserInput(f"{quoted(global_id)} is not a valid id", field=[field])
    await info.context.lists_settled(decoded.provider)
    node = await loader(info.context, decoded.parts)
    # An upstream may find an object under another spelling of its key (`007` for `7`); that
    # object's id is not the one asked for, and an object answers to its own id only.
    if node is None or node.id != global_id:
        raise NotFound(f"no object has the id {quoted(global_id)}", provider=decoded.provider, field=[field])
    return node


async def node(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id (any `id` field).")]
) -> Node | None:
    """One object by its global id; null plus a NOT_FOUND error when it does not exist."""
    return await load(info, id, "id")


async def nodes(
    info: Info,
    ids: Annotated[
        list[strawberry.ID], strawberry.argument(description="Global ids, of any types and providers.")
    ],
) -> list[Node | None]:
    """Objects by global id, in request order; each missing one is null with its own error."""
    results = await asyncio.gather(*(load(info, value, "ids") for value in ids), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, GatewayError):
            raise result
    # graphql-core turns an exception in a list position into null plus an error at that path.
    return results  # type: ignore[return-value]
