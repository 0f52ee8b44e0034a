"""The GraphQL HTTP view: typed context per request, orjson responses, masking of unexpected errors."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension

from gateway.context import Context
from gateway.errors import GatewayError
from gateway.settings import Settings
from gateway.upstream import calls_in_request, current_request_id

log = logging.getLogger("gateway.graphql")

REQUEST_ID_HEADER = "x-request-id"


def request_id_of(request: Request | WebSocket) -> str:
    """The caller's `X-Request-ID` when it is sane, else a fresh one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(given) <= 128 and given.isascii() and given.isprintable():
        return given
    return uuid.uuid4().hex


class MaskUnexpectedErrors(SchemaExtension):
    """Errors the gateway did not raise on purpose become `INTERNAL_SERVER_ERROR` with a request id.

    The detail (with its stack trace) goes to the log only; GraphQL syntax and validation errors
    and every `GatewayError` pass through unchanged. Partial failures a resolver recorded in the
    context (one provider down in a federated query) are added here, beside the data.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        context = self.execution_context.context
        request_id = context.request_id if isinstance(context, Context) else "unknown"
        errors = [self._mask(error, request_id) for error in result.errors or ()]
        if isinstance(context, Context):
            errors.extend(
                GraphQLError(error.message, path=list(path), original_error=error)
                for error, path in context.partial_errors
            )
        result.errors = errors or None

    @staticmethod
    def _mask(error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GatewayError | GraphQLError):
            return error
        log.error("unexpected error in request %s", request_id, exc_info=original)
        return GraphQLError(
            f"Internal server error (request id {request_id})",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's context and JSON encoding."""

    def __init__(self, *args: Any, settings: Settings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        clients: Mapping[str, Any] = request.state.clients
        context = Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self.settings,
            clients=clients,
            request_id=request_id_of(request),
        )
        if isinstance(response, Response):
            response.headers["X-Request-ID"] = context.request_id
        calls_in_request.set(context.upstream_calls)
        current_request_id.set(context.request_id)
        return context

    async def execute_single(self, request: Request, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_single(request, request_adapter, *args, **kwargs)
        except HTTPException as error:
            # GraphQL over HTTP: a mutation sent with GET is 405 Method Not Allowed, not 400.
            if request_adapter.method == "GET" and error.status_code == 400 and "GET" in error.reason:
                raise HTTPException(405, error.reason) from error
            raise

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
