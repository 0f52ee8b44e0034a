"""CORS: Starlette's middleware, with a fast path for requests that carry no `Origin` header.

Only browsers send `Origin`; every other caller (servers, scripts, the benchmarks) gets exactly
what Starlette would answer (`Vary: Origin` joined onto the response's `Vary`) from one scan of
the raw headers, without Starlette's header objects and wrapped `send` per request. Preflight
headers are computed once by Starlette itself, at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send


class GatewayCORS(CORSMiddleware):
    """`CORSMiddleware`, answering requests without `Origin` on a fast path (module docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, _varying_on_origin(send))
            return
        await super().__call__(scope, receive, send)


def _varying_on_origin(send: Send) -> Send:
    async def varied(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = with_vary_origin(message.get("headers", ()))
        await send(message)

    return varied


def with_vary_origin(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` with `Origin` joined onto their `Vary` values, in the first `Vary`'s place (or last),
    as Starlette's `MutableHeaders["Vary"] = ", ".join([*getlist("Vary"), "Origin"])` leaves them."""
    raw = list(headers)
    places = [index for index, (name, _) in enumerate(raw) if name == b"vary"]
    joined = b", ".join([*(raw[index][1] for index in places), b"Origin"])
    if not places:
        raw.append((b"vary", joined))
        return raw
    raw[places[0]] = (b"vary", joined)
    for index in reversed(places[1:]):
        del raw[index]
    return raw
