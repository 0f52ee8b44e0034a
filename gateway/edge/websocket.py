"""The GraphQL WebSocket transports: callers prove a key, and messages go out as text frames.

A caller proves a key on the upgrade's headers or, from browsers, in `connection_init`.

Browsers cannot set headers on a WebSocket, so graphql-transport-ws clients send the key as
`connection_init`'s payload `{"authorization": "Bearer <key>"}` (CONTRACT §8). Until a connection
is acknowledged the protocol refuses every operation (4401), so checking the key here is enough:
a connection without one is closed with 4403 Forbidden before it can run anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)

from gateway.edge.security import CallerKeys, Presented
from gateway.request.context import Context

FORBIDDEN = 4403


def admitted(view: Any, context: Context, payload: object) -> bool:
    """Whether a WebSocket may proceed: no keys configured, a valid key on the upgrade, or in `payload`.

    `view` is the `GatewayGraphQL` serving the connection (strawberry types it loosely).
    """
    keys: CallerKeys = view.caller_keys
    if not keys.required:
        return True
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
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error
