"""The Strigo requests the shared-layer tests drive the gateway with (Strigo is the simplest upstream)."""

from __future__ import annotations

from typing import Any

from gateway.sandbox import strigo as emulator

LIST = "{ strigoEvents { id } }"
CREATE = """mutation($input: CreateStrigoEventInput!) {
  createStrigoEvent(input: $input) { event { id } userErrors { code message } }
}"""


def new_event(name: str) -> dict[str, Any]:
    """A valid `CreateStrigoEventInput` named `name`."""
    return {
        "name": name,
        "owner": emulator.OWNER_EMAIL,
        "classId": emulator.CLASS_IDS[0],
        "dateStart": "2026-12-01T09:00:00Z",
        "dateEnd": "2026-12-01T10:00:00Z",
    }
