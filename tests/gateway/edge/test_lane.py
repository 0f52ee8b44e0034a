"""`GraphQLLane` hands `POST /graphql` to its route's app with the scope Starlette's exception
middleware and router would have left, and answers what escapes it as they would."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway.edge.lane import GraphQLLane


class Recorder:
    """An ASGI app (as the view is) noting each scope it gets; `fail` is raised instead of answering."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.scopes: list[dict[str, Any]] = []
        self.fail = fail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(dict(scope))
        if self.fail is not None:
            raise self.fail
        await PlainTextResponse("ok")(scope, receive, send)


async def plain(request: Any) -> PlainTextResponse:
    return PlainTextResponse("plain")


def app_with(view: Recorder, lane: bool) -> Starlette:
    return Starlette(
        routes=[Route("/healthz", plain, methods=["GET"]), Route("/graphql", view)],
        middleware=[Middleware(GraphQLLane, path="/graphql")] if lane else [],
    )


async def call(app: Starlette, method: str = "POST", path: str = "/graphql") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        return await http.request(method, path, content=b"{}")


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_the_view_gets_the_scope_the_whole_stack_gives_it(method: str) -> None:
    laned, whole = Recorder(), Recorder()
    laned_app, whole_app = app_with(laned, lane=True), app_with(whole, lane=False)
    answers = [await call(laned_app, method), await call(whole_app, method)]
    assert [(answer.status_code, answer.text) for answer in answers] == [(200, "ok")] * 2
    ours, starlettes = laned.scopes[0], whole.scopes[0]
    handlers = []
    for scope, app, view in ((ours, laned_app, laned), (starlettes, whole_app, whole)):
        assert scope.pop("app") is app
        assert scope.pop("router") is app.router
        assert scope.pop("route") is app.router.routes[1]
        assert scope.pop("endpoint") is view
        handlers.append(scope.pop("starlette.exception_handlers"))
    assert list(ours) == list(starlettes)  # the same keys, in the same order
    assert ours == starlettes
    assert [[list(kinds) for kinds in pair] for pair in handlers] == [
        [[HTTPException, WebSocketException], []]
    ] * 2
    assert laned_app.middleware_stack is not None
    lane = laned_app.middleware_stack.app  # type: ignore[attr-defined]
    assert isinstance(lane, GraphQLLane)
    assert (lane._target is not None) == (method == "POST")  # it stands in for the router on a POST


async def test_other_requests_take_the_whole_stack() -> None:
    view = Recorder()
    app = app_with(view, lane=True)
    assert (await call(app, "GET", "/healthz")).text == "plain"
    assert (await call(app, "POST", "/healthz")).status_code == 405
    assert (await call(app, "POST", "/nowhere")).status_code == 404


@pytest.mark.parametrize("lane", [True, False])
async def test_an_http_exception_is_answered_as_starlette_answers_it(lane: bool) -> None:
    answer = await call(app_with(Recorder(HTTPException(418, "teapot")), lane=lane))
    assert (answer.status_code, answer.text) == (418, "teapot")


@pytest.mark.parametrize("lane", [True, False])
async def test_any_other_exception_is_a_500(lane: bool) -> None:
    answer = await call(app_with(Recorder(ValueError("broken")), lane=lane))
    assert answer.status_code == 500


async def test_a_route_with_methods_of_its_own_is_left_to_the_router() -> None:
    app = Starlette(
        routes=[Route("/graphql", plain, methods=["GET"])],
        middleware=[Middleware(GraphQLLane, path="/graphql")],
    )
    assert (await call(app, "POST")).status_code == 405
    assert app.middleware_stack is not None
    assert app.middleware_stack.app._target is None  # type: ignore[attr-defined]
