"""Once the app has started, what start-up built is frozen out of the collector's walks."""

from __future__ import annotations

import gc

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
