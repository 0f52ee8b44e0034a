"""A plan's memory estimate covers what it holds, so the plan cache's bound in bytes is real.

Found by an outside attack: plans were bounded by count alone, and a query within every limit (12
aliased lists of every Strigo field and its class) holds ~1.4 MB of plan: a comment changed per
request would have pinned ~180 MB.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest

from gateway.execution.plan_cache import PlanCache
from gateway.execution.plans import Plan
from tests.harness import running_gateway, running_sandbox, settings_for

FIELDS = (
    "id provider providerId title description startsAt endsAt timezone allDay startDate endDate url "
    "location status raw eventLink token classId name availability dateStart dateEnd includeChat "
    "includeVideo includeLabExercises isRecorded tas trainees strigoStatus partnerId labels "
    "class { id name description labels raw } owner { __typename }"
)
VARIANTS = 3


def _query(variant: int) -> str:
    selections = " ".join(f"a{index}: strigoEvents {{ {FIELDS} }}" for index in range(12))
    return "{ " + selections + " }" + f" # variant {variant}"


async def test_a_plans_estimate_covers_the_memory_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Plan] = []
    plan_for = PlanCache.plan_for

    def recording(self: PlanCache, *args: Any) -> Plan | None:
        plan = plan_for(self, *args)
        if plan is not None and all(plan is not seen for seen in made):
            made.append(plan)
        return plan

    monkeypatch.setattr(PlanCache, "plan_for", recording)
    async with running_sandbox() as sandbox:
        settings = settings_for(sandbox, gateway_compiled_execution=True, strigo_rate_per_minute=10**9)
        async with running_gateway(settings) as gateway:
            assert "errors" not in await gateway.query(_query(-1))  # within every limit
            gc.collect()
            made.clear()
            tracemalloc.start()
            try:
                before = tracemalloc.take_snapshot()
                for variant in range(VARIANTS):
                    assert "errors" not in await gateway.query(_query(variant))
                gc.collect()
                after = tracemalloc.take_snapshot()
            finally:
                tracemalloc.stop()
    in_execution = [tracemalloc.Filter(True, "*/gateway/execution/*")]
    grown = sum(
        stat.size_diff
        for stat in after.filter_traces(in_execution).compare_to(
            before.filter_traces(in_execution), "filename"
        )
    )
    assert len(made) == VARIANTS
    estimated = sum(plan.size for plan in made)
    assert grown <= estimated, (
        f"{grown / VARIANTS / 2**20:.2f} MiB held a plan, {estimated / VARIANTS / 2**20:.2f} estimated"
    )
    assert estimated <= 2 * grown  # an estimate, not a guess: within a factor of two
