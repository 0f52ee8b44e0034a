"""The real gateway on a loopback port for node-driven checks, and finding the node tools they need."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gateway.app import create_app
from tests.harness import running_sandbox, settings_for

WEB = Path(__file__).parents[2] / "web"
INSTALL_HINT = "scripts/test installs it (npm ci --prefix web && npm run build --prefix web)"


def missing(what: str) -> None:
    """Skip when a tool is absent on a developer's machine; fail in CI, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: {INSTALL_HINT}")
    pytest.skip(f"{what} is missing: {INSTALL_HINT}")


def node() -> str:
    """The node binary, with web/'s packages installed."""
    found = shutil.which("node")
    if found is None:
        missing("node")
        raise AssertionError("unreachable")
    if not (WEB / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"web/node_modules is not installed: {INSTALL_HINT}")
    return found


def run_node(script: str, *args: str, timeout: float = 60) -> dict[str, Any]:
    """Run a script from web/ and decode the JSON report it prints."""
    completed = subprocess.run(  # noqa: S603 - fixed script, arguments from the test itself
        [node(), str(WEB / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=WEB,
    )
    assert completed.returncode == 0, f"{script} failed ({completed.returncode}): {completed.stderr}"
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


@dataclass(frozen=True)
class LiveGateway:
    """The gateway served by uvicorn on 127.0.0.1, wired to the sandbox."""

    base_url: str

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"


class _Server(uvicorn.Server):
    """uvicorn that tells another thread when it accepts connections, and on which port."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready
        self.port = 0

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.port = self.servers[0].sockets[0].getsockname()[1]
            self.ready.set()


class _GatewayThread(threading.Thread):
    """Sandbox and gateway on their own event loop, so node can reach them while tests block."""

    def __init__(self) -> None:
        super().__init__(name="live-gateway", daemon=True)
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.server: _Server | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to the test thread, which re-raises it
            self.error = error
        finally:
            self.ready.set()

    async def _serve(self) -> None:
        async with running_sandbox() as sandbox:
            config = uvicorn.Config(
                create_app(settings_for(sandbox)),
                host="127.0.0.1",
                port=0,
                ws="none",
                lifespan="on",
                log_config=None,
                access_log=False,
            )
            self.server = _Server(config, self.ready)
            await self.server.serve()

    @property
    def port(self) -> int:
        return self.server.port if self.server is not None else 0

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.join(timeout=10)


@pytest.fixture(scope="session")
def live_gateway() -> Iterator[LiveGateway]:
    thread = _GatewayThread()
    thread.start()
    thread.ready.wait(timeout=15)
    if thread.error is not None or not thread.port:
        thread.stop()
        raise RuntimeError("the gateway did not start") from thread.error
    try:
        yield LiveGateway(f"http://127.0.0.1:{thread.port}")
    finally:
        thread.stop()
