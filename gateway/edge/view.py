"""The GraphQL HTTP view: typed context, who may execute, status codes, error masking, disconnects.

Responses are negotiated from `Accept`: `application/graphql-response+json` (with the spec's status
codes: 400 for request errors, which carry no `data`) or `application/json` (200 with `data: null`,
as legacy clients expect), chosen by `gateway.edge.media_types`. GraphiQL's page comes from
`gateway.edge.playground`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as OperationKind
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.types import QueryParams
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway import error_shape
from gateway.edge import request_body
from gateway.edge.batch import check_batch_size, run_batch
from gateway.edge.masking import mask
from gateway.edge.media_types import GRAPHQL_RESPONSE_JSON, names_json, response_media_type
from gateway.edge.persisted_queries import PersistedQueries, load_documents, only_persisted_query_not_found
from gateway.edge.playground import graphiql_page
from gateway.edge.prepared import PreparedOperations, execute_prepared
from gateway.edge.security import UNAUTHENTICATED_MESSAGE, BodyTooLarge, CallerKeys, Presented
from gateway.edge.websocket import (
    KeyedLegacyWSHandler,
    KeyedTransportWSHandler,
    TextWebSocketAdapter,
    abandoner,
)
from gateway.errors import ErrorCode
from gateway.request.context import Context
from gateway.request.credentials import CallerHeaders, CredentialRefused
from gateway.request.directory import ClientDirectory
from gateway.request.disconnect import ClientGone, unless_disconnected
from gateway.request.request_ids import new_request_id
from gateway.settings import Settings
from gateway.upstream.auth import CallerCredential
from gateway.upstream.endpoint import current_request_id

log = logging.getLogger("gateway.graphql")


REQUEST_ID_HEADER = "x-request-id"
#: Where a request's checked caller credentials wait in its ASGI scope for `get_context`.
CALLER_CREDENTIALS = "event_gateway.caller_credentials"
SUBSCRIPTION_NEEDS_A_STREAM = (
    "Subscriptions need a stream: send `Accept: text/event-stream` (GraphQL over SSE) or connect a "
    "WebSocket (graphql-transport-ws)."
)
#: graphql-transport-ws and the legacy graphql-ws on the WebSocket; GraphQL over SSE (the graphql-sse
#: protocol's distinct connections mode) for a request that accepts `text/event-stream`.
SUBSCRIPTION_PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL)


def request_id_of(request: Request | WebSocket) -> str:
    """The caller's `X-Request-ID` when it is sane, else a fresh one."""
    given = _first_header(request.scope["headers"], _REQUEST_ID_NAME)
    if 0 < len(given) <= 128 and given.isascii() and given.isprintable():
        return given
    return new_request_id()


_REQUEST_ID_NAME = REQUEST_ID_HEADER.encode("latin-1")


