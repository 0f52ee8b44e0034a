"""The in-process reply cache (`GATEWAY_CACHE_TTL`) holds at most `GATEWAY_CACHE_MAX_BYTES`: distinct
replies evict the least recently used by size, not only beyond 2048 entries, and one reply too large
for its share is not cached. Driven over real sockets; Kona's calls are counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from gateway.app import create_app
from tests.gateway.edge.live_server import serving
from tests.harness import Sandbox, running_sandbox, settings_for

QUERY = (
    "query($start: DateTime, $end: DateTime) { konaCalendarEvents(dateRangeStart: $start, "
    "dateRangeEnd: $end, first: 50) { edges { node { id } } } }"
)
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, tzinfo=UTC)
#: `gateway.upstream.cache.MEMORY_PER_REPLY_BYTE`, spelled out so the test runs on code without it.
MEMORY_PER_REPLY_BYTE = 5


def ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


async def reply_bytes(sandbox: Sandbox) -> int:
    """Bytes of Kona's reply to the list the query asks for, fetched from the emulator directly."""
    params = {"date_range_start": ms(START), "date_range_end": ms(END), "page": "1", "per_page": "100"}
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{sandbox.base_url}/kona/api/calendar_events",
            params=params,
            headers={"Authorization": "Bearer sandbox-kona-token"},
        )
    assert response.status_code == 200
    sandbox.log.clear()
    return len(response.content)


def lists_from(sandbox: Sandbox, start: datetime) -> int:
    """How many times Kona was asked for the list of the range starting at `start`."""
    return sum(call.query.get("date_range_start") == ms(start) for call in sandbox.calls("kona"))


async def ask(http: httpx.AsyncClient, start: datetime) -> None:
    variables: dict[str, Any] = {"start": start.isoformat(), "end": END.isoformat()}
    body = (await http.post("/graphql", json={"query": QUERY, "variables": variables})).json()
    assert "errors" not in body, body
    assert len(body["data"]["konaCalendarEvents"]["edges"]) == 50


async def test_distinct_replies_evict_by_bytes_not_only_by_count() -> None:
    async with running_sandbox() as sandbox:
        one = MEMORY_PER_REPLY_BYTE * await reply_bytes(sandbox)
        settings = settings_for(sandbox, gateway_cache_ttl=600, gateway_cache_max_bytes=12 * one)
        async with serving(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
            await ask(http, START)
            await ask(http, START)
            cached = lists_from(sandbox, START)
            # 30 other ranges (the same events, so replies of the same size): 2.5 budgets' worth.
            for minutes in range(1, 31):
                await ask(http, START + timedelta(minutes=minutes))
            await ask(http, START)
            after_flood = lists_from(sandbox, START)

    assert cached == 1, "the reply was not cached at all"
    assert after_flood == 2, "2.5 budgets' worth of later replies left the first one cached"


async def test_a_reply_larger_than_its_share_of_the_budget_is_not_cached() -> None:
    async with running_sandbox() as sandbox:
        one = MEMORY_PER_REPLY_BYTE * await reply_bytes(sandbox)
        # An eighth of the budget is half the reply.
        settings = settings_for(sandbox, gateway_cache_ttl=600, gateway_cache_max_bytes=4 * one)
        async with serving(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
            await ask(http, START)
            await ask(http, START)
            asked = lists_from(sandbox, START)

    assert asked == 2
