"""Related objects of the wrong shape from a hostile upstream (Strigo's classes: no id, another id,
not an object, fields of the wrong type), answered by a compiled and a stock gateway alike."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, cast

import orjson
from aiohttp import web

from gateway.sandbox.emulators import emulator
from gateway.sandbox.recorder import CallLog
from tests.gateway.execution.test_execution_differential import UNLIMITED, _unclock
from tests.harness import running_gateway, running_sandbox, settings_for

SHAPES: list[Any] = [
    {},
    {"id": 5, "name": ["not", "text"], "labels": "one"},
    [],
    "a string",
    None,
    {"id": "someone-else", "name": "Impostor"},
    {"id": None, "name": "No id"},
    {"data": {"id": "wrapped"}},
    {"id": "x", "name": "\u0000\ud7ff", "labels": [1, None, {"a": 1}], "description": 3.5},
]


def _hostile() -> Callable[[CallLog], web.Application]:
    def create_app(log: CallLog) -> web.Application:
        app = emulator("strigo").create_app(log)
        shapes = itertools.cycle(SHAPES)
        by_id: dict[str, Any] = {}

        @web.middleware
        async def hostile(request: web.Request, handler: Any) -> web.StreamResponse:
            parts = request.path.rstrip("/").split("/")
            if request.method == "GET" and "classes" in parts:
                if parts[-1] == "classes":
                    return web.json_response([next(shapes) for _ in range(5)])
                return web.json_response(by_id.setdefault(parts[-1], next(shapes)))
            return cast(web.StreamResponse, await handler(request))

        app.middlewares.append(hostile)
        return app

    return create_app


QUERY = "{ strigoEvents { id classId class { id providerId name description labels raw } } }"


async def test_wrong_shaped_classes_answer_alike() -> None:
    answers = []
    for compiled in (True, False):
        async with running_sandbox({"strigo": _hostile()}) as sandbox:
            settings = settings_for(sandbox, gateway_compiled_execution=compiled, **UNLIMITED)
            async with running_gateway(settings) as gateway:
                response = await gateway.http.post("/graphql", json={"query": QUERY})
                decoded = response.json()
                _unclock(decoded)
                answers.append((response.status_code, orjson.dumps(decoded)))
    assert b'"class":null' in answers[0][1] or b'"errors"' in answers[0][1]
    assert answers[0] == answers[1]
