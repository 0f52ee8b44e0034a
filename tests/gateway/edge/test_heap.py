"""Once the app has started, what start-up built is frozen out of the collector's walks, and full
collections come more often than CPython's default."""

from __future__ import annotations

import gc

from gateway.edge.heap import FULL_COLLECTION_EVERY
from tests.harness import Sandbox, running_gateway, settings_for


async def test_startup_freezes_the_heap(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        assert (await gateway.data("{ __typename }")) == {"__typename": "Query"}
        # The schema and the clients start-up built are among the frozen objects.
        assert gc.get_freeze_count() > 10_000


async def test_requests_after_startup_still_have_their_garbage_collected(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        await gateway.data("{ __typename }")
        frozen = gc.get_freeze_count()
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # a cycle made after the freeze is still found and freed
        await gateway.data("{ __typename }")
        assert gc.get_freeze_count() <= frozen  # requests freeze nothing (frozen objects may die)


async def test_startup_makes_full_collections_come_more_often(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        await gateway.data("{ __typename }")
        young, _, full = gc.get_threshold()
        # Requests' cyclic garbage reaches the oldest generation: freed every second middle
        # collection, not every tenth (issue 14's peak RSS); the young threshold stays CPython's.
        assert (young, full) == (700, FULL_COLLECTION_EVERY)
        assert FULL_COLLECTION_EVERY < 10
