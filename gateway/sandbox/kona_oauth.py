"""Kona emulator token endpoint: `POST /oauth/token` with the `refresh_token` grant.

From Kona's `sections/authentication.md` (providers.md §3.1): the token endpoint is
`https://io.kona.com/oauth/token`, called with `grant_type`, the grant's own parameter and the
client's `client_id` and `client_secret` (the docs' curl sends them as query parameters; a form
body is accepted too, as RFC 6749 §4.1.3/§6 send them). A token reply is
`{"access_token","token_type":"bearer","expires_in":604800,"refresh_token"}` (a week), and a refresh
answers the same refresh token: "the refresh token does not change".

UNCONFIRMED, chosen here: errors follow RFC 6749 §5.2 (`{"error","error_description"}`; 401
`invalid_client` for a wrong client, 400 `invalid_grant` for an unknown refresh token, 400
`unsupported_grant_type`), as Doorkeeper, the Rails OAuth provider, answers. Only the
`refresh_token` grant is emulated (the authorization-code grant needs a browser).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from gateway.sandbox.kona_state import STATE
from gateway.sandbox.kona_time import utc
from gateway.sandbox.recorder import json_response

TOKEN_PATH = "/oauth/token"


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    # RFC 6749 §5.2: no caching of token responses, errors included.
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    return json_response({"error": error, "error_description": description}, status=status, headers=headers)


async def token(request: web.Request) -> web.Response:
    """`POST /oauth/token`: a new access token for a known client and refresh token."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/x-www-form-urlencoded":
        params.update(await request.post())
    state = request.app[STATE]
    client_id, client_secret = str(params.get("client_id", "")), str(params.get("client_secret", ""))
    if not client_id or state.clients.get(client_id) != client_secret:
        return _oauth_error(401, "invalid_client", "Client authentication failed due to unknown client.")
    grant_type = params.get("grant_type")
    if grant_type != "refresh_token":
        return _oauth_error(400, "unsupported_grant_type", "The authorization grant type is not supported.")
    refresh_token = str(params.get("refresh_token", ""))
    user_id = state.refresh_tokens.get(refresh_token)
    if user_id is None:
        return _oauth_error(400, "invalid_grant", "The provided authorization grant is invalid or expired.")
    state.issued += 1
    access_token = f"kona-at-{state.issued}-{secrets.token_hex(8)}"
    state.tokens[access_token] = user_id
    state.token_expiry[access_token] = utc(state.now()).timestamp() + state.token_lifetime
    body = {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": state.token_lifetime,
        "refresh_token": refresh_token,
    }
    return json_response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
