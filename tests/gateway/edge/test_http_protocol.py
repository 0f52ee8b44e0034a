"""The served gateway's limits on what a client holds before its request runs, over raw sockets on
127.0.0.1 against uvicorn configured as `event-gateway serve` configures it: a request head has a
deadline (GATEWAY_HEADER_TIMEOUT) and a size (GATEWAY_MAX_HEADER_BYTES), and connections beyond
GATEWAY_MAX_CONNECTIONS are refused with 503. Waits are generous bounds, never measured."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import running_sandbox, settings_for

#: Far beyond the 1 s deadline the tests set: only a server that never closes reaches it.
BOUND = 30.0
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: gateway.test\r\n"


@contextlib.asynccontextmanager
async def gateway(**overrides: Any) -> AsyncIterator[tuple[str, int]]:
    """The gateway served with these settings; yields (host, port)."""
    async with running_sandbox() as sandbox:
        settings = settings_for(sandbox, **overrides)
        async with serving(create_app(settings), settings) as url:
            host, port = url.removeprefix("http://").split(":")
            yield host, int(port)


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (or resets it)."""
    received = b""
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65_536):
            received += chunk
    return received


async def trickle(writer: asyncio.StreamWriter) -> None:
    """A slowloris: one more header line every 200 ms, never the blank line that ends the head."""
    with contextlib.suppress(ConnectionError):
        for number in range(1_000):
            writer.write(f"X-Slow-{number}: x\r\n".encode())
            await writer.drain()
            await asyncio.sleep(0.2)


async def test_heads_that_never_complete_are_closed() -> None:
    async with gateway(gateway_header_timeout=1.0) as (host, port):
        trickling = [await asyncio.open_connection(host, port) for _ in range(30)]
        idle = [await asyncio.open_connection(host, port) for _ in range(10)]
        for _, writer in trickling:
            writer.write(HEALTHZ)
        senders = [asyncio.create_task(trickle(writer)) for _, writer in trickling]
        answers = await asyncio.wait_for(
            asyncio.gather(*(until_closed(reader) for reader, _ in [*trickling, *idle])), BOUND
        )
        for sender in senders:
            sender.cancel()
        fresh_reader, fresh_writer = await asyncio.open_connection(host, port)
        fresh_writer.write(HEALTHZ + b"Connection: close\r\n\r\n")
        fresh = await asyncio.wait_for(until_closed(fresh_reader), BOUND)
        for _, writer in [*trickling, *idle, (fresh_reader, fresh_writer)]:
            writer.close()

    assert sum(answer.startswith(b"HTTP/1.1 408 ") for answer in answers[:30]) == 30
    assert b'"code":"BAD_REQUEST"' in answers[0]
    assert answers[30:] == [b""] * 10  # nothing was asked: the connection just ends
    assert fresh.startswith(b"HTTP/1.1 200 ")  # the server itself is fine


async def send_head(host: str, port: int, headers: bytes) -> bytes:
    """A GET with `headers` (complete lines), its answer read while it is still being written."""
    reader, writer = await asyncio.open_connection(host, port)
    answer = asyncio.create_task(until_closed(reader))
    with contextlib.suppress(ConnectionError):
        writer.write(HEALTHZ + headers + b"Connection: close\r\n\r\n")
        await writer.drain()
    received = await asyncio.wait_for(answer, BOUND)
    writer.close()
    return received


async def test_oversized_heads_get_431_and_a_closed_connection() -> None:
    async with gateway() as (host, port):
        eight_mb = await send_head(
            host, port, b"".join(b"X-Big-%d: %s\r\n" % (n, b"a" * 8_000) for n in range(1_000))
        )
        one_header = await send_head(host, port, b"X-Huge: " + b"a" * 200_000 + b"\r\n")
        long_url = await send_head(host, port, b"X-Url: /graphql?" + b"q" * 70_000 + b"\r\n")
        within = await send_head(host, port, b"X-Fine: " + b"a" * 60_000 + b"\r\n")

    for answer in (eight_mb, one_header, long_url):
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        body = orjson.loads(answer.partition(b"\r\n\r\n")[2])
        assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
        assert "65536 bytes" in body["errors"][0]["message"]
    assert within.startswith(b"HTTP/1.1 200 ")


async def test_connections_beyond_the_limit_get_503() -> None:
    async with gateway(gateway_max_connections=20) as (host, port):
        held = [await asyncio.open_connection(host, port) for _ in range(20)]
        beyond = [await asyncio.open_connection(host, port) for _ in range(5)]
        refused = await asyncio.wait_for(
            asyncio.gather(*(until_closed(reader) for reader, _ in beyond)), BOUND
        )
        for _, writer in held:
            writer.close()
        for _, writer in beyond:
            writer.close()

    assert [answer.split(b"\r\n", 1)[0] for answer in refused] == [b"HTTP/1.1 503 Service Unavailable"] * 5


async def test_a_later_head_on_a_kept_alive_connection_has_its_own_deadline() -> None:
    async with gateway(gateway_header_timeout=1.0) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(HEALTHZ + b"\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), BOUND)
        length = int(head.lower().partition(b"content-length: ")[2].partition(b"\r\n")[0])
        await reader.readexactly(length)
        writer.write(HEALTHZ)  # the second request's head never ends
        sender = asyncio.create_task(trickle(writer))
        second = await asyncio.wait_for(until_closed(reader), BOUND)
        sender.cancel()
        writer.close()

    assert head.startswith(b"HTTP/1.1 200 ")
    assert second.startswith(b"HTTP/1.1 408 ")
