"""Finding and running the client tools of clients/ (node scripts, npm binaries, Python scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.node_tools import node_for

ROOT = Path(__file__).parents[2]
CLIENTS = ROOT / "clients"
INSTALL_HINT = "scripts/test installs them (npm ci --prefix clients)"


def node() -> str:
    """The node binary (and npm), once clients/'s packages are installed (see `tests.node_tools`)."""
    return node_for(CLIENTS, with_npm=True)


def bin_path(name: str) -> Path:
    """An installed package's command, e.g. `relay-compiler`."""
    path = CLIENTS / "node_modules" / ".bin" / name
    assert path.exists(), f"{name} is not installed in clients/node_modules: {INSTALL_HINT}"
    return path


def run(
    argv: list[str], *, cwd: Path = CLIENTS, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end; its output is returned, never printed."""
    return subprocess.run(  # noqa: S603 - the tests' own commands
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def run_json(argv: list[str], **kwargs: Any) -> dict[str, Any]:
    """Run a script that prints one JSON report; it must exit 0."""
    completed = run(argv, **kwargs)
    assert completed.returncode == 0, (
        f"{' '.join(argv[:3])} exited {completed.returncode}:\n{completed.stderr}\n{completed.stdout}"
    )
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def run_node(script: str, *args: str, **kwargs: Any) -> dict[str, Any]:
    """Run one of clients/'s node scripts (path relative to clients/) and decode its report."""
    return run_json([node(), str(CLIENTS / script), *args], **kwargs)


def run_python(script: str, *args: str, **kwargs: Any) -> dict[str, Any]:
    """Run one of clients/'s Python scripts with this interpreter (the dev extra has gql)."""
    return run_json([sys.executable, str(CLIENTS / script), *args], **kwargs)