def _first_header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    """The first value of the (lower-case) header `name`, "" without one: `Headers.get(name, "")`
    on the raw headers, without a `KeyError` raised and caught for the common absent header."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return ""


def _request_error_status(response_data: GraphQLHTTPResponse) -> int:
    """400 for a request the client must fix; 500 when the gateway itself failed before executing."""
    for error in response_data.get("errors") or ():
        if (
            isinstance(error, dict)
            and (error.get("extensions") or {}).get("code") == ErrorCode.INTERNAL_SERVER_ERROR
        ):
            return 500
    return 400


class BodyRequest(Request):
    """Starlette's `Request`, whose `body()` reads the body without the async generator and its
    closing context that `Request.stream()` costs (~4 µs a request); same messages, same errors."""

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            if self._stream_consumed:
                raise RuntimeError("Stream consumed")
            chunks: list[bytes] = []
            while not self._stream_consumed:
                message = await self._receive()
                if message["type"] == "http.request":
                    body = message.get("body", b"")
                    if not message.get("more_body", False):
                        self._stream_consumed = True
                    if body:
                        chunks.append(body)
                elif message["type"] == "http.disconnect":
                    self._is_disconnected = True
                    raise ClientDisconnect
            self._body = b"".join(chunks)
        return self._body


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's context, media types, JSON encoding and GraphiQL.

    It also decides who may execute: with API keys configured, a caller without one gets the
    GraphiQL page when this request is one strawberry would answer with the page, and 401
    otherwise. The decision reads the same parsed request the execution reads, so no spelling of
    a URL can be a page to one and a query to the other.
    """

    graphql_transport_ws_handler_class = KeyedTransportWSHandler
    graphql_ws_handler_class = KeyedLegacyWSHandler
    websocket_adapter_class = TextWebSocketAdapter

    def __init__(
        self, schema: BaseSchema, *, settings: Settings, prepared: PreparedOperations, **kwargs: Any
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=SUBSCRIPTION_PROTOCOLS,
            max_subscriptions_per_connection=settings.gateway_max_subscriptions_per_connection,
            # A socket that has not said `connection_init` (with its key) holds a connection slot
            # unauthenticated: it gets as long as a request's head does, not strawberry's minute.
            connection_init_wait_timeout=timedelta(seconds=settings.gateway_header_timeout),
            **kwargs,
        )
        self.settings = settings
        self.prepared = prepared
        self.caller_keys = CallerKeys([key.get_secret_value() for key in settings.gateway_api_keys])
        path = settings.gateway_persisted_documents
        self.persisted = PersistedQueries(
            trusted=load_documents(path) if path else {}, only_trusted=settings.gateway_persisted_only
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            try:
                _read_caller_credentials(WebSocket(scope, receive, send))
            except CredentialRefused:
                # Closing before accepting answers the upgrade with 403: no connection, no messages.
                await send({"type": "websocket.close", "code": 4400, "reason": "Bad credentials header"})
                return
            await super().__call__(scope, receive, send)
            return
        request = BodyRequest(scope=scope, receive=receive)
        try:
            self._admit(request)
            # Callers' credentials are checked for shape before anything runs (let alone is sent).
            # Kept in this request's own scope: `request.state` may be shared by concurrent requests.
            scope[CALLER_CREDENTIALS] = _read_caller_credentials(request)
            await request.body()  # read in full, so that `receive()` has only a disconnect left to say
            response = await unless_disconnected(self.respond(request), receive)
        except HTTPException as error:
            response = self.request_error_response(request, error)
        except CredentialRefused as error:
            response = self.refused_credentials_response(request, error)
        except (ClientGone, ClientDisconnect):
            log.info("client disconnected; its request was cancelled", extra={"path": scope["path"]})
            return
        except BodyTooLarge:
            raise  # BodyLimitMiddleware answers it (413)
        except Exception:
            # A failure outside GraphQL's own error handling: still a JSON GraphQL error, never a trace.
            request_id = current_request_id.get() or request_id_of(request)
            log.exception("unexpected error in request %s", request_id)
            response = self.request_error_response(
                request, HTTPException(500, f"Internal server error (request id {request_id})")
            )
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The response to an HTTP request: the common one (see `_plain_post`) straight to execution,
        and past `Schema.execute` when its operation is prepared (`gateway.edge.prepared`); anything
        else through strawberry's whole view."""
        operation = _plain_post(self, request, await request.body())
        if operation is None:
            return await self.run(request)
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        prepared = None
        if not (operation.variables or operation.extensions or self.persisted.only_trusted):
            prepared = self.prepared.get(operation.query, operation.operation_name)
        if prepared is not None:
            result = await execute_prepared(self.schema, prepared, operation.operation_name, context)
        else:
            result = await self._execute_persisted("POST", request, context, operation)
        return self.create_response(await self.process_result(request, result), sub_response)

    def _admit(self, request: Request) -> None:
        """Refuse (401) a keyless caller unless this request only asks for the GraphiQL page."""
        if not self.caller_keys.required:
            return
        if self.caller_keys.in_headers(request.scope["headers"]) is Presented.VALID:
            return
        if not self.should_render_graphql_ide(self.request_adapter_class(request)):
            raise HTTPException(401, UNAUTHENTICATED_MESSAGE)

    def request_error_response(self, request: Request, error: HTTPException) -> Response:
        """A request refused before execution: a JSON GraphQL error in the negotiated media type."""
        headers = {"Vary": "Accept"}
        if error.status_code == 405:
            # A GET was refused for being a mutation; any other method for not being GET or POST.
            headers["Allow"] = "POST" if request.method == "GET" else "GET, POST"
        if error.status_code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="event-gateway"'
        code = _REFUSAL_CODES.get(error.status_code, ErrorCode.BAD_REQUEST)
        message = error_shape.bounded(error.reason)
        body = self.encode_json({"errors": [{"message": message, "extensions": {"code": code.value}}]})
        media_type = response_media_type(_accept(request))
        return Response(body, error.status_code, headers, _content_type(media_type))

    def refused_credentials_response(self, request: Request, error: CredentialRefused) -> Response:
        """A malformed or unaccepted credential header: 400 with BAD_USER_INPUT naming the header."""
        extensions = {**error.extensions, "header": error.header}
        body = self.encode_json({"errors": [{"message": error.message, "extensions": extensions}]})
        media_type = response_media_type(_accept(request))
        return Response(body, 400, {"Vary": "Accept"}, _content_type(media_type))

    def decode_json(self, data: str | bytes) -> object:
        return request_body.decode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        # Only request bodies come here: URL parameters go through `parse_query_params`.
        try:
            decoded = self.decode_json(data)
        except json.JSONDecodeError as error:
            raise HTTPException(400, "Unable to parse request body as JSON") from error
        shape = request_body.require_request_shape(decoded)
        if isinstance(shape, list):
            check_batch_size(len(shape), self.settings.gateway_max_batch)
            return [request_body.with_document_id(item) for item in shape]
        return request_body.with_document_id(shape)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        # Strawberry streams whatever accepts `text/event-stream`; a client naming JSON as well (urql's
        # fetch sends both) gets JSON for queries and mutations: only a subscription needs the stream.
        if (
            isinstance(parsed, GraphQLRequestData)
            and parsed.protocol == "sse"
            and names_json(request.headers.get("accept"))
            and not _is_subscription(parsed)
        ):
            return dataclasses.replace(parsed, protocol="http")
        return parsed

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        # Starlette's QueryParams keeps every occurrence of a repeated parameter; a plain dict would
        # silently keep the last one.
        multi_items = getattr(params, "multi_items", None)
        items: list[tuple[str, Any]] = multi_items() if multi_items else list(params.items())
        parsed = request_body.parse_json_parameters(request_body.single_parameters(items))
        return request_body.with_document_id(parsed)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET naming a persisted document (its hash in `extensions`, a `documentId`) is a request
        # without `query`, not a browser asking for the page.
        params = request.query_params
        persisted = ("extensions", *request_body.DOCUMENT_ID_PARAMETERS)
        return super().should_render_graphql_ide(request) and not any(name in params for name in persisted)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(_accept(request))
        return sub_response

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        presented = request.scope.get(CALLER_CREDENTIALS)
        if presented is None:  # a WebSocket: its headers were checked before it was accepted
            presented = _read_caller_credentials(request)
        directory: ClientDirectory = request.state.directory
        chosen = directory.for_request(presented)
        context = Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self.settings,
            clients=chosen.clients,
            request_id=request_id_of(request),
            credential_keys=chosen.credential_keys,
            missing=chosen.missing,
            live=request.state.live,
            abandon=abandoner(request) if isinstance(request, WebSocket) else None,
        )
        if isinstance(response, Response):
            response.headers["X-Request-ID"] = context.request_id
        context.enter()
        return context

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        if not isinstance(request_data, list):
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )

        async def one(operation: GraphQLRequestData, own: Context) -> ExecutionResult:
            result: ExecutionResult = await self.execute_single(
                request, request_adapter, sub_response, own, root_value, operation
            )
            return result

        return await run_batch(request_data, context, one)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        return await self._execute_persisted(request_adapter.method, request, context, request_data)

    async def _execute_persisted(
        self, method: str, request: Request, context: Context, request_data: GraphQLRequestData
    ) -> ExecutionResult:
        """One operation, its document found by its hash when it is a persisted one."""

        async def execute(operation: GraphQLRequestData) -> ExecutionResult:
            return await self._execute(method, context, operation)

        return await self.persisted.run(request_data, request.state.redis, execute)

    async def _execute(self, method: str, context: Context, operation: GraphQLRequestData) -> ExecutionResult:
        """Strawberry's `execute_single`, but subscriptions need a stream (SSE or a WebSocket), and a
        mutation sent with GET is 405 Method Not Allowed, as GraphQL over HTTP says, not 400."""
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}  # type: ignore[arg-type]
        try:
            return await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=operation.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTION_NEEDS_A_STREAM) from error
            status = 405 if method == "GET" else 400
            raise HTTPException(status, error.as_http_error_reason(method)) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        request_id = current_request_id.get() or "unknown"
        omitted = 0
        if result.errors:
            # An exception before execution (in an extension, say) interrupts MaskUnexpectedErrors'
            # hook, so its error arrives here unmasked.
            masked = [mask(error, request_id) for error in result.errors]
            result.errors, omitted = error_shape.shaped(masked)
        response_data = await super().process_result(request, result)
        if omitted:
            extensions = response_data.get("extensions") or {}
            response_data["extensions"] = {**extensions, "errorsOmitted": omitted}
        # The spec's request errors carry no `data` in the new media type; `data: null` stays for
        # application/json, where clients expect it.
        if (
            error_shape.is_request_error(result)
            and response_media_type(_accept(request)) == GRAPHQL_RESPONSE_JSON
        ):
            response_data.pop("data", None)
        return response_data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["Vary"] = "Accept"
        if only_persisted_query_not_found(response_data):
            # Part of the protocol, not a failure (Apollo Server answers 200 too); never cached, so the
            # same GET URL answers with data once the query is registered.
            response.headers["Cache-Control"] = "private, no-cache, must-revalidate"
            return response
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["Content-Type"] = _content_type(GRAPHQL_RESPONSE_JSON)
            if (
                not sub_response.status_code
                and isinstance(response_data, dict)
                and "data" not in response_data
            ):
                response.status_code = _request_error_status(response_data)
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request)

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except TypeError:
            # orjson refuses integers beyond 64 bits (a cost the caller asked for, say); `json` does not.
            return json.dumps(data, separators=(",", ":"), default=str).encode()


