"""`eventChanges` against the sandbox: changes made upstream and through the gateway, each seen once.

Every test runs the real app on a real uvicorn polling every fifth of a second, subscribes over
graphql-transport-ws and SSE, and waits for messages (never on elapsed time). "Seen once" is shown
by a marker: after a change and at least two more polls, the next thing a subscriber receives is
the marker's own change.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_emulator
from gateway.sandbox.schoology_seed import BUSY_SECTION_ID
from tests.gateway.live.wire import (
    EventStream,
    TransportWS,
    event_stream,
    live_gateway,
    metric,
    transport_ws,
    until,
)
from tests.harness import Sandbox

STRIGO_API = "/strigo/api/v1/events"
STRIGO_AUTH = {"Authorization": f"Bearer {strigo_emulator.ORG_ID}:{strigo_emulator.API_KEY}"}
ONLY_STRIGO = {"filter": {"providers": ["STRIGO"]}}


def strigo_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "owner": strigo_emulator.OWNER_EMAIL,
        "class_id": strigo_emulator.CLASS_IDS[0],
        "date_start": "2026-12-01T09:00:00Z",
        "date_end": "2026-12-01T10:00:00Z",
    }


async def upstream(sandbox: Sandbox, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the Strigo emulator's own API (not the gateway); its `data`."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, sandbox.base_url + path, json=body, headers=STRIGO_AUTH) as response,
    ):
        assert response.status in (200, 204), await response.text()
        return (await response.json()).get("data") if response.status == 200 else None


async def polls(base_url: str, provider: str) -> float:
    return await metric(base_url, "gateway_live_polls_total", provider=provider, outcome="ok")


async def more_polls(base_url: str, provider: str, count: int) -> None:
    """Wait until `count` more polls of `provider` have been recorded."""
    target = await polls(base_url, provider) + count

    async def done() -> bool:
        return await polls(base_url, provider) >= target

    await until(done, f"{count} more polls of {provider}")


@dataclass
class Subscribers:
    """One subscriber per transport on the same filter."""

    ws: TransportWS
    sse: EventStream

    async def each_change(self) -> list[dict[str, Any]]:
        return [await self.ws.change("1"), await self.sse.change()]


@contextlib.asynccontextmanager
async def subscribed(base_url: str, provider: str, variables: dict[str, Any]) -> AsyncIterator[Subscribers]:
    """A WebSocket and an SSE subscriber, once the detector has recorded its first poll."""
    before = await polls(base_url, provider)
    async with transport_ws(base_url) as ws, event_stream(base_url, variables=variables) as sse:
        await ws.subscribe("1", variables=variables)

        async def baseline() -> bool:
            return await polls(base_url, provider) > before

        await until(baseline, "the first poll")
        yield Subscribers(ws, sse)


async def test_changes_made_upstream_reach_each_subscriber_once_in_order(sandbox: Sandbox) -> None:
    async with live_gateway(sandbox) as base, subscribed(base, "strigo", ONLY_STRIGO) as subscribers:
        created = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Pop-up lab"))
        gid = encode_id("strigo", created["id"])
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"], change["event"]["title"]) == ("CREATED", gid, "Pop-up lab")

        await upstream(sandbox, "PATCH", f"{STRIGO_API}/{created['id']}", {"name": "Pop-up lab (moved)"})
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"], change["event"]["name"]) == (
                "UPDATED",
                gid,
                "Pop-up lab (moved)",
            )

        await upstream(sandbox, "DELETE", f"{STRIGO_API}/{created['id']}")
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"], change["event"]) == ("DELETED", gid, None)

        await more_polls(base, "strigo", 2)
        marker = await upstream(sandbox, "POST", STRIGO_API, strigo_body("Marker"))
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"]) == ("CREATED", encode_id("strigo", marker["id"]))


# --- writes through the gateway, every provider ------------------------------------------------------


@dataclass(frozen=True)
class Writes:
    """A provider's create, update and delete mutations, and what they take."""

    provider: str
    create: str
    create_variables: dict[str, Any]
    update: str
    update_input: dict[str, Any]
    delete: str
    #: A second kind of update (pretix's full-replace PUT), with an input that titles the event "Replaced".
    replace: tuple[str, dict[str, Any]] | None = None


