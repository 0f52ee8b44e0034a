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


def test_every_provider_client_module_is_registered() -> None:
    modules = {path.stem for path in (ROOT / "gateway/providers").glob("*.py")} - {"__init__", "base"}
    assert modules == set(NAMES)
