"""Caller authentication (`GATEWAY_API_KEYS`) and the request body limit, as ASGI middleware.

Who may do what, when keys are configured:

- `/healthz`, `/readyz`, `/metrics` and GraphiQL's assets (`GET /graphiql/…`) are public.
- `GET /graphql` without a key reaches the GraphQL view, which decides on the very request it parses
  (see `GatewayGraphQL`): a browser asking for the GraphiQL page gets it; anything that would
  execute is refused with 401.
- A WebSocket to `/graphql` without a key on the upgrade reaches the view, which accepts it only
  with the key in graphql-transport-ws's `connection_init` payload (`gateway.edge.websocket`).
- `GET /calendar.ics` without a key reaches the feed, which lets it in only with a valid signature
  of its filter in the URL (`gateway.edge.calendar_feed`): calendar apps cannot send headers.
- Everything else needs a key: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Iterable, Mapping, Sequence

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import BadRequest, GatewayError, Unauthenticated
from gateway.feed.links import FEED_PATH

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
#: The playground's static assets: no data, and a browser cannot send a key for them.
OPEN_PREFIXES = ("/graphiql/",)
GRAPHQL_PATH = "/graphql"
UNAUTHENTICATED_MESSAGE = "Missing or invalid API key: send `Authorization: Bearer <key>`."
WWW_AUTHENTICATE = (b"www-authenticate", b'Bearer realm="event-gateway"')

Headers = Iterable[tuple[bytes, bytes]]


class Presented(enum.Enum):
    """What a request showed of a key."""

    NONE = "none"
    VALID = "valid"
    INVALID = "invalid"


class CallerKeys:
    """The configured API keys, and whether what a caller presents is one of them.

    Keys are compared in constant time, against every key, so timing reveals nothing. A request
    that presents several keys (both headers, or a header twice) is let in only when every one is
    valid: two readers of the same headers can never disagree about which one counts.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = [key.encode() for key in keys if key]

    @property
    def required(self) -> bool:
        """Whether callers must present a key at all."""
        return bool(self._keys)

    def matches(self, presented: bytes) -> bool:
        """Whether `presented` is one of the keys."""
        matches = [hmac.compare_digest(presented, key) for key in self._keys]
        return bool(presented) and any(matches)

    def in_headers(self, headers: Headers) -> Presented:
        """The verdict on the keys in a request's headers (ASGI raw header pairs)."""
        presented = [
            key for name, value in headers if (key := _key_in_header(name.lower(), value)) is not None
        ]
        if not presented:
            return Presented.NONE
        verdicts = [self.matches(key) for key in presented]
        return Presented.VALID if all(verdicts) else Presented.INVALID

    def in_payload(self, payload: Mapping[str, object] | None) -> bool:
        """Whether a graphql-transport-ws `connection_init` payload carries a valid key.

        Browsers cannot set headers on a WebSocket, so they send `{"authorization": "Bearer <key>"}`
        (`X-API-Key`-style `{"x-api-key": "<key>"}` works too; names are case-insensitive).
        """
        if not payload:
            return False
        headers = [
            (str(name).lower().encode(), value.encode())
            for name, value in payload.items()
            if isinstance(value, str)
        ]
        return self.in_headers(headers) is Presented.VALID


def _key_in_header(name: bytes, value: bytes) -> bytes | None:
    if name == b"x-api-key":
        return value.strip()
    if name == b"authorization":
        scheme, _, credentials = value.strip().partition(b" ")
        if scheme.lower() == b"bearer":
            return credentials.strip()
    return None


def graphql_error_body(error: GatewayError) -> bytes:
    """A GraphQL-shaped error body for refusals made before GraphQL runs."""
    return orjson.dumps({"errors": [{"message": error.message, "extensions": error.extensions}]})


class Refusal:
    """A fixed refusal, its body and headers encoded once: the same bytes for every request refused."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, error: GatewayError, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
        self.status = status
        self.body = graphql_error_body(error)
        self.headers = (
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
            *headers,
        )

    async def send(self, send: Send) -> None:
        """Answer with it (a fresh header list each time: outer middleware may add to it)."""
        await send({"type": "http.response.start", "status": self.status, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


class ApiKeyMiddleware:
    """Lets a request or WebSocket through only with a configured key, except what is public.

    Requests the GraphQL view decides on itself (keyless `GET /graphql` and WebSocket upgrades
    of `/graphql`) pass through; the view refuses them unless they only ask for the page, or
    authenticate in `connection_init`. So does a keyless `GET /calendar.ics`, which the feed
    admits only with a signed URL.
    """

    def __init__(self, app: ASGIApp, keys: Sequence[str], graphql_path: str = GRAPHQL_PATH) -> None:
        self.app = app
        self.keys = CallerKeys(keys)
        self.graphql_path = graphql_path
        self.unauthenticated = Refusal(401, Unauthenticated(UNAUTHENTICATED_MESSAGE), [WWW_AUTHENTICATE])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.keys.required:
            await self.app(scope, receive, send)
            return
        presented = self.keys.in_headers(scope["headers"])
        if presented is Presented.VALID or self._is_public(scope) or self._view_decides(scope, presented):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            # Closing before accepting answers the upgrade with 403: no connection, no messages.
            await send({"type": "websocket.close", "code": 4403, "reason": "Forbidden"})
        else:
            await self.unauthenticated.send(send)

    @staticmethod
    def _is_public(scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path: str = scope["path"]
        return path in OPEN_PATHS or (scope["method"] == "GET" and path.startswith(OPEN_PREFIXES))

    def _view_decides(self, scope: Scope, presented: Presented) -> bool:
        if presented is not Presented.NONE:
            return False
        if scope["path"] == FEED_PATH:
            return scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
        if scope["path"] != self.graphql_path:
            return False
        return scope["type"] == "websocket" or bool(scope["method"] == "GET")


class BodyLimitMiddleware:
    """Refuses request bodies larger than `limit` bytes with 413, whether or not they declare a length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.too_large = Refusal(413, BadRequest(f"Request body larger than {limit} bytes."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self.too_large.send(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await self.too_large.send(send)


class BodyTooLarge(Exception):
    """Raised through the app by `BodyLimitMiddleware`'s `receive` once a body passes the limit."""