WINDOW = {"startsAfter": "2020-01-01T00:00:00Z", "startsBefore": "2030-01-01T00:00:00Z"}
PAYLOAD = "event { id title } userErrors { field message code }"
DELETED = "deletedId userErrors { field message code }"
WRITES = [
    Writes(
        "strigo",
        "mutation($input: CreateStrigoEventInput!) "
        f"{{ created: createStrigoEvent(input: $input) {{ {PAYLOAD} }} }}",
        {
            "input": {
                "name": "Written",
                "owner": strigo_emulator.OWNER_EMAIL,
                "classId": strigo_emulator.CLASS_IDS[0],
                "dateStart": "2026-12-01T09:00:00Z",
                "dateEnd": "2026-12-01T10:00:00Z",
            }
        },
        "mutation($id: ID!, $input: UpdateStrigoEventInput!) "
        f"{{ updated: updateStrigoEvent(id: $id, input: $input) {{ {PAYLOAD} }} }}",
        {"name": "Rewritten"},
        f"mutation($id: ID!) {{ deleted: deleteStrigoEvent(id: $id) {{ {DELETED} }} }}",
    ),
    Writes(
        "schoology",
        "mutation($realm: SchoologyRealmInput!, $input: CreateSchoologyEventInput!) "
        f"{{ created: createSchoologyEvent(realm: $realm, input: $input) {{ {PAYLOAD} }} }}",
        {
            "realm": {"kind": "SECTION", "providerId": str(BUSY_SECTION_ID)},
            "input": {
                "title": "Written",
                "start": "2026-01-12T14:00:00Z",
                "hasEnd": True,
                "end": "2026-01-12T15:00:00Z",
            },
        },
        "mutation($id: ID!, $input: UpdateSchoologyEventInput!) "
        f"{{ updated: updateSchoologyEvent(id: $id, input: $input) {{ {PAYLOAD} }} }}",
        {"title": "Rewritten"},
        f"mutation($id: ID!) {{ deleted: deleteSchoologyEvent(id: $id) {{ {DELETED} }} }}",
    ),
    Writes(
        "kona",
        "mutation($input: CreateKonaCalendarEventInput!) "
        f"{{ created: createKonaCalendarEvent(input: $input) {{ {PAYLOAD} }} }}",
        {"input": {"name": "Written", "startAt": "2026-06-20T10:00:00Z", "endAt": "2026-06-20T12:00:00Z"}},
        "mutation($id: ID!, $input: UpdateKonaCalendarEventInput!) "
        f"{{ updated: updateKonaCalendarEvent(id: $id, input: $input) {{ {PAYLOAD} }} }}",
        {"name": "Rewritten"},
        f"mutation($id: ID!) {{ deleted: deleteKonaCalendarEvent(id: $id) {{ {DELETED} }} }}",
    ),
    Writes(
        "pretix",
        "mutation($organizer: String!, $input: CreatePretixEventInput!) "
        f"{{ created: createPretixEvent(organizer: $organizer, input: $input) {{ {PAYLOAD} }} }}",
        {
            "organizer": "demo-conf",
            "input": {
                "name": [{"locale": "en", "text": "Written"}],
                "slug": "written",
                "dateFrom": "2027-05-01T09:00:00Z",
            },
        },
        "mutation($id: ID!, $input: UpdatePretixEventInput!) "
        f"{{ updated: updatePretixEvent(id: $id, input: $input) {{ {PAYLOAD} }} }}",
        {"name": [{"locale": "en", "text": "Rewritten"}]},
        f"mutation($id: ID!) {{ deleted: deletePretixEvent(id: $id) {{ {DELETED} }} }}",
        (
            "mutation($id: ID!, $input: ReplacePretixEventInput!) "
            f"{{ updated: replacePretixEvent(id: $id, input: $input) {{ {PAYLOAD} }} }}",
            {"name": [{"locale": "en", "text": "Replaced"}], "dateFrom": "2027-05-02T09:00:00Z"},
        ),
    ),
]


async def graphql(base_url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(base_url + "/graphql", json={"query": query, "variables": variables}) as response,
    ):
        body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.mark.parametrize("writes", WRITES, ids=lambda writes: writes.provider)
async def test_writes_through_the_gateway_arrive_at_once_and_only_once(
    sandbox: Sandbox, writes: Writes
) -> None:
    provider = writes.provider
    variables = {"filter": {"providers": [provider.upper()], **WINDOW}}
    async with live_gateway(sandbox) as base, subscribed(base, provider, variables) as subscribers:

        async def write(query: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
            payload: dict[str, Any] = (await graphql(base, query, variables))[field]
            assert payload["userErrors"] == [], payload
            return payload

        created = (await write(writes.create, writes.create_variables, "created"))["event"]
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"], change["event"]["title"]) == (
                "CREATED",
                created["id"],
                "Written",
            )
        # After each write, polls that see it must not tell it again: the next change is the next write's.
        await more_polls(base, provider, 2)

        updates = [(writes.update, writes.update_input, "Rewritten")]
        if writes.replace is not None:
            updates.append((*writes.replace, "Replaced"))
        for query, input, title in updates:
            await write(query, {"id": created["id"], "input": input}, "updated")
            for change in await subscribers.each_change():
                assert (change["kind"], change["id"], change["event"]["title"]) == (
                    "UPDATED",
                    created["id"],
                    title,
                )
            await more_polls(base, provider, 2)

        await write(writes.delete, {"id": created["id"]}, "deleted")
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"], change["event"]) == ("DELETED", created["id"], None)

        # Polls that see what the writes left must not repeat them: the next change is the marker.
        await more_polls(base, provider, 2)
        marker = (await write(writes.create, _renamed(writes), "created"))["event"]
        for change in await subscribers.each_change():
            assert (change["kind"], change["id"]) == ("CREATED", marker["id"])


def _renamed(writes: Writes) -> dict[str, Any]:
    variables = {**writes.create_variables, "input": dict(writes.create_variables["input"])}
    if writes.provider == "pretix":
        variables["input"]["slug"] = "marker"
    return variables
