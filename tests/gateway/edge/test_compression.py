"""`Compression` sends what Starlette's `GZipMiddleware` sends, message for message and in the same
order relative to the app's own steps, whatever the response."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.compression import Compression

MINIMUM = 1024
SMALL, LARGE = b"x" * 100, b"event " * 1000
JSON = [(b"content-type", b"application/json")]

#: Responses as the app sends them: its messages, in order.
RESPONSES: dict[str, list[Message]] = {
    "small": [
        {"type": "http.response.start", "status": 200, "headers": [*JSON, (b"content-length", b"100")]},
        {"type": "http.response.body", "body": SMALL},
    ],
    "large": [
        {"type": "http.response.start", "status": 200, "headers": [*JSON, (b"content-length", b"6000")]},
        {"type": "http.response.body", "body": LARGE},
    ],
    "no-headers": [{"type": "http.response.start", "status": 200}, {"type": "http.response.body"}],
    "streamed": [
        {"type": "http.response.start", "status": 200, "headers": JSON},
        {"type": "http.response.body", "body": SMALL, "more_body": True},
        {"type": "http.response.body", "body": LARGE, "more_body": True},
        {"type": "http.response.body", "body": b""},
    ],
    "event-stream": [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]},
        {"type": "http.response.body", "body": LARGE, "more_body": True},
        {"type": "http.response.body", "body": b""},
    ],
    "image": [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"Image/PNG; q=1")]},
        {"type": "http.response.body", "body": LARGE},
    ],
    "grpc": [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/grpc+proto")],
        },
        {"type": "http.response.body", "body": LARGE},
    ],
    "encoded": [
        {"type": "http.response.start", "status": 200, "headers": [*JSON, (b"content-encoding", b"br")]},
        {"type": "http.response.body", "body": LARGE},
    ],
    "partial": [
        {"type": "http.response.start", "status": 206, "headers": JSON},
        {"type": "http.response.body", "body": LARGE},
    ],
    "vary": [
        {"type": "http.response.start", "status": 200, "headers": [*JSON, (b"vary", b"Accept")]},
        {"type": "http.response.body", "body": LARGE},
    ],
    "early-hint": [
        {"type": "http.response.early_hint", "links": ["</style.css>; rel=preload"]},
        {"type": "http.response.start", "status": 200, "headers": JSON},
        {"type": "http.response.body", "body": SMALL},
    ],
    "hint-after-start": [
        {"type": "http.response.start", "status": 200, "headers": JSON},
        {"type": "http.response.early_hint", "links": []},
        {"type": "http.response.body", "body": SMALL},
    ],
    "pathsend": [
        {"type": "http.response.start", "status": 200, "headers": JSON},
        {"type": "http.response.pathsend", "path": "/tmp/page"},
    ],
    "trailers": [
        {"type": "http.response.start", "status": 200, "headers": JSON, "trailers": True},
        {"type": "http.response.body", "body": LARGE},
        {"type": "http.response.trailers", "headers": [], "more_trailers": False},
    ],
    "after-small": [
        {"type": "http.response.start", "status": 200, "headers": JSON},
        {"type": "http.response.body", "body": SMALL},
        {"type": "http.response.body", "body": SMALL},
    ],
}


def app_sending(messages: list[Message], log: list[Any]) -> ASGIApp:
    """An app sending copies of `messages`, noting in `log` when it sends each."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for index, message in enumerate(messages):
            log.append(("app sends", index))
            await send(
                {**message, "headers": list(message["headers"])} if "headers" in message else {**message}
            )

    return app


async def run(middleware: type[GZipMiddleware], messages: list[Message], accept: bytes) -> list[Any]:
    log: list[Any] = []

    async def send(message: Message) -> None:
        if message.get("type") == "http.response.body" and message.get("body", b"")[:2] == b"\x1f\x8b":
            message = {**message, "body": ("gzip", len(message["body"]))}
        log.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    wrapped = middleware(app_sending(messages, log), minimum_size=MINIMUM, compresslevel=1)
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", accept)]}
    await wrapped(scope, receive, send)
    return log


@pytest.mark.parametrize("accept", [b"gzip, deflate", b"br"])
@pytest.mark.parametrize("name", sorted(RESPONSES))
async def test_compression_sends_what_starlette_sends(name: str, accept: bytes) -> None:
    ours = await run(Compression, RESPONSES[name], accept)
    starlettes = await run(GZipMiddleware, RESPONSES[name], accept)
    assert ours == starlettes


async def test_a_large_answer_is_compressed() -> None:
    sent = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    wrapped = Compression(app_sending(RESPONSES["large"], []), minimum_size=MINIMUM, compresslevel=1)
    await wrapped({"type": "http", "headers": [(b"accept-encoding", b"gzip")]}, receive, send)
    assert (b"content-encoding", b"gzip") in sent[0]["headers"]
    assert gzip.decompress(sent[1]["body"]) == LARGE
