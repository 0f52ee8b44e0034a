"""`pretix_target`: the same gateway tests against the pretix emulator and against a real pretix.

The real server is `scripts/pretix-server.sh` on loopback. It starts only when `PRETIX_REAL=1` or
`CI` is set (about 56 s the first time, 6 s afterwards); otherwise the real variants skip with a
message. `-m "not pretix_real"` deselects them. The database is reset once per session; the tests
never depend on each other's writes (unique slugs, counts read before they are compared).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.ids import encode_id
from gateway.sandbox import pretix as emulator
from gateway.sandbox.recorder import RecordedCall
from gateway.settings import Settings
from tests.harness import Gateway, running_gateway, running_sandbox, settings_for

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "pretix-server.sh"
# The script's own defaults: $PRETIX_DATA, else $PRETIX_CACHE/pretix-data.
CACHE = Path(os.environ.get("PRETIX_CACHE", Path.home() / ".cache" / "event-gateway"))
DATA = Path(os.environ.get("PRETIX_DATA", CACHE / "pretix-data"))


@dataclass
class PretixTarget:
    """One pretix to test against, with a gateway wired to it and the names of its seeded objects."""

    name: str
    gateway: Gateway
    organizer: str
    hidden_organizer: str
    event: str
    event_with_orders: str
    settings: Callable[..., Settings]
    read_only_token: str
    calls: Callable[[], list[RecordedCall]] | None = None

    def id(self, slug: str, organizer: str | None = None) -> str:
        """The global id of an event of this target."""
        return encode_id("pretix", organizer or self.organizer, slug)

    @staticmethod
    def unique(prefix: str) -> str:
        """A slug no other test uses."""
        return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _read_env(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@pytest.fixture(scope="session")
def real_pretix() -> Iterator[dict[str, str]]:
    """A freshly reset real pretix on loopback (the script's `env` values), or a skip."""
    if not (os.environ.get("CI") or os.environ.get("PRETIX_REAL") == "1"):
        pytest.skip(
            "real pretix tests run with PRETIX_REAL=1 (or CI set): they start scripts/pretix-server.sh "
            "(about 56 s the first time); deselect them with -m 'not pretix_real'"
        )
    # The project's own script, by absolute path, with fixed arguments.
    status = subprocess.run([SCRIPT, "status"], capture_output=True, check=False)  # noqa: S603
    subprocess.run([SCRIPT, "reset"], check=True, timeout=900)  # noqa: S603
    try:
        yield _read_env(DATA / "env")
    finally:
        if status.returncode != 0:  # stop only what this session started
            subprocess.run([SCRIPT, "stop"], check=False, timeout=60)  # noqa: S603


@pytest.fixture(params=["emulator", pytest.param("real", marks=pytest.mark.pretix_real)])
async def pretix_target(request: pytest.FixtureRequest) -> AsyncIterator[PretixTarget]:
    if request.param == "emulator":
        async with running_sandbox() as sandbox:

            def sandbox_settings(**overrides: Any) -> Settings:
                return settings_for(sandbox, **overrides)

            async with running_gateway(sandbox_settings()) as gateway:
                yield PretixTarget(
                    name="emulator",
                    gateway=gateway,
                    organizer="demo-conf",
                    hidden_organizer="no-such-organizer",
                    event="conf-01",
                    event_with_orders="conf-10",
                    settings=sandbox_settings,
                    read_only_token=emulator.READ_ONLY_TOKEN,
                    calls=lambda: sandbox.calls("pretix"),
                )
        return
    env: dict[str, str] = request.getfixturevalue("real_pretix")

    def real_settings(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "pretix_base_url": env["PRETIX_REAL_URL"],
            "pretix_token": env["PRETIX_REAL_TOKEN"],
            "pretix_organizers": env["PRETIX_REAL_ORGANIZER"],
        }
        return Settings.from_values(values | overrides)

    async with running_gateway(real_settings()) as gateway:
        yield PretixTarget(
            name="real",
            gateway=gateway,
            organizer=env["PRETIX_REAL_ORGANIZER"],
            hidden_organizer=env["PRETIX_REAL_OTHER_ORGANIZER"],
            event=env["PRETIX_REAL_EVENT"],
            event_with_orders=env["PRETIX_REAL_EVENT_WITH_ORDERS"],
            settings=real_settings,
            read_only_token=env["PRETIX_REAL_READONLY_TOKEN"],
        )
