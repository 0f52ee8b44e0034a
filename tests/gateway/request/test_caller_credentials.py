"""`GATEWAY_CREDENTIALS`: each caller's own upstream credentials, and nothing of one caller for another.

Over real HTTP against the sandbox's accounts with different visibility (two Strigo orgs, two
Schoology users in different sections, two Kona users in different spaces, two pretix teams).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.sandbox import kona, pretix, schoology, strigo
from gateway.sandbox.schoology_seed import BUSY_SECTION_ID, GROUP_IDS, SECTION_IDS
from resolvers.registry import NAMES, PROVIDERS
from tests.gateway.request.callers import (
    ALICE,
    ALL,
    BOB,
    CAROL,
    error_codes,
    provider_ids,
    realm_of,
    seen,
)
from tests.harness import Sandbox, running_gateway, settings_for
from tests.redis_server import RedisServer

KEY = "shared-fingerprint-key-for-the-replicas"
#: The providers Carol (pretix alone) brings no credentials for.
NOT_CAROLS = tuple(api.spec for api in PROVIDERS if api.spec.name != pretix.NAME)


def caller_mode(sandbox: Sandbox, **overrides: Any) -> Any:
    return settings_for(sandbox, gateway_credentials="caller", **overrides)


async def test_two_callers_through_two_replicas_with_a_shared_cache_each_see_their_own(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    # What each caller sees alone: a replica of its own, no cache, no Redis, one request at a time.
    async with running_gateway(caller_mode(sandbox)) as alone:
        alice_alone, bob_alone = await seen(alone, ALICE), await seen(alone, BOB)

    shared = caller_mode(
        sandbox, gateway_cache_ttl=60, gateway_redis_url=redis_server.url, gateway_credential_key=KEY
    )
    async with running_gateway(shared) as first, running_gateway(shared) as second:
        sandbox.log.clear()
        # The same query at the same moment, Alice on one replica and Bob on the other ...
        alice, bob = await asyncio.gather(seen(first, ALICE), seen(second, BOB))
        assert (alice, bob) == (alice_alone, bob_alone)
        fetched = [call for call in sandbox.log.calls if call.method == "GET"]
        # ... then each through the other replica: answered from the shared cache, each their own.
        sandbox.log.clear()
        alice_again, bob_again = await asyncio.gather(seen(second, ALICE), seen(first, BOB))
        assert (alice_again, bob_again) == (alice_alone, bob_alone)
        # Only refusals are asked again (never cached): the pretix organizer each team may not see.
        fetched_again = {(call.provider, call.path) for call in sandbox.log.calls if call.method == "GET"}
        assert fetched_again == {
            ("pretix", "/api/v1/organizers/demo-arts/events/"),
            ("pretix", "/api/v1/organizers/demo-conf/events/"),
        }
    # Schoology's lists of several realms are one multi-get (a POST, never cached).
    assert {call.provider for call in fetched} == set(NAMES) - {schoology.NAME}

    # What each saw is theirs alone: Strigo's orgs and pretix's teams share nothing, Schoology's
    # users see their own realms, and Kona's users the spaces they are in.
    assert provider_ids(alice["strigo"]) <= set(strigo.EVENT_IDS)
    assert bob["strigo"]
    assert provider_ids(bob["strigo"]).isdisjoint(strigo.EVENT_IDS)
    assert alice["pretix"]
    assert bob["pretix"]
    assert set(alice["pretix"]).isdisjoint(bob["pretix"])
    club = ("groups", GROUP_IDS[0])
    assert {realm_of(each) for each in alice["schoology"]} == {
        ("sections", BUSY_SECTION_ID),
        club,
        ("users", 265),
    }
    # SCHOOLOGY_REALMS lists the busy section, the next one, the club and user 265: of those, each
    # user's federated list has the realms they belong to.
    assert {realm_of(each) for each in bob["schoology"]} == {("sections", SECTION_IDS[1]), club}
    assert "1090" in provider_ids(bob["kona"])
    assert "1090" not in provider_ids(alice["kona"])
    assert not provider_ids(alice["kona"]) <= provider_ids(bob["kona"])


async def test_upstreams_receive_each_callers_own_credentials(sandbox: Sandbox) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        await asyncio.gather(seen(gateway, ALICE), seen(gateway, BOB))
    strigo_keys = {call.headers["Authorization"] for call in sandbox.calls("strigo")}
    assert strigo_keys == {f"Bearer {ALICE['X-Strigo-Credentials']}", f"Bearer {BOB['X-Strigo-Credentials']}"}
    kona_tokens = {call.headers["Authorization"] for call in sandbox.calls("kona")}
    assert kona_tokens == {f"Bearer {kona.ACCESS_TOKEN}", f"Bearer {kona.OTHER_ACCESS_TOKEN}"}
    signed = [call.headers["Authorization"] for call in sandbox.calls("schoology")]
    # Three-legged: the consumer key is the app's, the token each user's; no secret on the wire.
    assert all(f'oauth_consumer_key="{schoology.CONSUMER_KEY}"' in header for header in signed)
    for user in ("dana", "luis"):
        assert any(f'oauth_token="sandbox-schoology-{user}"' in header for header in signed)
    assert not any("secret" in header for header in signed)


async def test_a_caller_without_some_credentials_gets_one_error_per_missing_provider(
    sandbox: Sandbox,
) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        body = await gateway.query(ALL, headers=CAROL)
    assert error_codes(body) == {spec.name.upper(): "PROVIDER_NOT_CONFIGURED" for spec in NOT_CAROLS}
    messages = {error["extensions"]["provider"]: error["message"] for error in body["errors"]}
    for spec in NOT_CAROLS:
        assert spec.caller is None or spec.caller.name in messages[spec.name.upper()]
    providers = {edge["node"]["provider"] for edge in body["data"]["events"]["edges"]}
    assert providers == {"PRETIX"}
    # The deployment's own credentials (in the settings too) were never used for Carol.
    assert {spec.name: sandbox.calls(spec.name) for spec in NOT_CAROLS} == {
        spec.name: [] for spec in NOT_CAROLS
    }


async def test_a_caller_without_credentials_for_a_provider_asked_by_name_gets_its_error(
    sandbox: Sandbox,
) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        body = await gateway.query("{ strigoEvents { id } }", headers=CAROL)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "PROVIDER_NOT_CONFIGURED", "provider": "STRIGO"}
    assert "X-Strigo-Credentials" in error["message"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Strigo-Credentials", "only-an-org"),
        ("X-Strigo-Credentials", ":key-without-org"),
        ("X-Schoology-Token", "token-without-secret:"),
        ("X-Kona-Token", "two words"),
        ("X-Pretix-Token", "x" * 5000),
    ],
    ids=["strigo-no-colon", "strigo-no-org", "schoology-no-secret", "kona-space", "pretix-too-long"],
)
async def test_malformed_credentials_are_refused_before_any_call(
    sandbox: Sandbox, header: str, value: str
) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        response = await gateway.http.post("/graphql", json={"query": ALL}, headers={**ALICE, header: value})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["header"] == header
    assert header in error["message"]
    assert value not in response.text
    assert sandbox.log.calls == []


async def test_a_credential_header_sent_twice_is_refused(sandbox: Sandbox) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        response = await gateway.http.post(
            "/graphql",
            json={"query": ALL},
            headers=[("X-Kona-Token", kona.ACCESS_TOKEN), ("X-Kona-Token", kona.OTHER_ACCESS_TOKEN)],
        )
    assert response.status_code == 400
    assert "once" in response.json()["errors"][0]["message"]
    assert sandbox.log.calls == []


async def test_service_mode_refuses_callers_credentials(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        response = await gateway.http.post("/graphql", json={"query": ALL}, headers=CAROL)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "provider": "PRETIX", "header": "X-Pretix-Token"}
    assert "GATEWAY_CREDENTIALS=service" in error["message"]
    assert sandbox.log.calls == []


async def test_both_mode_uses_the_callers_credentials_where_given_else_the_deployments(
    sandbox: Sandbox,
) -> None:
    async with running_gateway(settings_for(sandbox, gateway_credentials="both")) as gateway:
        body = await gateway.query(
            "{ strigoEvents { id } konaCalendarEvents(first: 1) { edges { node { id } } } }",
            headers={"X-Strigo-Credentials": BOB["X-Strigo-Credentials"]},
        )
    assert "errors" not in body, body["errors"]
    assert provider_ids([event["id"] for event in body["data"]["strigoEvents"]]).isdisjoint(strigo.EVENT_IDS)
    assert {call.headers["Authorization"] for call in sandbox.calls("strigo")} == {
        f"Bearer {BOB['X-Strigo-Credentials']}"
    }
    assert {call.headers["Authorization"] for call in sandbox.calls("kona")} == {
        f"Bearer {kona.ACCESS_TOKEN}"
    }


async def test_schoology_needs_the_apps_consumer_key_for_callers(sandbox: Sandbox) -> None:
    settings = caller_mode(sandbox, schoology_consumer_key="")
    async with running_gateway(settings) as gateway:
        refused = await gateway.http.post("/graphql", json={"query": ALL}, headers=ALICE)
        body = await gateway.query(ALL, headers={k: v for k, v in ALICE.items() if k != "X-Schoology-Token"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["header"] == "X-Schoology-Token"
    # Without a consumer key Schoology is simply not offered: no error for it, as when not configured.
    assert "errors" not in body, body["errors"]


async def test_the_providers_status_is_the_callers_own(sandbox: Sandbox) -> None:
    query = "{ providers { provider enabled calls } }"
    async with running_gateway(caller_mode(sandbox)) as gateway:
        await seen(gateway, ALICE)
        alice = (await gateway.data(query, headers=ALICE))["providers"]
        carol = (await gateway.data(query, headers=CAROL))["providers"]
    assert all(status["enabled"] and status["calls"] > 0 for status in alice)
    assert {status["provider"]: status["enabled"] for status in carol} == {
        name.upper(): name == pretix.NAME for name in NAMES
    }
    # Carol's pretix token is Alice's: the same credential, so the same breaker and counts.
    assert carol[NAMES.index(pretix.NAME)] == alice[NAMES.index(pretix.NAME)]


async def test_readiness_in_caller_mode_lists_what_callers_may_use(sandbox: Sandbox) -> None:
    async with running_gateway(caller_mode(sandbox)) as gateway:
        ready = (await gateway.http.get("/readyz")).json()
    takes_callers = sorted(api.spec.name for api in PROVIDERS if api.spec.caller is not None)
    assert ready == {"status": "ready", "providers": takes_callers, "credentials": "caller"}
