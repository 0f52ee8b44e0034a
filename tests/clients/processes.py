"""Servers a test starts as subprocesses (a subgraph, a federation gateway), and stops again."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

#: How long a server may take to start on a loaded CI machine before the test gives up.
START_TIMEOUT = 90.0


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def background(argv: list[str], log: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` in its own process group (output to `log`) and end the whole group afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - the tests' own commands
            argv, stdout=output, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `ready` until it holds; fail with the server's output if it exits or never gets there."""
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{process.args!r} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def answers(url: str) -> Callable[[], bool]:
    """Whether `url` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    return check
