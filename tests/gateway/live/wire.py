"""Test clients of the live transports: graphql-transport-ws and graphql-sse over real sockets.

Both wait for messages with generous timeouts (the CI machine is loaded) and never assert on time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import Sandbox, settings_for

#: Seconds to wait for one expected message: many poll intervals, on a slow machine.
WAIT = 30.0
SUBSCRIPTION = """subscription($filter: EventFilter) {
  eventChanges(filter: $filter) { kind id at event { id title startsAt ... on StrigoEvent { name } } }
}"""


#: Poll every fifth of a second in tests: changes arrive quickly, polls stay cheap.
INTERVAL = 0.2


@contextlib.asynccontextmanager
async def live_gateway(sandbox: Sandbox, **overrides: Any) -> AsyncIterator[str]:
    """The real app on a real uvicorn (WebSockets, streaming), wired to the sandbox; its base URL."""
    settings = settings_for(sandbox, **{"gateway_poll_interval": INTERVAL, **overrides})
    async with serving(create_app(settings)) as base_url:
        yield base_url


@dataclass
class TransportWS:
    """One graphql-transport-ws connection; messages arrive in order, per operation id."""

    ws: aiohttp.ClientWebSocketResponse
    inbox: dict[str, asyncio.Queue[dict[str, Any]]] = field(default_factory=dict)
    reader: asyncio.Task[None] | None = None
    close_reason: str = ""

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """`connection_init`; the server's first answer (`connection_ack`)."""
        message: dict[str, Any] = {"type": "connection_init"}
        if payload is not None:
            message["payload"] = payload
        await self.ws.send_json(message)
        ack: dict[str, Any] = await asyncio.wait_for(self.ws.receive_json(), WAIT)
        self.reader = asyncio.create_task(self._read())
        return ack

    async def subscribe(
        self, id: str, query: str = SUBSCRIPTION, variables: dict[str, Any] | None = None
    ) -> None:
        """Start an operation."""
        self.inbox.setdefault(id, asyncio.Queue())
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send_json({"type": "subscribe", "id": id, "payload": payload})

    async def complete(self, id: str) -> None:
        """Stop an operation."""
        await self.ws.send_json({"type": "complete", "id": id})

    async def message(self, id: str, wait: float = WAIT) -> dict[str, Any]:
        """The operation's next message (`next`, `error` or `complete`)."""
        return await asyncio.wait_for(self.inbox.setdefault(id, asyncio.Queue()).get(), wait)

    async def change(self, id: str, wait: float = WAIT) -> dict[str, Any]:
        """The operation's next `eventChanges` value (its message must be a `next` with data)."""
        message = await self.message(id, wait)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        change: dict[str, Any] = message["payload"]["data"]["eventChanges"]
        return change

    async def closed(self) -> tuple[int | None, str]:
        """Wait for the server to close the socket: its close code and reason."""
        if self.reader is None:
            self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(asyncio.shield(self.reader), WAIT)
        return self.ws.close_code, self.close_reason

    async def _read(self) -> None:
        while True:
            received = await self.ws.receive()
            if received.type != aiohttp.WSMsgType.TEXT:
                if received.type == aiohttp.WSMsgType.CLOSE:
                    self.close_reason = str(received.extra or "")
                return
            message = received.json()
            self.inbox.setdefault(str(message.get("id")), asyncio.Queue()).put_nowait(message)


@contextlib.asynccontextmanager
async def transport_ws(
    base_url: str, headers: dict[str, str] | None = None, init: dict[str, Any] | None = None
) -> AsyncIterator[TransportWS]:
    """An acknowledged graphql-transport-ws connection to `base_url`'s /graphql."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("graphql-transport-ws",), headers=headers or {}) as ws,
    ):
        client = TransportWS(ws)
        ack = await client.init(init)
        assert ack == {"type": "connection_ack"}, ack
        try:
            yield client
        finally:
            if client.reader is not None:
                client.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await client.reader


@dataclass
class EventStream:
    """One graphql-sse stream (distinct connections mode): its events, in order."""

    response: aiohttp.ClientResponse

    async def event(self, wait: float = WAIT) -> tuple[str, str]:
        """The next event's name and data, skipping keep-alive comments."""
        lines: list[str] = []
        while True:
            raw = await asyncio.wait_for(self.response.content.readline(), wait)
            if not raw:
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\r\n")
            if line:
                lines.append(line)
                continue
            fields = dict(entry.partition(": ")[::2] for entry in lines)
            lines = []
            if "event" in fields:
                return fields["event"], fields.get("data", "")

    async def change(self, wait: float = WAIT) -> dict[str, Any]:
        """The next `eventChanges` value."""
        name, data = await self.event(wait)
        assert name == "next", (name, data)
        body = json.loads(data)
        assert "errors" not in body, body
        change: dict[str, Any] = body["data"]["eventChanges"]
        return change


@contextlib.asynccontextmanager
async def event_stream(
    base_url: str,
    query: str = SUBSCRIPTION,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[EventStream]:
    """A POST to /graphql with `Accept: text/event-stream`, streaming."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            base_url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Accept": "text/event-stream", **(headers or {})},
        ) as response,
    ):
        yield EventStream(response)


_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


async def metric(base_url: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples in the gateway's /metrics whose labels include `labels`."""
    async with aiohttp.ClientSession() as session, session.get(base_url + "/metrics") as response:
        text = await response.text()
    total = 0.0
    for line in text.splitlines():
        found = _SAMPLE.match(line)
        if found is None or found["name"] != name:
            continue
        present = dict(re.findall(r'(\w+)="([^"]*)"', found["labels"] or ""))
        if all(present.get(key) == value for key, value in labels.items()):
            total += float(found["value"])
    return total


async def until(check: Any, what: str, wait: float = WAIT) -> None:
    """Wait until the async predicate `check()` holds (polling briefly), or fail saying `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)
