"""One live gateway per test module (settings from the module's `GATEWAY_SETTINGS`), and inputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.sandbox import strigo
from tests.live_gateway import RESILIENCE_OFF, LiveGateway, serving_gateway


@pytest.fixture(scope="module")
def live_gateway(request: pytest.FixtureRequest) -> Iterator[LiveGateway]:
    overrides = {**RESILIENCE_OFF, **getattr(request.module, "GATEWAY_SETTINGS", {})}
    with serving_gateway(**overrides) as gateway:
        yield gateway


@pytest.fixture
def strigo_input() -> dict[str, Any]:
    """A `CreateStrigoEventInput` the Strigo emulator accepts."""
    return {
        "name": "Client conventions workshop",
        "owner": strigo.OWNER_EMAIL,
        "classId": strigo.CLASS_IDS[0],
        "dateStart": "2026-12-01T09:00:00+01:00",
        "dateEnd": "2026-12-01T12:00:00+01:00",
    }
