"""node for the tests that drive npm packages (clients/, clients/calendar, clients/live, web/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def install_hint(project: Path) -> str:
    """How `project`'s packages get installed."""
    name = project.relative_to(ROOT)
    return f"scripts/test installs them (npm ci --prefix {name})"


def node_for(project: Path, *, with_npm: bool = False) -> str:
    """The node binary, once `project`'s npm packages are installed.

    Without node (or npm, `with_npm`) a developer's run skips the test; CI (where `CI` is set) must
    have it and fails. Missing packages fail everywhere: `scripts/test` installs them."""
    hint = install_hint(project)
    found = shutil.which("node")
    if found is None or (with_npm and shutil.which("npm") is None):
        what = "node/npm are" if with_npm else "node is"
        if os.environ.get("CI"):
            pytest.fail(f"{what} missing in CI: {hint}")
        pytest.skip(f"{what} missing: {hint}")
    if not (project / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"{project.relative_to(ROOT)}/node_modules is not installed: {hint}")
    return found
