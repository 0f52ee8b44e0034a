"""The GraphQL WebSocket transports: callers prove a key, operations keep to themselves, text frames.

A caller proves a key on the upgrade's headers or, from browsers, in `connection_init`.

Browsers cannot set headers on a WebSocket, so graphql-transport-ws clients send the key as
`connection_init`'s payload `{"authorization": "Bearer <key>"}` (CONTRACT §8). Until a connection
is acknowledged the protocol refuses every operation (4401), so checking the key here is enough:
a connection without one is closed with 4403 Forbidden before it can run anything.

Strawberry gives every operation of a connection the connection's one context; `OwnRequestState`
hands each its own copy, so operations never share loaders, partial errors or a call budget.
A connection runs at most `GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION` operations at once; one that
falls `GATEWAY_MAX_PENDING_CHANGES` behind on a subscription is closed with 4008.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.extensions import SchemaExtension
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)

from gateway.edge import request_body
from gateway.edge.security import CallerKeys, Presented
from gateway.errors import TooManySubscriptions
from gateway.request.context import Context

FORBIDDEN = 4403
#: The close code for a subscriber that read too slowly (4000-4999 are the application's; clients
#: such as graphql-ws treat it as retryable, like 1008 Policy Violation it mirrors).
SLOW_CONSUMER = 4008
#: A close frame's reason may hold 123 bytes.
_MAX_REASON = 123
_closing: set[asyncio.Task[None]] = set()


def abandoner(websocket: WebSocket) -> Callable[[str], None]:
    """What a context calls to end its WebSocket when a subscriber falls behind: a 4008 close, soon.

    It never waits: it runs inside the fan-out of a change, which must not block on one socket.
    """

    def abandon(reason: str) -> None:
        task = asyncio.get_running_loop().create_task(_close(websocket, reason))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    return abandon


async def _close(websocket: WebSocket, reason: str) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
        await websocket.close(
            code=SLOW_CONSUMER, reason=reason.encode()[:_MAX_REASON].decode(errors="ignore")
        )


class OwnRequestState(SchemaExtension):
    """Gives each operation on a WebSocket a context of its own (first among the extensions)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.request, WebSocket):
            own = context.for_operation()
            own.enter()
            self.execution_context.context = own
        yield


def admitted(view: Any, context: Context, payload: object) -> bool:
    """Whether a WebSocket may proceed: no keys configured, a valid key on the upgrade, or in `payload`.

    `view` is the `GatewayGraphQL` serving the connection (strawberry types it loosely).
    """
    keys: CallerKeys = view.caller_keys
    if not keys.required:
        return True
    assert context.request is not None  # a connection's context always has its request
    on_upgrade = keys.in_headers(context.request.scope["headers"])
    if on_upgrade is not Presented.NONE:
        return on_upgrade is Presented.VALID
    return isinstance(payload, dict) and keys.in_payload(payload)


class KeyedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws that closes with 4403 unless the caller proved a key."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if not admitted(self.view, self.context, message.get("payload")):
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")
            return
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # graphql-transport-ws: an id is a string and the payload an object with a string `query`
        # (strawberry would crash on a null payload, and repeats the id, whatever its size, in every
        # message of the operation); anything else is a malformed message, closed 4400.
        problem = _malformed_subscribe(message)
        if problem is not None:
            await self.websocket.close(code=INVALID_MESSAGE, reason=problem)
            return
        # Strawberry's own refusal carries no code; the limit is the gateway's, so is the error.
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message.get("id") not in self.operations
            and len(self.operations) >= limit
        ):
            error = TooManySubscriptions(limit, "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION")
            refusal = GraphQLError(error.message, extensions=error.extensions)
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[refusal.formatted]))
            return
        await super().handle_subscribe(message)


#: graphql-transport-ws's close code for a malformed message.
INVALID_MESSAGE = 4400
#: The longest operation id accepted: clients use counters or UUIDs.
MAX_OPERATION_ID = 128


def _malformed_subscribe(message: SubscribeMessage) -> str | None:
    """Why a `subscribe` message is malformed, or None."""
    operation_id: object = message.get("id")
    if not isinstance(operation_id, str) or not 0 < len(operation_id) <= MAX_OPERATION_ID:
        return f"Invalid subscribe id: a string of 1 to {MAX_OPERATION_ID} characters"
    payload: object = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "Invalid subscribe payload: an object with a string query"
    problem = request_body.type_problem(payload) or request_body.depth_problem(payload)
    if problem is not None:
        return f"Invalid subscribe payload: {problem}"
    return None


class KeyedLegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol, with the same rule: `connection_error`, then a 4403 close."""

    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        if not admitted(self.view, self.context, message.get("payload")):
            await self.send_message({"type": "connection_error", "payload": {"message": "Forbidden"}})
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")
            return
        await super().handle_connection_init(message)


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends each message as a text frame, as graphql-ws clients require (the view encodes to bytes)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except (WebSocketDisconnect, RuntimeError) as error:
            # RuntimeError: the socket was closed meanwhile (a slow consumer dropped, say).
            raise WebSocketDisconnected from error
