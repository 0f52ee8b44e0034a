"""`POST /graphql` straight to its route's app, past Starlette's exception middleware and router.

For every request Starlette's `ExceptionMiddleware` builds a `Request` and wraps `send`, and its
router matches the path against each route in turn: ~9 µs of a `{ __typename }`, for the one
route that nearly every request takes. `GraphQLLane`, the innermost of the app's middleware (so
its `app` is that `ExceptionMiddleware`), finds once which route the router gives a `POST` of
the path, and from then on leaves the request's scope as those two would leave it (the
exception handlers, `router`, `route`, `endpoint`, `path_params`) and calls the route's app
itself. An exception escaping it meets the middleware's own handling (`HTTPException` answered
as Starlette answers it, anything else re-raised). Any other request, or a route the lane cannot
stand in for, takes the whole stack.
"""

from __future__ import annotations

from typing import Any

from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.routing import Match, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

#: The exception handlers (ExceptionMiddleware's pair), the router and the route of the lane.
Target = tuple[tuple[Any, Any], Router, Route]


class GraphQLLane:
    """Sends `POST <path>` (no root path) to its route's app as the router would (module docstring)."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path
        self._looked_up = False
        self._target: Target | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] != "POST"
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        if not self._looked_up:
            self._target, self._looked_up = self._find(), True
        target = self._target
        if target is None:
            await self.app(scope, receive, send)
            return
        handlers, router, route = target
        # What ExceptionMiddleware and Router.app put in the scope, in their order.
        scope["starlette.exception_handlers"] = handlers
        if "router" not in scope:
            scope["router"] = router
        scope["route"] = route
        scope["endpoint"] = route.endpoint
        scope["path_params"] = dict(scope.get("path_params", {}))
        try:
            await route.app(scope, receive, send)
        except Exception as error:
            # ExceptionMiddleware's handling, of an exception raised before the response started
            # (the view sends its response last: an error while sending is the server's own).
            raised = error

            async def raising(scope: Scope, receive: Receive, send: Send) -> None:
                raise raised

            await wrap_app_handling_exceptions(raising, Request(scope, receive, send))(scope, receive, send)

    def _find(self) -> Target | None:
        """The exception handlers, router and route the whole stack would give this request, if the
        lane can stand in for them: a plain router whose first match for it is a full one, of a
        `Route` without methods of its own (that would answer 405 itself)."""
        middleware = self.app
        if type(middleware) is not ExceptionMiddleware:
            return None
        router = middleware.app
        if type(router) is not Router or router.middleware_stack != router.app:
            return None
        probe = {"type": "http", "method": "POST", "path": self.path, "root_path": ""}
        for route in router.routes:
            match, _ = route.matches(probe)
            if match is Match.NONE:
                continue
            if match is not Match.FULL or type(route) is not Route or route.methods:
                return None
            handlers = (middleware._exception_handlers, middleware._status_handlers)
            return handlers, router, route
        return None
