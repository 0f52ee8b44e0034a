"""Kona's access token renewed with its refresh token: before it runs out, once on a 401, one renewal
at a time across replicas, and nothing a hostile token endpoint says can stall or crash a request."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.sandbox import kona
from gateway.upstream.oauth2 import MIN_LIFETIME, RefreshGrant
from gateway.upstream.redaction import Redactor
from gateway.upstream.token_refresh import RefreshingBearer
from tests.harness import Gateway, Sandbox, running_gateway, settings_for
from tests.redis_server import RedisServer

QUERY = "{ konaCalendarEvents(first: 1) { edges { node { id } } } }"
REFRESH = {key.lower(): value for key, value in kona.refresh_env().items()}


def token_calls(sandbox: Sandbox) -> int:
    return sum(1 for call in sandbox.calls("kona") if call.path == kona.TOKEN_PATH)


async def test_a_refresh_storm_across_two_replicas_asks_the_token_endpoint_once(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    # Both replicas start with a token Kona has let expire; neither knows it yet.
    settings = settings_for(
        sandbox, kona_access_token=kona.EXPIRED_ACCESS_TOKEN, gateway_redis_url=redis_server.url, **REFRESH
    )
    async with running_gateway(settings) as first, running_gateway(settings) as second:
        bodies = await asyncio.gather(
            *(replica.query(QUERY) for replica in (first, second) for _ in range(25))
        )
    assert [body.get("errors") for body in bodies] == [None] * 50
    assert token_calls(sandbox) == 1
    used = {
        call.headers.get("Authorization") for call in sandbox.calls("kona") if call.path != kona.TOKEN_PATH
    }
    assert len(used) == 2  # the expired token, then the one new token both replicas share


async def test_one_process_renews_once_for_many_concurrent_refusals(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, kona_access_token=kona.EXPIRED_ACCESS_TOKEN, **REFRESH)
    async with running_gateway(settings) as gateway:
        bodies = await asyncio.gather(*(gateway.query(QUERY) for _ in range(20)))
        again = await gateway.query(QUERY)
    assert all("errors" not in body for body in [*bodies, again])
    assert token_calls(sandbox) == 1


async def test_without_a_token_the_first_call_fetches_one(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, kona_access_token="", **REFRESH)
    async with running_gateway(settings) as gateway:
        first, second = await gateway.query(QUERY), await gateway.query(QUERY)
    assert "errors" not in first
    assert "errors" not in second
    assert token_calls(sandbox) == 1
    first_call = sandbox.calls("kona")[0]
    assert (first_call.path, first_call.headers.get("Authorization")) == (kona.TOKEN_PATH, None)


async def test_the_token_is_renewed_before_it_runs_out(sandbox: Sandbox) -> None:
    offset = 0.0
    async with aiohttp.ClientSession() as session:
        grant = RefreshGrant(
            provider="kona", session=session, token_url=f"{sandbox.base_url}/kona{kona.TOKEN_PATH}",
            client_id=kona.CLIENT_ID, client_secret=kona.CLIENT_SECRET, timeout=10, redactor=Redactor(),
        )  # fmt: skip
        bearer = RefreshingBearer(grant, kona.REFRESH_TOKEN, clock=lambda: time.time() + offset)
        await bearer.ready()
        assert bearer.token is not None
        first = bearer.token
        # Kona's tokens last a week; days later, nothing to do yet.
        offset = 6 * 86_400
        await bearer.ready()
        assert bearer.token is first
        # Within the last few minutes of its week, it is renewed before any call can be refused.
        offset = first.expires_at - time.time() - 60
        await bearer.ready()
    assert bearer.token is not first
    assert bearer.token.expires_at > first.expires_at
    assert token_calls(sandbox) == 2


async def test_a_refused_refresh_token_is_upstream_unauthorized_without_the_secret(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    revoked = "rt_revoked_4f7c2a9e1b3d"
    settings = settings_for(
        sandbox, kona_access_token=kona.EXPIRED_ACCESS_TOKEN, **(REFRESH | {"kona_refresh_token": revoked})
    )
    async with running_gateway(settings) as gateway:
        body = await gateway.query(QUERY)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAUTHORIZED"
    assert "KONA_CLIENT_ID" in error["message"]
    assert "invalid_grant" in error["message"]
    assert token_calls(sandbox) == 1
    logged = "\n".join(record.getMessage() + repr(vars(record)) for record in caplog.records)
    for secret in (revoked, kona.CLIENT_SECRET):
        assert secret not in str(body)
        assert secret not in logged


@dataclass
class TokenStandIn:
    """A Kona stand-in: its token endpoint answers `token_reply`; its API accepts `accepted` tokens."""

    token_reply: Callable[[], Awaitable[web.StreamResponse]]
    accepted: set[str] = field(default_factory=set)
    token_requests: int = 0
    api_calls: list[str] = field(default_factory=list)

    async def token(self, request: web.Request) -> web.StreamResponse:
        self.token_requests += 1
        return await self.token_reply()

    async def events(self, request: web.Request) -> web.Response:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.api_calls.append(sent)
        if sent not in self.accepted:
            return web.json_response({"title": "Unauthenticated", "details": "invalid token"}, status=401)
        return web.json_response({"calendar_events": []})


@asynccontextmanager
async def stand_in(
    sandbox: Sandbox, reply: Callable[[TokenStandIn], Awaitable[web.StreamResponse]], **overrides: Any
) -> AsyncIterator[tuple[TokenStandIn, Gateway]]:
    upstream = TokenStandIn(token_reply=lambda: reply(upstream))
    app = web.Application()
    app.router.add_post("/oauth/token", upstream.token)
    app.router.add_get("/api/calendar_events", upstream.events)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    settings = settings_for(
        sandbox, kona_access_token="", kona_base_url=str(server.make_url("/api")),
        kona_token_url=str(server.make_url("/oauth/token")), gateway_retries=0, **(REFRESH | overrides),
    )  # fmt: skip
    try:
        async with running_gateway(settings) as gateway:
            yield upstream, gateway
    finally:
        await server.close()


def issuing(**fields: Any) -> Callable[[TokenStandIn], Awaitable[web.StreamResponse]]:
    """A token reply with these fields, its access token accepted by the API."""

    async def reply(upstream: TokenStandIn) -> web.StreamResponse:
        token = fields.get("access_token")
        if isinstance(token, str):
            upstream.accepted.add(token)
        return web.json_response(fields)

    return reply


async def test_a_renewed_token_still_refused_is_reported_after_one_renewal(sandbox: Sandbox) -> None:
    async def never_accepted(upstream: TokenStandIn) -> web.StreamResponse:
        return web.json_response({"access_token": f"t{upstream.token_requests}", "expires_in": 3600})

    async with stand_in(sandbox, never_accepted) as (upstream, gateway):
        body = await gateway.query(QUERY)
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAUTHORIZED"
    # The first token fetched, refused; renewed once; refused again: reported, no loop.
    assert upstream.api_calls == ["t1", "t2"]
    assert upstream.token_requests == 2


@pytest.mark.parametrize("expires_in", [0, -5, 1e308, "soon", True, None, "3600", [1]], ids=repr)
async def test_any_expires_in_yields_a_bounded_lifetime(sandbox: Sandbox, expires_in: Any) -> None:
    fields = {"access_token": "tok-1", "token_type": "Bearer"}
    if expires_in is not None:
        fields["expires_in"] = expires_in
    async with stand_in(sandbox, issuing(**fields)) as (upstream, gateway):
        bodies = [await gateway.query(QUERY) for _ in range(3)]
    assert all("errors" not in body for body in bodies)
    # Even "0" or "-5" lasts MIN_LIFETIME: not one renewal per request.
    assert upstream.token_requests == 1
    assert MIN_LIFETIME >= 10


async def _html(upstream: TokenStandIn) -> web.StreamResponse:
    return web.Response(text="<html>login</html>", content_type="text/html")


async def _huge(upstream: TokenStandIn) -> web.StreamResponse:
    return web.json_response({"access_token": "x", "padding": "y" * 200_000})


async def _redirect(upstream: TokenStandIn) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"})


async def _failing(upstream: TokenStandIn) -> web.StreamResponse:
    return web.Response(status=500, text="oops")


async def _hanging(upstream: TokenStandIn) -> web.StreamResponse:
    await asyncio.sleep(3600)
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (issuing(access_token="bad token\r\nX-Injected: 1"), "UPSTREAM_ERROR"),
        (issuing(access_token=""), "UPSTREAM_ERROR"),
        (issuing(access_token=12345), "UPSTREAM_ERROR"),
        (issuing(access_token="tok", token_type="mac"), "UPSTREAM_ERROR"),
        (_html, "UPSTREAM_ERROR"),
        (_huge, "UPSTREAM_ERROR"),
        (_redirect, "UPSTREAM_ERROR"),
        (_failing, "UPSTREAM_ERROR"),
        (_hanging, "UPSTREAM_TIMEOUT"),
    ],
    ids=[
        "header-injection",
        "empty",
        "not-a-string",
        "not-bearer",
        "html",
        "huge",
        "redirect",
        "500",
        "hang",
    ],
)
async def test_a_hostile_token_endpoint_fails_the_request_cleanly(
    sandbox: Sandbox, reply: Callable[[TokenStandIn], Awaitable[web.StreamResponse]], code: str
) -> None:
    async with stand_in(sandbox, reply, gateway_upstream_timeout=1.0) as (upstream, gateway):
        body = await gateway.query(QUERY)
    [error] = body["errors"]
    assert error["extensions"] == {"code": code, "provider": "KONA"}
    assert upstream.api_calls == []  # nothing was sent with a token the gateway could not trust
