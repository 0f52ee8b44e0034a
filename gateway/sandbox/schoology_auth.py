"""OAuth 1.0a verification (two- and three-legged) and the optional rate limit of the Schoology emulator.

Signatures are checked with oauthlib's RFC 5849 helpers over the request as the client addressed it
(method, `scheme://Host` + raw path, query and Authorization-header parameters; `realm` excluded).
Failure texts follow the PHP OAuth library that Drupal-based Schoology is built on (assumption), except
the replay text, which is Schoology's documented one.

Schoology's authentication page: "The oauth_token is used in three-legged OAuth requests to identify
the user. For two-legged OAuth requests, the oauth_token still needs to be defined, but set to an
empty string." The signing key is the consumer secret and the token secret joined by `&` (RFC 5849
§3.4.2; the page's PLAINTEXT example, `<consumer_secret>%26`, is that key with an empty token secret).
So a two-legged call acts as the app's own account (every realm), and a three-legged one as the user
its access token belongs to, signed with that token's secret.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Middleware
from oauthlib.oauth1.rfc5849 import signature

from gateway.sandbox.recorder import Handler

REPLAY_MESSAGE = "Duplicate timestamp/nonce combination, possible replay attack. Request rejected."
SIGNATURE_METHODS = ("HMAC-SHA1", "PLAINTEXT")
# The PHP OAuth library's default window; Schoology's own value is not published.
TIMESTAMP_WINDOW = 300
_REQUIRED = (
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
)

NonceKey = tuple[str, str, str, str]


class OAuthError(Exception):
    """A request failed OAuth verification; `str(error)` is the 401 body."""


@dataclass(frozen=True, slots=True)
class _SignedRequest:
    # The attributes oauthlib's `verify_*` helpers read.
    http_method: str
    uri: str
    params: list[tuple[str, str]]
    signature: str


@dataclass(frozen=True, slots=True)
class Verified:
    """Who a verified request acts for: the consumer key, and the user of its access token (None:
    two-legged, the app's own account)."""

    consumer_key: str
    user_id: int | None


@dataclass(slots=True)
class OAuthGate:
    """Per-app verifier: consumer secrets, users' access tokens, nonces already used, and the per-key
    request window."""

    secrets: Mapping[str, str]
    #: Three-legged access tokens: token -> (token secret, user id).
    tokens: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    rate_limit: tuple[int, float] | None = None
    clock: Callable[[], float] = time.time
    seen: set[NonceKey] = field(default_factory=set)
    seen_order: deque[tuple[float, NonceKey]] = field(default_factory=deque)
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def verify(self, method: str, url: str, raw_query: str, authorization: str | None) -> Verified:
        """Check one request; return who it acts for or raise `OAuthError`."""
        oauth = _oauth_params(authorization)
        key = oauth["oauth_consumer_key"]
        secret = self.secrets.get(key)
        if secret is None:
            raise OAuthError("Invalid consumer")
        token = oauth.get("oauth_token", "")
        access = self.tokens.get(token) if token else ("", None)
        if access is None:
            raise OAuthError(f"Invalid access token: {token}")
        token_secret, user_id = access
        self._check_timestamp(oauth["oauth_timestamp"])
        if not _signature_matches(method, url, raw_query, authorization or "", oauth, secret, token_secret):
            raise OAuthError("Invalid signature")
        # Checked after the signature so forged requests cannot burn a client's nonces.
        self._use_nonce((key, token, oauth["oauth_timestamp"], oauth["oauth_nonce"]))
        return Verified(key, user_id)

    def over_limit(self, key: str) -> bool:
        """Record one request for `key`; True when it exceeds the configured window."""
        if self.rate_limit is None:
            return False
        count, period = self.rate_limit
        now = self.clock()
        window = self.hits.setdefault(key, deque())
        while window and window[0] <= now - period:
            window.popleft()
        if len(window) >= count:
            return True
        window.append(now)
        return False

    def _check_timestamp(self, raw: str) -> None:
        try:
            stamp = int(raw)
        except ValueError:
            raise OAuthError("Invalid timestamp") from None
        now = int(self.clock())
        if abs(now - stamp) > TIMESTAMP_WINDOW:
            raise OAuthError(f"Expired timestamp, yours {stamp}, ours {now}")

    def _use_nonce(self, nonce: NonceKey) -> None:
        now = self.clock()
        # Nonces older than twice the window can never pass the timestamp check again.
        while self.seen_order and self.seen_order[0][0] < now - 2 * TIMESTAMP_WINDOW:
            self.seen.discard(self.seen_order.popleft()[1])
        if nonce in self.seen:
            raise OAuthError(REPLAY_MESSAGE)
        self.seen.add(nonce)
        self.seen_order.append((now, nonce))


def _oauth_params(authorization: str | None) -> dict[str, str]:
    if not authorization:
        raise OAuthError("Missing OAuth authorization header")
    try:
        pairs: list[tuple[str, str]] = signature.collect_parameters(
            headers={"Authorization": authorization}, exclude_oauth_signature=False
        )
    except ValueError:
        raise OAuthError("Malformed OAuth authorization header") from None
    oauth = {name: value for name, value in pairs if name.startswith("oauth_")}
    for name in _REQUIRED:
        if not oauth.get(name):
            raise OAuthError(f"Missing {name.removeprefix('oauth_')} parameter. The parameter is required")
    if oauth.get("oauth_version", "1.0") != "1.0":
        raise OAuthError("OAuth version not supported")
    if oauth["oauth_signature_method"] not in SIGNATURE_METHODS:
        supported = ", ".join(SIGNATURE_METHODS)
        raise OAuthError(
            f"Signature method '{oauth['oauth_signature_method']}' not supported"
            f" try one of the following: {supported}"
        )
    return oauth


def _signature_matches(
    method: str,
    url: str,
    raw_query: str,
    authorization: str,
    oauth: Mapping[str, str],
    secret: str,
    token_secret: str,
) -> bool:
    try:
        params: list[tuple[str, str]] = signature.collect_parameters(
            uri_query=raw_query, headers={"Authorization": authorization}
        )
    except ValueError:
        return False
    signed = _SignedRequest(method.upper(), url, params, oauth["oauth_signature"])
    # The token secret is empty in two-legged calls (PLAINTEXT signature = "<secret>&").
    if oauth["oauth_signature_method"] == "PLAINTEXT":
        return bool(signature.verify_plaintext(signed, secret, token_secret))
    return bool(signature.verify_hmac_sha1(signed, secret, token_secret))


#: Who the request acts for (`Verified.user_id`, `APP_ACCOUNT` when two-legged), for access checks.
ACTING_USER = web.RequestKey("schoology_user", int)
APP_ACCOUNT = 0


def oauth_middleware(gate: OAuthGate) -> Middleware:
    """Reject unsigned, wrongly signed and replayed requests with 401; over the rate limit with 429."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path, _, raw_query = request.raw_path.partition("?")
        url = f"{request.scheme}://{request.host}{path}"
        try:
            verified = gate.verify(request.method, url, raw_query, request.headers.get("Authorization"))
        except OAuthError as error:
            return web.Response(status=401, text=str(error))
        request[ACTING_USER] = APP_ACCOUNT if verified.user_id is None else verified.user_id
        key = verified.consumer_key
        if gate.over_limit(key):
            assert gate.rate_limit is not None
            retry_after = str(math.ceil(gate.rate_limit[1]))
            return web.Response(status=429, text="Rate limit exceeded", headers={"Retry-After": retry_after})
        return await handler(request)

    return middleware
