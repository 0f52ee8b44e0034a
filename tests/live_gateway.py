"""The real gateway served by uvicorn on a free loopback port, in a thread of its own.

The client tools run as subprocesses that the test waits on, so the gateway and the sandbox need an
event loop that keeps turning meanwhile: their own, in a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from gateway.app import create_app
from gateway.edge.http_protocol import server_config
from gateway.sandbox.recorder import Fault
from tests.harness import Sandbox, running_sandbox, settings_for

#: No retries and a breaker that never opens: a fault a test injects ends with that test.
RESILIENCE_OFF: dict[str, Any] = {"gateway_retries": 0, "gateway_breaker_failures": 1_000_000}


@dataclass(frozen=True)
class LiveGateway:
    """A gateway on 127.0.0.1 wired to its own sandbox, whose faults a test may set."""

    base_url: str
    sandbox: Sandbox

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @contextlib.contextmanager
    def failing(self, provider: str) -> Iterator[None]:
        """Every call to `provider`'s emulator answers 503 while inside the block."""
        self.sandbox.log.faults[provider] = Fault(error_rate=1.0, status=503)
        try:
            yield
        finally:
            self.sandbox.log.faults.pop(provider, None)


class _Server(uvicorn.Server):
    """uvicorn that says when it accepts connections, and leaves pytest's signal handlers alone."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready
        self.port = 0

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.port = self.servers[0].sockets[0].getsockname()[1]
            self.ready.set()


class _GatewayThread(threading.Thread):
    def __init__(self, overrides: dict[str, Any]) -> None:
        super().__init__(name="live-gateway", daemon=True)
        self.overrides = overrides
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.server: _Server | None = None
        self.sandbox: Sandbox | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # handed to the test thread, which raises it
            self.error = error
        finally:
            self.ready.set()

    async def _serve(self) -> None:
        async with running_sandbox() as sandbox:
            self.sandbox = sandbox
            settings = settings_for(sandbox, **self.overrides)
            config = server_config(
                create_app(settings),
                settings,
                host="127.0.0.1",
                port=0,
                ws="none",
                lifespan="on",
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=5,
            )
            self.server = _Server(config, self.ready)
            await self.server.serve()

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.join(timeout=15)


@contextlib.contextmanager
def serving_gateway(**overrides: Any) -> Iterator[LiveGateway]:
    """Serve the gateway (settings as field names, e.g. `gateway_max_batch=3`) until the block ends."""
    thread = _GatewayThread(overrides)
    thread.start()
    thread.ready.wait(timeout=30)
    try:
        if (
            thread.error is not None
            or thread.server is None
            or thread.sandbox is None
            or not thread.server.port
        ):
            raise RuntimeError("the gateway did not start") from thread.error
        yield LiveGateway(f"http://127.0.0.1:{thread.server.port}", thread.sandbox)
    finally:
        thread.stop()
