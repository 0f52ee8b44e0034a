"""What every emulator shares: the call log tests assert on, and per-provider fault injection."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One request an emulator received, as the upstream would have seen it."""

    provider: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for the sandbox's `/_sandbox/calls` endpoint)."""
        return {
            "provider": self.provider,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
        }


@dataclass(slots=True)
class Fault:
    """Misbehaviour to inject into one provider's emulator.

    `latency` is added to every answer; with probability `error_rate` the answer is replaced by
    `status` (and `Retry-After: retry_after` when set); `hang` never answers.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    status: int = 503
    retry_after: int | None = None
    hang: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """Build a fault from the `/_sandbox/faults/{provider}` request body."""
        return cls(
            latency=float(data.get("latency", 0.0)),
            error_rate=float(data.get("error_rate", 0.0)),
            status=int(data.get("status", 503)),
            retry_after=None if data.get("retry_after") is None else int(data["retry_after"]),
            hang=bool(data.get("hang", False)),
        )


@dataclass(slots=True)
class CallLog:
    """Every request the sandbox received, in order, plus the faults currently injected."""

    calls: list[RecordedCall] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def of(self, provider: str) -> list[RecordedCall]:
        """The calls one provider's emulator received."""
        return [call for call in self.calls if call.provider == provider]

    def clear(self) -> None:
        """Forget the recorded calls (faults stay)."""
        self.calls.clear()


def _decode_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "json" in content_type:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def recording_middleware(provider: str, log: CallLog) -> Middleware:
    """An aiohttp middleware that records each request and applies the provider's injected fault."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = await request.read()
        log.calls.append(
            RecordedCall(
                provider=provider,
                method=request.method,
                # Emulators are mounted at /{provider} in the sandbox; record the API-relative path.
                path=request.rel_url.path.removeprefix(f"/{provider}") or "/",
                query=dict(request.rel_url.query),
                headers={str(key): value for key, value in request.headers.items()},
                body=_decode_body(raw, request.content_type),
            )
        )
        fault = log.faults.get(provider)
        if fault is not None:
            if fault.hang:
                await asyncio.sleep(3600)
            if fault.latency:
                await asyncio.sleep(fault.latency)
            if fault.error_rate and log.rng.random() < fault.error_rate:
                headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                return web.Response(status=fault.status, text="injected fault", headers=headers)
        return await handler(request)

    return middleware


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """An orjson-encoded JSON response."""
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", headers=headers
    )


async def read_json(request: web.Request) -> Any:
    """The request body decoded as JSON, or None when it is empty or not JSON."""
    raw = await request.read()
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
