"""Numbers an upstream sends are validated and clamped (issue 10, item 11): `Retry-After` in both
forms, `x-ratelimit-*`, paging totals and counts."""

from __future__ import annotations

import time

import aiohttp
import pytest

from gateway.sandbox.pretix_state import ORGANIZERS
from gateway.upstream.auth import static_authorization
from gateway.upstream.endpoint import Upstream
from gateway.upstream.quota import LocalQuota
from gateway.upstream.replies import MAX_ANNOUNCED_PAUSE, MAX_RETRY_AFTER, Reply, announced_pause, retry_after
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import Hostile, json_reply
from tests.harness import Sandbox, running_gateway, settings_for

KONA_LIST = "{ konaCalendarEvents(first: 5) { edges { node { providerId } } } }"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize(
    "value",
    ["nan", "inf", "-inf", "-1", "1e308", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 06 Nov 2994"],
)
async def test_any_retry_after_on_a_429_is_a_rate_limit_answer(
    sandbox: Sandbox, hostile: Hostile, value: str
) -> None:
    """`nan` used to reach `asyncio.sleep`: a ValueError under uvloop (what `serve` runs), a stalled
    timer under asyncio. The parsing itself is held by the next test."""
    throttled = json_reply({"details": "slow down"}, status=429, headers={"Retry-After": value})
    hostile.on("GET", "/kona/api/calendar_events", throttled)
    async with running_gateway(settings_for(sandbox, **STANDS["kona"].settings(hostile))) as gateway:
        body = await gateway.query(KONA_LIST)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "provider": "KONA"}


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("1e308", MAX_RETRY_AFTER), ("nan", None), ("inf", None),
        ("", None), ("x" * 100, None), ("Fri, 15 Jan 2027 08:00:20 GMT", 20.0),
        ("Fri, 15 Jan 2027 07:59:00 GMT", 0.0), ("Fri, 15 Jan 2027 08:00:20", None),
    ],
)  # fmt: skip
def test_retry_after_reads_both_forms_and_clamps(value: str, seconds: float | None) -> None:
    assert retry_after(Reply(429, {"retry-after": value}, None, ""), NOW) == seconds


@pytest.mark.parametrize(
    ("remaining", "reset", "until"),
    [
        ("0", str(NOW + 30), NOW + 30), ("0", "30", NOW + 30), ("0", "1e308", NOW + MAX_ANNOUNCED_PAUSE),
        ("0", str(NOW + 10**6), NOW + MAX_ANNOUNCED_PAUSE), ("0", "nan", None), ("0", "inf", None),
        ("0", "-5", None), ("0", str(NOW - 10), None), ("0", "soon", None), ("1", str(NOW + 30), None),
        ("nan", str(NOW + 30), None), ("0.0", str(NOW + 30), NOW + 30),
    ],
)  # fmt: skip
def test_announced_pauses_are_finite_and_at_most_two_minutes(
    remaining: str, reset: str, until: float | None
) -> None:
    headers = {"x-ratelimit-remaining": remaining, "x-ratelimit-reset": reset}
    assert announced_pause(headers, NOW) == until


async def test_a_bogus_ratelimit_reset_cannot_silence_a_provider_until_restart(hostile: Hostile) -> None:
    spent = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1e308"}
    hostile.on("GET", "/strigo/api/v1/events", json_reply({"result": "success", "data": []}, headers=spent))
    quota = LocalQuota("strigo")
    async with aiohttp.ClientSession() as session:
        upstream = Upstream(
            provider="strigo",
            session=session,
            base_url=hostile.url("/strigo/api/v1"),
            auth=static_authorization("Bearer org:key"),
            quota=quota,
        )
        await upstream.get("events")
    assert time.time() < quota.paused_until <= time.time() + MAX_ANNOUNCED_PAUSE


async def test_an_impossible_total_is_unknown_and_a_next_link_cannot_skip(
    sandbox: Sandbox, hostile: Hostile
) -> None:
    events = [{"id": 5, "title": "x", "start": "2026-01-01 10:00:00"}]
    # The next link may not skip ahead: the page had one event, so the next starts after it.
    page = {"event": events, "total": 2**40, "links": {"next": "https://x/v1/sections/1/events?start=10000"}}
    hostile.on("GET", "/schoology/v1/sections/1/events", json_reply(page))
    query = """query($after: String) { schoologyEvents(realm: {kind: SECTION, providerId: "1"}, first: 1,
      after: $after) { totalCount pageInfo { hasNextPage endCursor } } }"""
    async with running_gateway(settings_for(sandbox, **STANDS["schoology"].settings(hostile))) as gateway:
        connection = (await gateway.data(query))["schoologyEvents"]
        assert connection["totalCount"] is None
        assert connection["pageInfo"]["hasNextPage"] is True
        await gateway.data(query, {"after": connection["pageInfo"]["endCursor"]})
    assert [call.query["start"] for call in hostile.calls("/schoology/v1/sections/1/events")] == ["0", "1"]


@pytest.mark.parametrize("count", [-5, "12", True, 1.5, 2**60])
async def test_a_count_that_is_not_a_number_of_items_is_an_upstream_error(
    sandbox: Sandbox, hostile: Hostile, count: object
) -> None:
    page = {"count": count, "next": None, "results": []}
    hostile.on("GET", f"/pretix/api/v1/organizers/{ORGANIZERS[0]}/events/", json_reply(page))
    query = f'{{ pretixEvents(organizer: "{ORGANIZERS[0]}") {{ totalCount }} }}'
    async with running_gateway(settings_for(sandbox, **STANDS["pretix"].settings(hostile))) as gateway:
        body = await gateway.query(query)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "PRETIX"}
