"""Pressure on an upstream: queued calls under the timeout and the breaker (issue 10, item 14), the
per-request call budget and oauthlib's debug logging (item 15)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.providers import schoology
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import Hostile, hang
from tests.gateway.upstream.strigo_requests import LIST
from tests.harness import Sandbox, running_gateway, settings_for

KONA_LIST = "{ konaCalendarEvents(first: 5) { edges { node { providerId } } } }"


async def test_calls_queued_behind_a_hanging_upstream_time_out_or_meet_the_open_breaker(
    sandbox: Sandbox, hostile: Hostile
) -> None:
    """Ten requests, two connections, Kona hangs: the two sent time out and open the breaker; the
    eight queued ones wait inside the same timeout and are then refused, never sent."""
    hostile.on("GET", "/kona/api/calendar_events", hang())
    settings = settings_for(
        sandbox,
        **STANDS["kona"].settings(hostile),
        gateway_max_concurrency=2,
        gateway_breaker_failures=1,
        gateway_upstream_timeout=1.0,
        gateway_retries=0,
    )
    async with running_gateway(settings) as gateway:
        bodies = await asyncio.gather(*(gateway.query(KONA_LIST) for _ in range(10)))
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies]
    assert set(codes) <= {"UPSTREAM_TIMEOUT", "UPSTREAM_UNAVAILABLE"}, codes
    # Only what had one of the two connections was sent (main sent all ten, one pair at a time).
    assert 1 <= len(hostile.calls("/kona/api/calendar_events")) <= 2


async def test_one_request_may_make_only_so_many_upstream_calls(sandbox: Sandbox) -> None:
    strigo = "events(filter: {providers: [STRIGO]}) { edges { node { id } } }"
    query = "{ " + " ".join(f"a{n}: {strigo}" for n in range(8)) + " }"
    async with running_gateway(settings_for(sandbox, gateway_max_upstream_calls=5)) as gateway:
        body = await gateway.query(query)
        again = await gateway.query(LIST)  # the budget is per request: the next one starts afresh
    refused = [error for error in body["errors"] if error["extensions"]["code"] == "QUERY_TOO_COMPLEX"]
    assert len(refused) == len(body["errors"]) == 3
    assert refused[0]["extensions"]["provider"] == "STRIGO"
    assert "GATEWAY_MAX_UPSTREAM_CALLS" in refused[0]["message"]
    assert sum(bool(events["edges"]) for events in body["data"].values()) == 5
    assert "errors" not in again
    assert len(sandbox.calls("strigo")) == 6


async def test_a_federated_list_spends_the_budget_of_its_own_request(sandbox: Sandbox) -> None:
    """30 aliases of `events(first: 200)` no longer spend every caller's Schoology quota."""
    aliases = " ".join(f"e{n}: events(first: 200) {{ edges {{ node {{ id }} }} }}" for n in range(30))
    async with running_gateway(settings_for(sandbox, gateway_max_upstream_calls=20)) as gateway:
        body = await gateway.query("{ " + aliases + " }")
    assert {error["extensions"]["code"] for error in body["errors"]} == {"QUERY_TOO_COMPLEX"}
    assert len(sandbox.log.calls) == 20


async def test_oauth_signing_logs_nothing_below_warning(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """oauthlib logs each signature base string and signature at DEBUG."""
    caplog.set_level(logging.DEBUG)
    query = '{ schoologyEvents(realm: {kind: SECTION, providerId: "%s"}) { edges { node { id } } } }'
    async with running_gateway(settings_for(sandbox)) as gateway:
        section = schoology.SPEC.section(settings_for(sandbox)).realms[0].split("/")[1]
        assert "errors" not in await gateway.query(query % section)
    assert len(sandbox.calls("schoology")) == 1
    oauthlib = [record for record in caplog.records if record.name.startswith("oauthlib")]
    assert oauthlib == []
    assert not any("signature" in record.getMessage().lower() for record in caplog.records)
