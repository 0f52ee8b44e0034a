"""The upstream session: what one caller's upstream reply sets never rides on another's request."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.edge.lifespan import open_session
from gateway.settings import Settings


async def test_cookies_an_upstream_sets_are_never_sent_back() -> None:
    received: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        received.append(request.headers.get("Cookie"))
        response = web.json_response({"ok": True})
        response.set_cookie("session", "first-callers-session")
        return response

    app = web.Application()
    app.router.add_get("/events", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = open_session(Settings.from_values({}))
    try:
        for _ in range(2):
            # By name: aiohttp's default jar keeps no cookies of a bare IP address.
            async with session.get(f"http://localhost:{server.port}/events") as response:
                assert response.status == 200
                assert "session" in response.cookies  # it was set, and offered
    finally:
        await session.close()
        await server.close()
    assert received == [None, None]
