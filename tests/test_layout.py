"""The provider seam stays whole: every provider has one module per layer, and all are registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolvers.registry import PROVIDERS

ROOT = Path(__file__).parents[1]
LAYERS = ("gateway/providers", "gateway/sandbox", "schema", "resolvers")
NAMES = [api.spec.name for api in PROVIDERS]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("layer", LAYERS)
def test_each_registered_provider_has_a_module_in_each_layer(layer: str, name: str) -> None:
    assert (ROOT / layer / f"{name}.py").is_file()


@pytest.mark.parametrize("layer", LAYERS)
def test_every_provider_module_belongs_to_a_registered_provider(layer: str) -> None:
    """A provider may split a layer into `<name>_<part>.py` siblings, but nothing goes unregistered."""
    shared = {
        "__init__", "base", "recorder", "server", "provider", "registry", "mutations", "events", "nodes",
        "cursor", "status", "event", "payloads", "scalars", "validation", "root", "emulators", "build", "provider_events",
    }  # fmt: skip
    stems = {path.stem for path in (ROOT / layer).glob("*.py")} - shared
    strays = {stem for stem in stems if stem.split("_")[0] not in NAMES}
    assert not strays, f"modules of unregistered providers in {layer}: {sorted(strays)}"
