"""The seed pages' own examples, served verbatim by a scripted upstream, read as their pages document.

Each provider's seed page shows literal replies; whatever the emulators assume, these replies must
read right: a value the page sends as null stays null, and one event reads the same from every
endpoint that returns it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.ids import encode_id
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import Hostile, hostile_upstream, json_reply
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

#: pretix-events.rst, "GET /api/v1/organizers/(organizer)/events/" and ".../events/(event)/".
PRETIX_LISTED: dict[str, Any] = {
    "name": {"en": "Sample Conference"}, "slug": "sampleconf", "live": False, "currency": "EUR",
    "date_from": "2017-12-27T10:00:00Z", "date_to": None, "date_admission": None, "is_public": None,
    "presale_start": None, "presale_end": None, "location": None, "has_subevents": False, "meta_data": {},
}  # fmt: skip
PRETIX_DETAIL = {**PRETIX_LISTED, "is_public": False}


@pytest.fixture
async def hostile() -> AsyncIterator[Hostile]:
    async with hostile_upstream() as running:
        yield running


@pytest.fixture
async def seeded(sandbox: Sandbox, hostile: Hostile) -> AsyncIterator[Gateway]:
    overrides: dict[str, Any] = {"pretix_organizers": "bigevents"}
    for name in ("schoology", "pretix"):
        overrides |= STANDS[name].settings(hostile)
    async with running_gateway(settings_for(sandbox, **overrides)) as gateway:
        yield gateway


async def test_pretix_is_public_null_in_the_list_stays_null(seeded: Gateway, hostile: Hostile) -> None:
    events = "/pretix/api/v1/organizers/bigevents/events/"
    listed = {"count": 1, "next": None, "previous": None, "results": [PRETIX_LISTED]}
    hostile.on("GET", events, json_reply(listed))
    hostile.on("GET", f"{events}sampleconf/", json_reply(PRETIX_DETAIL))
    # The detail is asked in a request of its own: in one with the list, `node` reads the primed list item.
    data = await seeded.data('{ pretixEvents(organizer: "bigevents") { nodes { isPublic } } }')
    assert data["pretixEvents"]["nodes"] == [{"isPublic": None}]
    alone = await seeded.data(
        "query($id: ID!) { node(id: $id) { ... on PretixEvent { isPublic } } }",
        {"id": encode_id("pretix", "bigevents", "sampleconf")},
    )
    assert alone["node"] == {"isPublic": False}
