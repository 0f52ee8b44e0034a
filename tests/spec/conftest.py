"""The real gateway on a loopback port for node-driven checks, and finding the node tools they need."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_gateway import LiveGateway as LiveGateway  # the spec tests import it from here
from tests.live_gateway import serving_gateway
from tests.node_tools import node_for

WEB = Path(__file__).parents[2] / "web"
INSTALL_HINT = "scripts/test installs it (npm ci --prefix web && npm run build --prefix web)"


def missing(what: str) -> None:
    """Skip when a tool is absent on a developer's machine; fail in CI, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: {INSTALL_HINT}")
    pytest.skip(f"{what} is missing: {INSTALL_HINT}")


def node() -> str:
    """The node binary, with web/'s packages installed (see `tests.node_tools`)."""
    return node_for(WEB)


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


@pytest.fixture(scope="session")
def live_gateway() -> Iterator[LiveGateway]:
    with serving_gateway() as gateway:
        yield gateway