_REFUSAL_CODES = {401: ErrorCode.UNAUTHENTICATED, 500: ErrorCode.INTERNAL_SERVER_ERROR}


def _read_caller_credentials(request: Request | WebSocket) -> Mapping[str, CallerCredential]:
    """The caller's own credentials in the request's headers; `CredentialRefused` for a bad one."""
    headers: CallerHeaders = request.state.caller_headers
    return headers.read(request.headers)


#: What a request that may stream accepts: those go through strawberry's view, which streams them.
_STREAMING_ACCEPTS = ("text/event-stream", "multipart/mixed")


def _plain_post(view: GatewayGraphQL, request: Request, body: bytes) -> GraphQLRequestData | None:
    """The operation of a POST of one JSON object with well-typed members, as strawberry's view would
    read it; None for anything else (a batch, a stream, another content type, a member of the wrong
    type), which the whole view then answers, errors included."""
    if request.method != "POST":
        return None
    headers = request.headers
    # As strawberry's view reads it (case and all), so that both answer alike.
    media_type = _first_header(request.scope["headers"], b"content-type").partition(";")[0].strip()
    if media_type != "application/json":
        return None
    accept = ",".join(headers.getlist("accept")).lower()  # media types are case-insensitive
    if any(streaming in accept for streaming in _STREAMING_ACCEPTS):
        return None
    if not body.startswith(b"{"):
        return None  # a batch, or no object at all (or leading space): decoded once, by the whole view
    data = view.parse_json(body)
    if not isinstance(data, dict):
        return None
    query = data.get("query")
    variables = data.get("variables")
    extensions = data.get("extensions")
    operation_name = data.get("operationName")
    if (
        not isinstance(query, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(extensions, dict | None)
        or not isinstance(operation_name, str | None)
    ):
        return None
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        protocol="http",
    )


def _is_subscription(operation: GraphQLRequestData) -> bool:
    """Whether the request's operation is a subscription (False when it cannot be told: no document,
    a syntax error, an ambiguous operation; the JSON answer then says what is wrong)."""
    if operation.query is None:
        return False
    try:
        chosen = get_operation_ast(parse(operation.query), operation.operation_name)
    except GraphQLError:
        return False
    return chosen is not None and chosen.operation is OperationKind.SUBSCRIPTION


def _accept(request: Request | WebSocket) -> str | None:
    values = request.headers.getlist("accept")
    return ", ".join(values) if values else None


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"
