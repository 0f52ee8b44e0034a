"""The sandbox's churn: each emulator's events appear, move and go by themselves, as the gateway sees them.

Changes are asked for at `POST /_sandbox/churn` (deterministic) or made at a pace set with `PUT`;
what changed is read back through the gateway, and over the `eventChanges` subscription.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gateway.ids import encode_id
from resolvers.registry import NAMES
from tests.gateway.live.wire import event_stream, live_gateway, metric, until
from tests.harness import Gateway, Sandbox

NODE = "query($id: ID!) { node(id: $id) { id ... on Event { title startsAt } } }"
#: Wide enough for every event churn touches (moves are a couple of days at most).
EVERYTHING = {"startsAfter": "2000-01-01T00:00:00Z", "startsBefore": "2100-01-01T00:00:00Z"}


async def churn(sandbox: Sandbox, **request: Any) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(sandbox.base_url + "/_sandbox/churn", json=request) as response,
    ):
        assert response.status == 200, await response.text()
        changed: list[dict[str, Any]] = await response.json()
        return changed


def global_id(changed: dict[str, Any]) -> str:
    return encode_id(changed["provider"], *changed["scope"], changed["id"])


async def node(gateway: Gateway, id: str) -> Any:
    return (await gateway.query(NODE, {"id": id}))["data"]["node"]


@pytest.mark.parametrize("provider", NAMES)
async def test_each_emulator_churns_its_own_events(gateway: Gateway, sandbox: Sandbox, provider: str) -> None:
    [created] = await churn(sandbox, provider=provider, kind="created")
    assert (created["provider"], created["kind"]) == (provider, "created")
    assert (await node(gateway, global_id(created)))["title"].startswith("Pop-up")

    [moved] = await churn(sandbox, provider=provider, kind="moved")
    # Moving the event churn just made would not show a move; any other seeded event moves too.
    assert moved["kind"] == "moved"
    assert await node(gateway, global_id(moved)) is not None

    [deleted] = await churn(sandbox, provider=provider, kind="deleted")
    assert (deleted["kind"], deleted["id"]) == ("deleted", created["id"])
    assert await node(gateway, global_id(created)) is None


async def test_seeded_events_are_never_deleted(sandbox: Sandbox) -> None:
    assert await churn(sandbox, provider="strigo", kind="deleted") == []


@pytest.mark.parametrize(
    "body",
    [{"provider": "nope"}, {"kind": "exploded"}, {"count": 0}, {"count": 101}, {"count": True}],
    ids=["provider", "kind", "count-zero", "count-high", "count-bool"],
)
async def test_a_bad_churn_request_is_a_400(sandbox: Sandbox, body: dict[str, Any]) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(sandbox.base_url + "/_sandbox/churn", json=body) as response,
    ):
        assert response.status == 400
        assert "error" in await response.json()


async def test_the_pace_is_set_and_read_back(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        for refused in (-1, 6_001, "6", True):
            async with session.put(
                sandbox.base_url + "/_sandbox/churn", json={"perMinute": refused}
            ) as response:
                assert response.status == 400
        async with session.put(sandbox.base_url + "/_sandbox/churn", json={"perMinute": 6}) as response:
            assert response.status == 204
        async with session.get(sandbox.base_url + "/_sandbox/churn") as response:
            assert await response.json() == {"perMinute": 6}


async def test_churning_data_shows_in_a_subscription(sandbox: Sandbox) -> None:
    """The demo's promise: switch churn on, and subscribers see events move, appear and go."""
    variables = {"filter": EVERYTHING}
    async with live_gateway(sandbox) as base, event_stream(base, variables=variables) as stream:
        polled = {name: await metric(base, "gateway_live_polls_total", provider=name) for name in NAMES}

        async def every_first_poll() -> bool:
            now = {name: await metric(base, "gateway_live_polls_total", provider=name) for name in NAMES}
            return all(now[name] > polled[name] for name in NAMES)

        await until(every_first_poll, "each provider's first poll")
        async with (
            aiohttp.ClientSession() as session,
            session.put(sandbox.base_url + "/_sandbox/churn", json={"perMinute": 600}) as response,
        ):
            assert response.status == 204
        kinds = {(await stream.change())["kind"] for _ in range(6)}
    assert kinds <= {"CREATED", "UPDATED", "DELETED"}
    assert "UPDATED" in kinds or "CREATED" in kinds
