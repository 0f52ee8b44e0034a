"""The provider seam stays whole and the layers point down.

Every registered provider has a module in each layer (a client with its settings, an emulator,
GraphQL types, resolvers) and a `Provider` member; nothing in those layers belongs to no provider;
every gateway module sits in an import-linter layer, and the contracts hold.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gateway.sandbox.emulators import emulator
from resolvers.registry import NAMES, PROVIDERS
from schema.event import Provider

ROOT = Path(__file__).parents[1]
LAYERS = ("gateway/providers", "gateway/sandbox", "schema", "resolvers")
#: Modules of those layers that every provider shares.
SHARED = {
    "gateway/providers": {"__init__", "base"},
    "gateway/sandbox": {"__init__", "recorder", "server", "emulators", "churn"},
    "schema": {
        "__init__", "event", "payloads", "scalars", "validation", "status", "build", "local_days",
        "recurrence", "federation", "feed", "views", "changes",
    },
    "resolvers": {
        "__init__", "provider", "provider_events", "provider_objects", "registry", "mutations", "events",
        "nodes", "cursor", "status", "root", "federation", "feed", "event_changes",
    },
}  # fmt: skip


def _stems(layer: str) -> set[str]:
    folder = ROOT / layer
    return {path.stem for path in folder.glob("*.py")} | {
        path.parent.name for path in folder.glob("*/__init__.py")
    }


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("layer", LAYERS)
def test_each_registered_provider_has_a_module_in_each_layer(layer: str, name: str) -> None:
    assert name in _stems(layer)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_provider_module_belongs_to_a_registered_provider(layer: str) -> None:
    """A provider may split a layer into `<name>_<part>.py` siblings, but nothing goes unregistered."""
    strays = {stem for stem in _stems(layer) - SHARED[layer] if stem.split("_")[0] not in NAMES}
    assert not strays, f"modules of unregistered providers in {layer}: {sorted(strays)}"


def test_the_provider_enum_names_exactly_the_registered_providers() -> None:
    assert sorted(str(member.value) for member in Provider) == sorted(NAMES)


@pytest.mark.parametrize("api", PROVIDERS, ids=lambda api: api.spec.name)
def test_each_provider_reads_its_own_env_prefix(api: object) -> None:
    spec = api.spec  # type: ignore[attr-defined]
    assert spec.settings.model_config["env_prefix"] == f"{spec.name.upper()}_"


@pytest.mark.parametrize("name", NAMES)
def test_each_emulator_points_the_gateway_at_itself(name: str) -> None:
    env = emulator(name).env("http://127.0.0.1:9/" + name)
    assert env[f"{name.upper()}_BASE_URL"].startswith(f"http://127.0.0.1:9/{name}")


def _layered() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    return {module.strip() for layer in layers for module in layer.replace("|", ":").split(":")}


def test_every_gateway_module_sits_in_a_layer() -> None:
    modules = {f"gateway.{path.stem}" for path in (ROOT / "gateway").glob("*.py") if path.stem != "__init__"}
    packages = {f"gateway.{path.parent.name}" for path in (ROOT / "gateway").glob("*/__init__.py")}
    assert modules | packages <= _layered()


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout[-3000:]
