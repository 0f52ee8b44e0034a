"""Hostile reply bodies: oversized, compression bombs, huge lists (issue 10, item 6).

Memory is measured with tracemalloc around one request (allocations, not RSS, so other tests and
the machine's load do not move it): a body cut at the limit never costs its full size.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from resolvers.registry import NAMES
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import (
    Hostile,
    Responder,
    gzip_bomb,
    json_reply,
    kona_event,
    oversized,
)
from tests.harness import Sandbox, running_gateway, settings_for

KONA_LIST = "{ konaCalendarEvents(first: 5) { edges { node { providerId } } } }"
EVENTS = """{ events(filter: {startsAfter: "2024-01-01T00:00:00Z", startsBefore: "2027-06-01T00:00:00Z"},
  first: 200) { edges { node { provider } } } }"""
LIMIT = 2_000_000
MB = 1_000_000


async def peak_bytes(action: Callable[[], Awaitable[Any]]) -> tuple[Any, int]:
    """What `action` returns, and the most memory Python held at once while it ran (bytes)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = await action()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def kona_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "KONA"}
    return dict(error)


def big_bodies() -> list[Any]:
    bomb, wire = gzip_bomb(64 * MB, "calendar_events")
    assert wire < LIMIT  # the bomb is small on the wire: only the inflated size can stop it
    return [
        pytest.param(oversized(48 * MB, "calendar_events"), id="48MB-streamed"),
        pytest.param(bomb, id="gzip-bomb-64MB"),
    ]


@pytest.mark.parametrize("responder", big_bodies())
async def test_a_reply_over_the_byte_limit_is_cut_off_early(
    sandbox: Sandbox, hostile: Hostile, responder: Responder
) -> None:
    hostile.on("GET", "/kona/api/calendar_events", responder)
    settings = settings_for(sandbox, **STANDS["kona"].settings(hostile), gateway_max_reply_bytes=LIMIT)
    async with running_gateway(settings) as gateway:
        body, peak = await peak_bytes(lambda: gateway.query(KONA_LIST))
    assert "GATEWAY_MAX_REPLY_BYTES" in kona_error(body)["message"]
    assert body["data"] is None
    # Read up to the limit, never the whole body (48 or 64 MB): a few limits' worth at most.
    assert peak < 4 * LIMIT, f"peak {peak / MB:.1f} MB"
    assert len(hostile.calls()) == 1  # a body too large is not fetched again


async def test_a_declared_length_over_the_limit_is_not_read(sandbox: Sandbox, hostile: Hostile) -> None:
    hostile.on(
        "GET", "/kona/api/calendar_events", json_reply({"calendar_events": [], "pad": " " * 2 * LIMIT})
    )
    settings = settings_for(sandbox, **STANDS["kona"].settings(hostile), gateway_max_reply_bytes=LIMIT)
    async with running_gateway(settings) as gateway:
        body = await gateway.query(KONA_LIST)
    assert "GATEWAY_MAX_REPLY_BYTES" in kona_error(body)["message"]


async def test_other_providers_answer_beside_one_that_sent_too_much(
    sandbox: Sandbox, hostile: Hostile
) -> None:
    hostile.on("GET", "/kona/api/calendar_events", oversized(4 * LIMIT, "calendar_events"))
    settings = settings_for(sandbox, **STANDS["kona"].settings(hostile), gateway_max_reply_bytes=LIMIT)
    async with running_gateway(settings) as gateway:
        body = await gateway.query(EVENTS)
    kona_error(body)
    providers = {edge["node"]["provider"] for edge in body["data"]["events"]["edges"]}
    assert providers == {name.upper() for name in NAMES if name != "kona"}


async def test_a_list_over_the_item_limit_is_refused_before_any_item_is_built(
    sandbox: Sandbox, hostile: Hostile
) -> None:
    events = [kona_event(index + 1) for index in range(501)]
    hostile.on("GET", "/kona/api/calendar_events", json_reply({"calendar_events": events}))
    settings = settings_for(sandbox, **STANDS["kona"].settings(hostile), gateway_max_reply_items=500)
    async with running_gateway(settings) as gateway:
        body = await gateway.query(KONA_LIST)
        within = settings_for(sandbox, **STANDS["kona"].settings(hostile), gateway_max_reply_items=501)
    error = kona_error(body)
    assert "501" in error["message"]
    assert "GATEWAY_MAX_REPLY_ITEMS" in error["message"]
    async with running_gateway(within) as gateway:
        assert len((await gateway.data(KONA_LIST))["konaCalendarEvents"]["edges"]) == 5
