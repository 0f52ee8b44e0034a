"""`BodyRequest.body()` reads what Starlette's `Request.body()` reads, and fails as it fails."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request

from gateway.edge.view import BodyRequest

SCOPE = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
BODIES: dict[str, list[dict[str, Any]]] = {
    "one message": [{"type": "http.request", "body": b'{"query": "{ __typename }"}'}],
    "chunked": [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": False},
    ],
    "empty": [{"type": "http.request"}],
    "gone": [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}],
}


def receiver(messages: list[dict[str, Any]]) -> Any:
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    return receive


async def outcome(request: Request) -> tuple[Any, ...]:
    try:
        first = await request.body()
    except ClientDisconnect:
        return ("disconnect", request._is_disconnected)
    return (first, await request.body(), request._stream_consumed)


@pytest.mark.parametrize("name", sorted(BODIES))
async def test_a_body_is_read_as_starlette_reads_it(name: str) -> None:
    ours = await outcome(BodyRequest(SCOPE, receiver(BODIES[name])))
    starlettes = await outcome(Request(SCOPE, receiver(BODIES[name])))
    assert ours == starlettes


async def test_a_consumed_stream_is_refused_as_starlette_refuses_it() -> None:
    request = BodyRequest(SCOPE, receiver(BODIES["one message"]))
    async for _ in request.stream():
        pass
    with pytest.raises(RuntimeError, match="Stream consumed"):
        await request.body()
