"""clients/relay compiled by relay-compiler in a scratch copy, against a given schema."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.clients.tools import CLIENTS, node, run

ARTIFACTS = "src/__generated__"


@dataclass(frozen=True)
class RelayProject:
    """A compiled copy of clients/relay: its artifacts and the persisted documents it wrote."""

    root: Path

    @property
    def documents(self) -> dict[str, str]:
        """What Relay's persistConfig wrote: document hash → document text."""
        documents: dict[str, str] = json.loads((self.root / "persisted-documents.json").read_text())
        return documents

    def artifact(self, name: str) -> str:
        return (self.root / ARTIFACTS / f"{name}.graphql.js").read_text()


def compile_relay(root: Path, schema: Path) -> tuple[RelayProject, str]:
    """Copy the project's sources to `root`, compile them against `schema`; (project, compiler log)."""
    shutil.copytree(CLIENTS / "relay" / "src", root / "src", ignore=shutil.ignore_patterns("__generated__"))
    shutil.copy(CLIENTS / "relay" / "relay.config.json", root)
    shutil.copy(schema, root / "schema.graphql")
    # persistConfig's file must exist before the first compile.
    (root / "persisted-documents.json").write_text("{}")
    compiled = run([node(), str(CLIENTS / "node_modules" / "relay-compiler" / "cli.js")], cwd=root)
    log = compiled.stdout + compiled.stderr
    assert compiled.returncode == 0, f"relay-compiler failed:\n{log}"
    return RelayProject(root), log


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
