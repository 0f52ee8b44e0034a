"""Caller authentication (`GATEWAY_API_KEYS`) and the request body limit, as ASGI middleware."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
#: The playground's static assets: no data, and a browser cannot send a key for them.
OPEN_PREFIXES = ("/graphiql/",)


def graphql_error_body(message: str, code: str) -> bytes:
    """A GraphQL-shaped error body for refusals made before GraphQL runs."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


async def _refuse(
    send: Send, status: int, message: str, code: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = graphql_error_body(message, code)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ApiKeyMiddleware:
    """Lets a request through only with a configured key (`Authorization: Bearer` or `X-API-Key`).

    Keys are compared in constant time. Health, readiness and metrics stay open, and so do the
    GraphiQL page (a browser GET asking for HTML) and its static assets; its queries need a key.
    """

    def __init__(self, app: ASGIApp, keys: Sequence[str]) -> None:
        self.app = app
        self.keys = [key.encode() for key in keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or _is_open(scope):
            await self.app(scope, receive, send)
            return
        if self._presented_key_is_valid(scope):
            await self.app(scope, receive, send)
            return
        await _refuse(
            send, 401, "Missing or invalid API key: send `Authorization: Bearer <key>`.", "UNAUTHENTICATED",
            [(b"www-authenticate", b'Bearer realm="event-gateway"')],
        )  # fmt: skip

    def _presented_key_is_valid(self, scope: Scope) -> bool:
        headers = dict(scope["headers"])
        presented = headers.get(b"x-api-key", b"")
        authorization = headers.get(b"authorization", b"")
        if authorization[:7].lower() == b"bearer ":
            presented = authorization[7:].strip()
        # Compare against every key, without stopping early, so timing reveals nothing.
        matches = [hmac.compare_digest(presented, key) for key in self.keys]
        return bool(presented) and any(matches)


def _is_open(scope: Scope) -> bool:
    path: str = scope["path"]
    return (
        path in OPEN_PATHS
        or (scope["method"] == "GET" and path.startswith(OPEN_PREFIXES))
        or _wants_page(scope)
    )


def _wants_page(scope: Scope) -> bool:
    if scope["method"] != "GET":
        return False
    headers = dict(scope["headers"])
    return b"text/html" in headers.get(b"accept", b"") and b"query=" not in scope.get("query_string", b"")


class BodyLimitMiddleware:
    """Refuses request bodies larger than `limit` bytes with 413, whether or not they declare a length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, 413, f"Request body larger than {self.limit} bytes.", "BAD_REQUEST")
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _refuse(send, 413, f"Request body larger than {self.limit} bytes.", "BAD_REQUEST")


class _TooLarge(Exception):
    pass
