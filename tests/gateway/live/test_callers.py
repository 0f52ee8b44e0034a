"""Callers with credentials of their own: a detector per credential, polling with that credential.

The detector's key names the credential (`Context.credential_key`): two callers with the same
credential share one poller, a caller with another credential gets its own, and each poller signs
its polls with its own caller's credential, so no caller is told about events it cannot read.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.gateway.live.test_feeds import NEW_EVENT, gauge, list_calls
from tests.gateway.live.wire import live_gateway, metric, transport_ws, until
from tests.gateway.request.callers import ALICE, BOB
from tests.gateway.upstream.strigo_requests import CREATE
from tests.harness import Sandbox

SUBSCRIBE = "subscription { eventChanges(filter: {providers: [STRIGO]}) { kind id } }"
ALICE_STRIGO = {"X-Strigo-Credentials": ALICE["X-Strigo-Credentials"]}
BOB_STRIGO = {"X-Strigo-Credentials": BOB["X-Strigo-Credentials"]}


async def post(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    async with session.post(
        base + "/graphql", json={"query": query, "variables": variables}, headers=headers
    ) as response:
        body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    return body


async def create(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], event: dict[str, Any]
) -> str:
    """Create a Strigo event through the gateway with `headers`' credential; its global id."""
    body = await post(session, base, headers, CREATE, {"input": event})
    created: str = body["data"]["createStrigoEvent"]["event"]["id"]
    return created


async def test_each_credential_has_its_own_poller_signing_with_it(sandbox: Sandbox) -> None:
    async with (
        live_gateway(sandbox, gateway_credentials="caller", gateway_poll_interval=3600) as base,
        aiohttp.ClientSession() as session,
    ):
        # An event of Bob's org gives the owner and class a create in that org needs.
        listed = await post(session, base, BOB_STRIGO, "{ strigoEvents { classId owner { email } } }", {})
        bobs = next(e for e in listed["data"]["strigoEvents"] if e["classId"] and e["owner"])
        bob_event = {**NEW_EVENT, "owner": bobs["owner"]["email"], "classId": bobs["classId"]}
        calls_before = len(sandbox.calls("strigo"))
        lists_before = list_calls(sandbox)
        polled = await metric(base, "gateway_live_polls_total", provider="strigo")
        async with (
            transport_ws(base, headers=ALICE_STRIGO) as alice_one,
            transport_ws(base, headers=ALICE_STRIGO) as alice_two,
            transport_ws(base, headers=BOB_STRIGO) as bob,
        ):
            for client in (alice_one, alice_two, bob):
                await client.subscribe("1", SUBSCRIBE)
            await gauge(base, "gateway_live_subscribers", 3)
            await gauge(base, "gateway_live_feeds", 2)

            async def two_first_polls() -> bool:
                return await metric(base, "gateway_live_polls_total", provider="strigo") >= polled + 2

            await until(two_first_polls, "two first polls")
            await gauge(base, "gateway_live_pollers", 2, provider="strigo")
            polls = [call for call in sandbox.calls("strigo")[calls_before:] if call.method == "GET"]
            assert list_calls(sandbox) - lists_before == 2
            assert sorted(call.headers["Authorization"] for call in polls) == sorted(
                f"Bearer {headers['X-Strigo-Credentials']}" for headers in (ALICE_STRIGO, BOB_STRIGO)
            )

            # Bob's write reaches Bob; Alice's subscribers' first change is Alice's own write, so
            # Bob's never reached them (each subscriber's changes arrive in order).
            bob_created = await create(session, base, BOB_STRIGO, bob_event)
            assert await bob.change("1") == {"kind": "CREATED", "id": bob_created}
            alice_created = await create(session, base, ALICE_STRIGO, NEW_EVENT)
            assert await alice_one.change("1") == {"kind": "CREATED", "id": alice_created}
            assert await alice_two.change("1") == {"kind": "CREATED", "id": alice_created}
